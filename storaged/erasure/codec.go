package erasure

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/reedsolomon"

	"github.com/strata-storage/strata/storaged/internal/highway"
)

// hashSize is the length of the hash that opens each record.
const hashSize = highway.Size

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
	c.layout(block, f)
	return c.seal(f)
}

// layout points f at the shards of block and copies block into its data
// shards: shard i holds bytes [i*sl, (i+1)*sl) of the block, zero-padded.
func (c *codec) layout(block []byte, f *frames) {
	sl := ceilDiv(int64(len(block)), int64(c.data))
	f.resize(sl)
	for i := range c.data {
		lo := min(int64(i)*sl, int64(len(block)))
		n := copy(f.shards[i], block[lo:])
		clear(f.shards[i][n:])
	}
}

// fill reads the next block, at most blockSize bytes, from r straight into
// the data shards of f, laid out as layout lays out a block, and returns
// its length. Its error is io.ReadFull's for the whole block: io.EOF when
// r had nothing left, io.ErrUnexpectedEOF when the block is short.
func (c *codec) fill(r io.Reader, f *frames, blockSize int64) (int64, error) {
	f.resize(ceilDiv(blockSize, int64(c.data)))
	var n int64
	var err error
	for i := 0; i < c.data && err == nil; i++ {
		want := min(int64(len(f.shards[i])), blockSize-n)
		var m int
		m, err = io.ReadFull(r, f.shards[i][:want])
		n += int64(m)
		clear(f.shards[i][m:])
	}
	switch {
	case n == 0 && err != nil:
		return 0, err
	case n < blockSize && (err == nil || err == io.EOF):
		err = io.ErrUnexpectedEOF
	}
	if n > 0 && n < blockSize {
		c.relayout(f, n)
	}
	return n, err
}

// relayout moves the n bytes that fill read into f's data shards, each
// filled to the largest shard length, to the layout of an n-byte block.
// It runs once per object, on its last block, when that is short.
func (c *codec) relayout(f *frames, n int64) {
	block := make([]byte, 0, n)
	for _, s := range f.shards[:c.data] {
		block = append(block, s[:min(int64(len(s)), n-int64(len(block)))]...)
	}
	c.layout(block, f)
}

// seal computes the parity shards of the data shards in f and writes every
// shard's hash in front of it.
func (c *codec) seal(f *frames) error {
	if err := c.encodeParity(f); err != nil {
		return err
	}
	c.sumRecords(f)
	return nil
}

// encodeParity computes the parity shards of the data shards in f.
func (c *codec) encodeParity(f *frames) error {
	if err := c.enc.Encode(f.shards); err != nil {
		return fmt.Errorf("erasure: encoding a block: %w", err)
	}
	return nil
}

// sumRecords writes the hash of every record of fs in front of its shard,
// hashing all of them in one call of sumShards: the blocks of a Put unit
// have shards of one length, but for a short last block.
func (c *codec) sumRecords(fs ...*frames) {
	var shards [][]byte
	for _, f := range fs {
		shards = append(shards, f.shards...)
	}
	sums := make([][hashSize]byte, len(shards))
	c.sumShards(sums, shards)
	for j, f := range fs {
		for i := range f.recs {
			copy(f.recs[i], sums[j*len(f.recs)+i][:])
		}
	}
}

// sumShards sets sums[i] to the hash of shards[i]. highway.Sums hashes up
// to eight shards of one length at once on one CPU; more than eight large
// shards are hashed eight at a time on separate goroutines.
func (c *codec) sumShards(sums [][hashSize]byte, shards [][]byte) {
	groups := (len(shards) + shardsPerSum - 1) / shardsPerSum
	if groups == 0 {
		return
	}
	parallel(groups, len(shards[0]), func(g int) {
		lo, hi := g*shardsPerSum, min((g+1)*shardsPerSum, len(shards))
		highway.Sums(sums[lo:hi], shards[lo:hi], c.key)
	})
}

// shardsPerSum is how many shards highway.Sums hashes together.
const shardsPerSum = highway.Width

// minParallelShard is the shard length from which hashing shards on
// separate goroutines pays for starting them.
const minParallelShard = 64 << 10

// parallel runs fn(0) to fn(n-1), on separate goroutines when there are
// several and each works on at least minParallelShard bytes.
func parallel(n, shardLen int, fn func(i int)) {
	if n == 1 || shardLen < minParallelShard {
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
	sum := highway.Sum(rec[hashSize:], c.key)
	return bytes.Equal(sum[:], rec[:hashSize])
}

// verifyAll reports, by position, whether each of recs, all of the same
// length, matches its hash.
func (c *codec) verifyAll(recs [][]byte) []bool {
	ok := make([]bool, len(recs))
	shards := make([][]byte, len(recs))
	for i, rec := range recs {
		shards[i] = rec[hashSize:]
	}
	sums := make([][hashSize]byte, len(recs))
	c.sumShards(sums, shards)
	for i, rec := range recs {
		ok[i] = bytes.Equal(sums[i][:], rec[:hashSize])
	}
	return ok
}

// decode rebuilds a block of blockLen bytes into out from the records in f
// whose present flag is set (at least D of them, all verified). Missing
// data shards are rebuilt in out's memory, which must hold D shards. It
// returns out holding the block.
func (c *codec) decode(f *frames, present []bool, blockLen int64, out []byte) ([]byte, error) {
	sl := ceilDiv(blockLen, int64(c.data))
	out = out[:int64(c.data)*sl]
	missingData := false
	for i := range f.shards {
		f.shards[i] = f.full[i][hashSize : hashSize+sl]
		switch {
		case present[i]:
		case i < c.data:
			f.shards[i] = out[int64(i)*sl : int64(i)*sl : int64(i+1)*sl]
			missingData = true
		default:
			f.shards[i] = f.shards[i][:0]
		}
	}
	if missingData {
		if err := c.enc.ReconstructData(f.shards); err != nil {
			return nil, fmt.Errorf("erasure: reconstructing a block: %w", err)
		}
	}
	for i := range c.data {
		if present[i] {
			copy(out[int64(i)*sl:], f.shards[i])
		}
	}
	return out[:blockLen], nil
}
