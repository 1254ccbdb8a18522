package erasure

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/reedsolomon"
	"github.com/minio/highwayhash"
)

// hashSize is the length of the hash that opens each record.
const hashSize = highwayhash.Size

// hashKey is the HighwayHash key of every shard and meta checksum. It is
// public on purpose: the hash detects corruption, it does not authenticate.
// Changing it makes every stored object unreadable.
const hashKey = "strata erasure highwayhash key 1"

// ErrCorruptShard means a shard block failed its hash check: the drive
// returned bytes that are not the ones written.
var ErrCorruptShard = errors.New("erasure: shard block failed its hash check")

// codec turns blocks of object data into framed shard records and back.
type codec struct {
	enc    reedsolomon.Encoder
	data   int
	parity int
	key    []byte
}

// frames is the memory of one block's records: one record per shard index,
// each a hash followed by the shard, all carved from one allocation.
type frames struct {
	recs   [][]byte
	shards [][]byte
	full   [][]byte // each record at its largest
}

// newFrames allocates records for total shards of at most maxShard bytes.
func newFrames(total int, maxShard int64) *frames {
	stride := hashSize + int(maxShard)
	backing := make([]byte, total*stride)
	f := &frames{
		recs:   make([][]byte, total),
		shards: make([][]byte, total),
		full:   make([][]byte, total),
	}
	for i := range f.full {
		f.full[i] = backing[i*stride : (i+1)*stride : (i+1)*stride]
	}
	return f
}

// resize points every record and shard at the first shardLen bytes.
func (f *frames) resize(shardLen int64) {
	for i, full := range f.full {
		f.recs[i] = full[:hashSize+shardLen]
		f.shards[i] = f.recs[i][hashSize:]
	}
}

// encode splits block into data and parity shards in f and writes each
// shard's hash in front of it.
func (c *codec) encode(block []byte, f *frames) error {
	sl := ceilDiv(int64(len(block)), int64(c.data))
	f.resize(sl)
	for i := range c.data {
		lo := min(int64(i)*sl, int64(len(block)))
		n := copy(f.shards[i], block[lo:])
		clear(f.shards[i][n:])
	}
	if err := c.enc.Encode(f.shards); err != nil {
		return fmt.Errorf("erasure: encoding a block: %w", err)
	}
	parallel(len(f.recs), len(f.shards[0]), func(i int) {
		sum := highwayhash.Sum(f.shards[i], c.key)
		copy(f.recs[i], sum[:])
	})
	return nil
}

// minParallelShard is the shard length from which hashing shards on
// separate goroutines pays for starting them.
const minParallelShard = 64 << 10

// parallel runs fn(0) to fn(n-1), on separate goroutines when each works on
// at least minParallelShard bytes.
func parallel(n, shardLen int, fn func(i int)) {
	if shardLen < minParallelShard {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { fn(i) })
	}
	wg.Wait()
}

// verify reports whether a record's hash matches its shard.
func (c *codec) verify(rec []byte) bool {
	sum := highwayhash.Sum(rec[hashSize:], c.key)
	return bytes.Equal(sum[:], rec[:hashSize])
}

// decode rebuilds a block of blockLen bytes into out from the records in f
// whose present flag is set (at least D of them, all verified). It returns
// out holding the block.
func (c *codec) decode(f *frames, present []bool, blockLen int64, out []byte) ([]byte, error) {
	sl := ceilDiv(blockLen, int64(c.data))
	missingData := false
	for i := range f.shards {
		f.shards[i] = f.full[i][hashSize : hashSize+sl]
		if !present[i] {
			f.shards[i] = f.shards[i][:0]
			missingData = missingData || i < c.data
		}
	}
	if missingData {
		if err := c.enc.ReconstructData(f.shards); err != nil {
			return nil, fmt.Errorf("erasure: reconstructing a block: %w", err)
		}
	}
	out = out[:0]
	for _, s := range f.shards[:c.data] {
		out = append(out, s...)
	}
	return out[:blockLen], nil
}
