package main

import (
	"bytes"
	"fmt"

	"github.com/klauspost/reedsolomon"
	"github.com/minio/highwayhash"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/internal/highway"
)

// blockSize is the block the erasure figures code: storaged's default.
const blockSize = erasure.DefaultBlockSize

// shardSize is one shard of a block.
const shardSize = blockSize / erasureData

// hashKey is the HighwayHash key of the hash figure. Its value does not
// change the speed; it is not storaged's key.
const hashKey = "strata benchmark highwayhash key"

// rawCoder is the baseline of the erasure figures: bare reedsolomon on
// the same blocks, with the memory of one block's shards and the parity
// of every block of the object (made once, for reconstruction).
type rawCoder struct {
	object []byte // the object it codes
	enc    reedsolomon.Encoder
	shards [][]byte   // one block's shards, for encoding
	work   [][]byte   // the shard list handed to Reconstruct
	data   [][]byte   // where Reconstruct rebuilds the data shards
	parity [][][]byte // by block: its parity shards
	out    []byte     // the rebuilt block, joined
	key    []byte
}

// newRawCoder returns a coder for the erasure figures' geometry holding
// the parity of every block of object.
func newRawCoder(object []byte) (*rawCoder, error) {
	enc, err := reedsolomon.New(erasureData, erasureParity)
	if err != nil {
		return nil, fmt.Errorf("creating a reedsolomon encoder: %w", err)
	}
	c := &rawCoder{object: object, enc: enc, shards: newShards(erasureDrives),
		work: make([][]byte, erasureDrives),
		data: newShards(erasureData), out: make([]byte, 0, blockSize), key: []byte(hashKey)}
	for off := 0; off < len(object); off += blockSize {
		if err := c.encodeBlock(object[off : off+blockSize]); err != nil {
			return nil, err
		}
		p := newShards(erasureParity)
		copy(p[0], c.shards[erasureData])
		copy(p[1], c.shards[erasureData+1])
		c.parity = append(c.parity, p)
	}
	return c, nil
}

// newShards allocates n shards of shardSize bytes.
func newShards(n int) [][]byte {
	s := make([][]byte, n)
	for i := range s {
		s[i] = make([]byte, shardSize)
	}
	return s
}

// encodeOnce encodes the object the coder was made for, once.
func (c *rawCoder) encodeOnce() error { return c.encode(c.object) }

// reconstructOnce rebuilds every block of that object from its parity,
// once.
func (c *rawCoder) reconstructOnce() error { return c.reconstruct(nil) }

// encode encodes object block by block; its length is a multiple of the
// block size.
func (c *rawCoder) encode(object []byte) error {
	for off := 0; off < len(object); off += blockSize {
		if err := c.encodeBlock(object[off : off+blockSize]); err != nil {
			return err
		}
	}
	return nil
}

// encodeBlock splits block into the data shards and computes the parity.
func (c *rawCoder) encodeBlock(block []byte) error {
	for i := range erasureData {
		copy(c.shards[i], block[i*shardSize:])
	}
	if err := c.enc.Encode(c.shards); err != nil {
		return fmt.Errorf("reedsolomon encode: %w", err)
	}
	return nil
}

// reconstruct rebuilds both data shards of every block from its parity
// and joins them; each block goes to got, when set, before the next.
func (c *rawCoder) reconstruct(got func(b int, block []byte) error) error {
	for b, p := range c.parity {
		c.work[0], c.work[1] = c.data[0][:0], c.data[1][:0]
		c.work[2], c.work[3] = p[0], p[1]
		if err := c.enc.Reconstruct(c.work); err != nil {
			return fmt.Errorf("reedsolomon reconstruct: %w", err)
		}
		c.out = append(append(c.out[:0], c.work[0]...), c.work[1]...)
		if got == nil {
			continue
		}
		if err := got(b, c.out); err != nil {
			return err
		}
	}
	return nil
}

// check verifies, once and untimed, that reconstruct rebuilds object.
func (c *rawCoder) check(object []byte) error {
	return c.reconstruct(func(b int, block []byte) error {
		if !bytes.Equal(block, object[b*blockSize:(b+1)*blockSize]) {
			return fmt.Errorf("reedsolomon rebuilt block %d wrong", b)
		}
		return nil
	})
}

// hash computes the HighwayHash-256 of every shard of object, data and
// parity, as the storage path does for every record it writes: the shards
// of two blocks at once.
func (c *rawCoder) hash(object []byte) byte {
	var sink byte
	sums := make([][highway.Size]byte, 2*erasureDrives)
	shards := make([][]byte, 0, 2*erasureDrives)
	for b, p := range c.parity {
		block := object[b*blockSize : (b+1)*blockSize]
		shards = append(shards, block[:shardSize], block[shardSize:], p[0], p[1])
		if len(shards) == cap(shards) || b == len(c.parity)-1 {
			highway.Sums(sums[:len(shards)], shards, c.key)
			sink ^= sums[0][0]
			shards = shards[:0]
		}
	}
	return sink
}

// hashParity computes the HighwayHash-256 of the 2 parity shards of every
// block, two blocks at a time, as a read that rebuilds the data shards
// checks them.
func (c *rawCoder) hashParity() byte {
	var sink byte
	sums := make([][highway.Size]byte, 2*erasureParity)
	shards := make([][]byte, 0, 2*erasureParity)
	for b, p := range c.parity {
		shards = append(shards, p...)
		if len(shards) == cap(shards) || b == len(c.parity)-1 {
			highway.Sums(sums[:len(shards)], shards, c.key)
			sink ^= sums[0][0]
			shards = shards[:0]
		}
	}
	return sink
}

// hashEach computes the same sums as hash, one shard after the other,
// with github.com/minio/highwayhash.
func (c *rawCoder) hashEach(object []byte) byte {
	var sink byte
	for b, p := range c.parity {
		block := object[b*blockSize : (b+1)*blockSize]
		for _, s := range [][]byte{block[:shardSize], block[shardSize:], p[0], p[1]} {
			sum := highwayhash.Sum(s, c.key)
			sink ^= sum[0]
		}
	}
	return sink
}
