package erasure

import (
	"fmt"

	"github.com/strata-storage/strata/storaged/internal/highway"
)

// prefetch is the next block's records that a Reader read together with
// the current block's, from the same shards, so that both blocks' records
// are hash-checked in one pass of highway.Sums: a pass hashes up to eight
// records for the time of four, and a block is often read from fewer (the
// D data shards, or the parity shards that stand in for lost ones).
type prefetch struct {
	frames *frames // where the records are; swapped with the Reader's
	block  int64   // the block they belong to; -1 when none is held
	idxs   []int   // the shards they were read from
	oks    []bool  // by position in idxs: passed the hash check
}

// prefetchNext reads block b+1's records of the shards idxs, whose block b
// records are about to be checked, when that is worth it: b+1 is in the
// current span and as long as b, both blocks' records fit in one pass,
// and the records are long enough to be checked on a goroutine of their
// own. It returns the records read, to be checked with block b's. A shard
// whose read failed is left out: block b+1 reads it again in its turn, and
// marks its drive bad if it fails again.
func (r *Reader) prefetchNext(idxs []int, b, blockLen int64) [][]byte {
	r.pre.block, r.pre.idxs, r.pre.oks = -1, nil, nil
	n := b + 1
	shardLen := r.geo.shardLen(blockLen)
	if len(idxs) == 0 || 2*len(idxs) > highway.Width || n > r.last ||
		r.geo.blockLen(n) != blockLen || shardLen < minParallelShard {
		return nil
	}
	if r.pre.frames == nil {
		r.pre.frames = newFrames(len(r.frames.full), int64(len(r.frames.full[0])-hashSize))
	}
	f := r.pre.frames
	f.resize(shardLen)
	errs := make([]error, len(idxs))
	done := make(chan struct{}, len(idxs))
	for j, idx := range idxs {
		go func() {
			errs[j] = r.readRecordInto(f, idx, n)
			done <- struct{}{}
		}()
	}
	for range idxs {
		<-done
	}
	var read []int
	var recs [][]byte
	for j, idx := range idxs {
		if errs[j] == nil {
			read = append(read, idx)
			recs = append(recs, f.recs[idx])
		}
	}
	if len(read) > 0 {
		r.pre.block, r.pre.idxs = n, read
	}
	return recs
}

// takePrefetched makes the records read ahead for block b, if any, the
// frames of this block: the ones that passed their hash check are present
// and checked, a shard whose record failed is not read again, and a shard
// that has failed since is left out.
func (r *Reader) takePrefetched(b int64) {
	pre := r.pre
	r.pre.block, r.pre.idxs, r.pre.oks = -1, nil, nil
	if pre.block != b || len(pre.idxs) == 0 || len(pre.oks) != len(pre.idxs) {
		return
	}
	r.frames, r.pre.frames = pre.frames, r.frames
	for j, idx := range pre.idxs {
		switch {
		case r.bad[idx]:
		case pre.oks[j]:
			r.present[idx], r.checked[idx], r.tried[idx] = true, true, true
		default:
			r.tried[idx] = true
			r.markBad(idx, fmt.Errorf("block %d: %w", b, ErrCorruptShard))
		}
	}
}
