package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/strata-storage/strata/storaged/drive"
)

// errBadPreviousMeta means a drive's current meta file could not be read, so
// the drive could not be rolled back and was left out of the commit.
var errBadPreviousMeta = errors.New("erasure: previous meta file unreadable")

// commitJob moves staged files into place on every drive that staged them:
// first the data (moves), then the meta file, whose rename is the commit
// point on a drive. The caller holds the lock that orders commits of the
// meta file's path. If fewer than a write quorum of drives commit, the
// ones that did are rolled back.
type commitJob struct {
	s      *Set
	ctx    context.Context // not canceled: a half-done commit must finish
	bucket string
	what   string // names the object in errors
	// metaPath is where the meta file goes in the bucket volume;
	// stagedMeta is where each drive staged its copy in the staging
	// volume.
	metaPath   string
	stagedMeta string
	// newDir is the data directory of the version being committed, in
	// the bucket volume, removed on rollback; "" when it has no data.
	newDir string
	// ownerDir, when set, is removed on the rollback of a drive that held
	// no meta file before (the object directory of a new key).
	ownerDir string
	// moves, when set, returns the data moves of drive pos, done in order
	// before the meta file.
	moves func(pos int) []move
	// dropDirs names the data directories of the versions that the
	// commit removed from a replaced meta file, removed once the commit
	// holds its quorum: retired (see retire.go) when retire is set, since
	// reads may have them open, else deleted.
	dropDirs func(old *fileMeta) []string
	retire   bool
	// decode reads a replaced meta file of drive pos.
	decode func(b []byte, pos int) (*fileMeta, error)
	// errs holds, by drive position, why a drive takes no part; the job
	// adds the drives that fail to commit.
	errs   []error
	quorum int
}

// move is one rename of a commit into the bucket volume.
type move struct {
	srcVol, src string
	dst         string
	// restore makes a rollback rename the file back to src instead of
	// deleting it: the source is still needed (an upload's part).
	restore bool
}

// commitState is what one drive did during a commit, so that it can be
// undone.
type commitState struct {
	previous []byte // the meta file the commit replaced; nil when none
	moved    []move // the moves done, in order
	replaced bool   // the meta file was renamed into place
}

// run commits on every drive still taking part and checks the quorum.
func (c *commitJob) run() error {
	states := make([]commitState, len(c.s.drives))
	errs := c.s.forEach(func(i int, d Drive) error {
		if c.errs[i] != nil {
			return nil
		}
		return c.commitDrive(d, i, &states[i])
	})
	for i, err := range errs {
		if err != nil {
			c.errs[i] = err
		}
	}
	if err := c.checkQuorum(); err != nil {
		return errors.Join(err, c.rollback(states))
	}
	c.dropPrevious(states)
	return nil
}

// commitDrive commits the staged version on one drive.
func (c *commitJob) commitDrive(d Drive, pos int, st *commitState) error {
	prev, err := d.ReadFile(c.ctx, c.bucket, c.metaPath)
	switch {
	case errors.Is(err, drive.ErrFileNotFound):
	case err != nil:
		return fmt.Errorf("%w: %w", errBadPreviousMeta, err)
	default:
		st.previous = prev
	}

	if c.moves != nil {
		for _, mv := range c.moves(pos) {
			if err := d.Rename(c.ctx, mv.srcVol, mv.src, c.bucket, mv.dst); err != nil {
				return err
			}
			st.moved = append(st.moved, mv)
		}
	}
	if err := d.Rename(c.ctx, drive.StagingVolume, c.stagedMeta, c.bucket, c.metaPath); err != nil {
		return err
	}
	st.replaced = true
	return nil
}

// checkQuorum checks the commit's outcome and names a missing bucket as
// such.
func (c *commitJob) checkQuorum() error {
	ok := countOK(c.errs)
	switch {
	case ok >= c.quorum:
		return nil
	case ok == 0 && c.s.absent(lacksBucket(c.errs)):
		return fmt.Errorf("erasure: committing %s: %w", c.what, ErrBucketNotFound)
	}
	return quorumError(ErrWriteQuorum, "committing "+c.what, ok, c.quorum, c.errs)
}

// rollback restores each drive that took part of the commit to the state
// it had before.
func (c *commitJob) rollback(states []commitState) error {
	errs := c.s.forEach(func(i int, d Drive) error {
		return c.undo(d, states[i])
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("erasure: rolling back %s: %w", c.what, err)
	}
	return nil
}

// undo reverses what one drive did: the meta file first, so that the
// drive never points at data that is gone, then the moves, newest first.
func (c *commitJob) undo(d Drive, st commitState) error {
	if !st.replaced && len(st.moved) == 0 {
		return nil
	}
	var errs []error
	if st.replaced && st.previous != nil {
		errs = append(errs, d.WriteFile(c.ctx, c.bucket, c.metaPath, st.previous))
	} else if st.replaced {
		errs = append(errs, d.Delete(c.ctx, c.bucket, c.metaPath))
	}
	for i := len(st.moved) - 1; i >= 0; i-- {
		mv := st.moved[i]
		if mv.restore {
			errs = append(errs, d.Rename(c.ctx, c.bucket, mv.dst, mv.srcVol, mv.src))
		} else {
			errs = append(errs, d.Delete(c.ctx, c.bucket, mv.dst))
		}
	}
	if c.newDir != "" && len(st.moved) > 0 {
		errs = append(errs, d.Delete(c.ctx, c.bucket, c.newDir))
	}
	if st.previous == nil && c.ownerDir != "" {
		errs = append(errs, d.Delete(c.ctx, c.bucket, c.ownerDir))
	}
	return errors.Join(errs...)
}

// dropPrevious retires the data directory of the version the commit
// replaced on each drive that committed, and undoes the moves of each
// drive that failed half way. A failure only leaks space.
func (c *commitJob) dropPrevious(states []commitState) {
	c.s.forEach(func(i int, d Drive) error {
		st := states[i]
		if !st.replaced {
			return c.undo(d, st)
		}
		if st.previous == nil || c.dropDirs == nil {
			return nil
		}
		old, err := c.decode(st.previous, i)
		if err != nil {
			return nil
		}
		var errs []error
		for _, dir := range c.dropDirs(old) {
			if c.retire {
				errs = append(errs, c.s.retire(c.ctx, i, d, c.bucket, dir))
			} else {
				errs = append(errs, d.Delete(c.ctx, c.bucket, dir))
			}
		}
		return errors.Join(errs...)
	})
}

// commitObjectMeta stages next, the key's new meta file, on every drive
// whose errs entry is nil and commits it over the object's meta file,
// after moves (when set) bring the new version's data into newDir. The
// caller holds the object's lock. It returns every drive's error.
func (s *Set) commitObjectMeta(ctx context.Context, bucket string, next fileMeta,
	moves func(pos int) []move, newDir string, errs []error) ([]error, error) {
	ctx = context.WithoutCancel(ctx)
	dir := objectDir(next.Key)
	// The meta file is staged at the top of the staging volume, not in a
	// folder of its own: a folder would cost a directory to create and
	// one to remove on every drive, on every write. After a commit the
	// file is gone and the Delete below finds nothing.
	staged := rand.Text() + "." + metaFile
	defer s.forEach(func(_ int, d Drive) error {
		return d.Delete(ctx, drive.StagingVolume, staged)
	})
	stageErrs := s.forEach(func(i int, d Drive) error {
		if errs[i] != nil {
			return nil
		}
		b, err := encodeMeta(next.forDrive(i), s.hashKey)
		if err != nil {
			return err
		}
		return d.WriteFile(ctx, drive.StagingVolume, staged, b)
	})
	for i, err := range errs {
		if err != nil {
			stageErrs[i] = err
		}
	}
	quorum := writeQuorum(next.Erasure.Data, next.Erasure.Parity)
	if ok := countOK(stageErrs); ok < quorum {
		op := fmt.Sprintf("staging metadata of %s/%s", bucket, next.Key)
		return stageErrs, quorumError(ErrWriteQuorum, op, ok, quorum, stageErrs)
	}
	job := &commitJob{s: s, ctx: ctx, bucket: bucket, what: bucket + "/" + next.Key,
		metaPath: metaPath(dir), stagedMeta: staged, newDir: newDir, ownerDir: dir,
		moves: moves, errs: stageErrs, quorum: quorum, retire: true,
		dropDirs: func(old *fileMeta) []string { return droppedDirs(dir, old, &next) },
		decode: func(b []byte, pos int) (*fileMeta, error) {
			return decodeMeta(b, s.hashKey, dir, pos)
		},
	}
	return job.errs, job.run()
}
