package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/internal/highway"
)

// applyHeal writes what the plan says: the bucket's volume where it is
// missing, every shard file to rebuild, then the meta file of each drive
// that needs one, and last the data directories that the key's versions
// no longer name on those drives. A drive that fails a step is left out
// of the later ones.
func (s *Set) applyHeal(ctx context.Context, bucket, dir string, cur *fileMeta, p *healPlan,
	res *HealResult) {
	if p.empty() {
		return
	}
	s.makeVolumes(ctx, bucket, p, res)
	for _, fix := range p.fixes {
		n, errs := s.rebuild(ctx, bucket, fix, res)
		res.BytesHealed += n
		for _, t := range fix.targets {
			if errs[t] != nil {
				res.fail(t, errs[t])
			} else {
				res.healed(t)
			}
		}
	}
	errs := s.forEach(func(i int, d Drive) error {
		if !p.metaFix[i] || res.Drives[i].State == HealFailed {
			return nil
		}
		return s.rewriteMeta(ctx, d, i, bucket, dir, cur)
	})
	for i := range s.drives {
		switch {
		case errs[i] != nil:
			res.fail(i, errs[i])
		case p.metaFix[i]:
			res.healed(i)
		}
	}
}

// makeVolumes creates the bucket's volume on the drives that lack it.
func (s *Set) makeVolumes(ctx context.Context, bucket string, p *healPlan, res *HealResult) {
	errs := s.forEach(func(i int, d Drive) error {
		if !p.noVolume[i] {
			return nil
		}
		err := d.MakeVolume(ctx, bucket)
		if errors.Is(err, drive.ErrVolumeExists) {
			return nil
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			res.fail(i, err)
		}
	}
}

// rewriteMeta writes cur as drive pos's meta file (one atomic, durable
// replace) and removes the data directories of versions cur does not hold.
func (s *Set) rewriteMeta(ctx context.Context, d Drive, pos int, bucket, dir string,
	cur *fileMeta) error {
	b, err := encodeMeta(cur.forDrive(pos), s.hashKey)
	if err != nil {
		return err
	}
	if err := d.WriteFile(ctx, bucket, metaPath(dir), b); err != nil {
		return err
	}
	return removeUnnamed(ctx, d, bucket, dir, cur)
}

// removeUnnamed deletes every entry of an object directory that is
// neither the meta file nor the data directory of one of cur's versions.
func removeUnnamed(ctx context.Context, d Drive, bucket, dir string, cur *fileMeta) error {
	names, err := d.List(ctx, bucket, dir)
	if err != nil {
		return err
	}
	keep := map[string]bool{metaFile: true}
	for _, dd := range cur.dataDirs() {
		keep[dd] = true
	}
	var errs []error
	for _, name := range names {
		name = strings.TrimSuffix(name, "/")
		if !keep[name] {
			errs = append(errs, d.Delete(ctx, bucket, path.Join(dir, name)))
		}
	}
	return errors.Join(errs...)
}

// rebuild writes fix's shard file anew on each target drive, block by
// block from the sources, and returns the bytes written to all targets
// and each drive's error by position. A block that no longer has a read
// quorum of sources fails every target and leaves their files as they
// were.
func (s *Set) rebuild(ctx context.Context, bucket string, fix shardFix,
	res *HealResult) (int64, []error) {
	errs := make([]error, len(s.drives))
	for _, t := range fix.targets {
		errs[t] = res.DriveErr(t)
	}
	rb, err := s.newRebuilder(ctx, bucket, fix, errs)
	if err != nil {
		return 0, failAll(errs, fix.targets, err)
	}
	defer rb.close()
	if err := rb.run(); err != nil {
		return 0, failAll(errs, fix.targets, err)
	}
	return rb.commit(), errs
}

// failAll sets err for every target that has no error yet.
func failAll(errs []error, targets []int, err error) []error {
	for _, t := range targets {
		if errs[t] == nil {
			errs[t] = err
		}
	}
	return errs
}

// rebuilder is one shard file being rebuilt.
type rebuilder struct {
	s       *Set
	ctx     context.Context
	bucket  string
	fix     shardFix
	codec   *codec
	frames  *frames
	present []bool
	// streams are the sources' reads, writers the targets' new files, by
	// drive position; errs the targets' errors.
	streams []io.ReadCloser
	writers []drive.FileWriter
	errs    []error
	written []int64 // bytes written, by drive position
}

// newRebuilder opens a new file on each target not failed yet and a read
// of each source's file.
func (s *Set) newRebuilder(ctx context.Context, bucket string, fix shardFix,
	errs []error) (*rebuilder, error) {
	e := fix.coding
	enc, err := s.encoder(e.Data, e.Parity)
	if err != nil {
		return nil, err
	}
	n := len(s.drives)
	rb := &rebuilder{s: s, ctx: ctx, bucket: bucket, fix: fix, errs: errs,
		codec:   &codec{enc: enc, data: e.Data, parity: e.Parity, key: s.hashKey},
		frames:  newFrames(e.Data+e.Parity, ceilDiv(e.BlockSize, int64(e.Data))),
		present: make([]bool, e.Data+e.Parity),
		streams: make([]io.ReadCloser, n), writers: make([]drive.FileWriter, n),
		written: make([]int64, n)}
	for _, t := range fix.targets {
		if errs[t] != nil {
			continue
		}
		if rb.writers[t], err = s.drives[t].CreateFile(ctx, bucket, fix.file); err != nil {
			errs[t] = fmt.Errorf("drive %d (%s): %w", t, s.drives[t], err)
		}
	}
	for _, src := range fix.sources {
		// A source that cannot be opened counts as a failed source below.
		rb.streams[src], _ = s.drives[src].ReadRange(ctx, bucket, fix.file, 0,
			fileLen(fix.geo))
	}
	return rb, nil
}

// fileLen returns the length of a shard file of geometry g.
func fileLen(g geometry) int64 {
	if g.blocks() == 0 {
		return 0
	}
	return g.recordEnd(g.blocks() - 1)
}

// run rebuilds every block.
func (rb *rebuilder) run() error {
	for b := range rb.fix.geo.blocks() {
		if err := rb.ctx.Err(); err != nil {
			return err
		}
		if err := rb.block(b); err != nil {
			return err
		}
	}
	return nil
}

// block reads block b's record from every source, rebuilds the missing
// shards and appends the targets' records to their files.
func (rb *rebuilder) block(b int64) error {
	g, e := rb.fix.geo, rb.fix.coding
	blockLen := g.blockLen(b)
	sl := g.shardLen(blockLen)
	rb.frames.resize(sl)
	if got := rb.readSources(); got < e.Data {
		return fmt.Errorf("%w: rebuilding block %d of %s: %d good shards, %d needed",
			ErrReadQuorum, b, rb.fix.file, got, e.Data)
	}
	f := rb.frames
	for idx := range f.shards {
		if !rb.present[idx] {
			f.shards[idx] = f.shards[idx][:0]
		}
	}
	if err := rb.codec.enc.Reconstruct(f.shards); err != nil {
		return fmt.Errorf("erasure: rebuilding block %d of %s: %w", b, rb.fix.file, err)
	}
	rb.writeTargets()
	return nil
}

// readSources reads the next record of every source still good, in
// parallel, and returns how many checked out. A source that fails is
// dropped.
func (rb *rebuilder) readSources() int {
	clear(rb.present)
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := 0
	for _, src := range rb.fix.sources {
		rc := rb.streams[src]
		if rc == nil {
			continue
		}
		idx := rb.fix.coding.Distribution[src]
		wg.Go(func() {
			rec := rb.frames.recs[idx]
			_, err := io.ReadFull(rc, rec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || !rb.codec.verify(rec) {
				_ = rc.Close()
				rb.streams[src] = nil
				return
			}
			rb.present[idx] = true
			got++
		})
	}
	wg.Wait()
	return got
}

// writeTargets appends each target's record of the block just rebuilt.
func (rb *rebuilder) writeTargets() {
	for _, t := range rb.fix.targets {
		w := rb.writers[t]
		if w == nil {
			continue
		}
		shard := rb.frames.shards[rb.fix.coding.Distribution[t]]
		sum := highway.Sum(shard, rb.s.hashKey)
		if err := writeAll(w, sum[:], shard); err != nil {
			rb.dropTarget(t, err)
			continue
		}
		rb.written[t] += int64(len(sum) + len(shard))
	}
}

// writeAll writes each slice to w in order.
func writeAll(w io.Writer, parts ...[]byte) error {
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// dropTarget aborts target t's file and records why.
func (rb *rebuilder) dropTarget(t int, err error) {
	_ = rb.writers[t].Abort()
	rb.writers[t] = nil
	rb.errs[t] = fmt.Errorf("drive %d (%s): %w", t, rb.s.drives[t], err)
}

// commit syncs and renames every target's new file into place, and
// returns the bytes written to the targets that committed.
func (rb *rebuilder) commit() int64 {
	var written int64
	for _, t := range rb.fix.targets {
		w := rb.writers[t]
		if w == nil {
			continue
		}
		rb.writers[t] = nil
		if err := w.Commit(); err != nil {
			rb.errs[t] = fmt.Errorf("drive %d (%s): %w", t, rb.s.drives[t], err)
			continue
		}
		written += rb.written[t]
	}
	return written
}

// close aborts the files not committed and closes the sources' reads.
func (rb *rebuilder) close() {
	for i, w := range rb.writers {
		if w != nil {
			_ = w.Abort()
			rb.writers[i] = nil
		}
	}
	for i, rc := range rb.streams {
		if rc != nil {
			_ = rc.Close()
			rb.streams[i] = nil
		}
	}
}
