package erasure

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-storage/strata/storaged/drive"
)

// ErrUnhealable means HealObject found the object with less than a read
// quorum of good metadata or shards: it cannot be rebuilt, and nothing of
// it was changed. The error also wraps the reason (ErrReadQuorum, most
// often).
var ErrUnhealable = errors.New("erasure: object cannot be healed")

// HealState is what healing did on one drive.
type HealState string

// The states of a drive in a HealResult.
const (
	// HealOK means the drive held the object whole: nothing was written.
	HealOK HealState = "ok"
	// HealHealed means the drive got back a missing, stale or corrupt
	// shard file or meta file, or lost the leftovers of a deleted
	// version or key.
	HealHealed HealState = "healed"
	// HealFailed means the drive could not be checked or written; Err
	// says why.
	HealFailed HealState = "failed"
)

// DriveHealResult is what healing did on one drive.
type DriveHealResult struct {
	// Drive names the drive as its String method does.
	Drive string
	State HealState
	Err   error
}

// HealResult says what HealObject did, drive by drive.
type HealResult struct {
	Bucket string
	Key    string
	// Versions is how many versions of the key a quorum holds, delete
	// markers included.
	Versions int
	// Drives is by drive position in the set.
	Drives []DriveHealResult
	// BytesHealed counts the shard bytes written, hashes included.
	BytesHealed int64
	// Removed is true when a quorum of drives holds no version of the key
	// and the leftovers on other drives were removed.
	Removed bool
}

// Healed reports whether any drive was healed.
func (r HealResult) Healed() bool { return r.count(HealHealed) > 0 }

// Failed reports whether any drive failed.
func (r HealResult) Failed() bool { return r.count(HealFailed) > 0 }

// count returns how many drives are in state st.
func (r HealResult) count(st HealState) int {
	n := 0
	for _, d := range r.Drives {
		if d.State == st {
			n++
		}
	}
	return n
}

// DriveErr returns the error of drive pos, or nil when it did not fail.
func (r HealResult) DriveErr(pos int) error {
	if pos < 0 || pos >= len(r.Drives) || r.Drives[pos].State != HealFailed {
		return nil
	}
	return r.Drives[pos].Err
}

// HealObject checks every version of bucket/key on every drive, the meta
// file and every block of every shard file (each part's of a multipart
// version), and rebuilds from a read quorum what is missing, stale (a drive
// that missed a change) or corrupt. A rebuilt shard file is written to a
// temporary file, synced and renamed into place, then the meta file, as a
// write does; data directories of versions that the quorum no longer holds
// are removed, and so is the whole key from drives that still hold it when
// a quorum says it is deleted. It runs under the key's lock.
//
// An object with less than a read quorum of metadata, or of good shards
// for any block of any version, is not touched: the error wraps
// ErrUnhealable. The result says per drive what was done either way.
func (s *Set) HealObject(ctx context.Context, bucket, key string) (HealResult, error) {
	unlock := s.lockObject(bucket, key)
	defer unlock()
	return s.healLocked(ctx, bucket, key)
}

// healLocked is HealObject for a caller that holds the key's lock.
func (s *Set) healLocked(ctx context.Context, bucket, key string) (HealResult, error) {
	res := s.newHealResult(bucket, key)
	dir := objectDir(key)
	metas, errs := s.readMetas(ctx, bucket, dir)
	cur, bad, err := s.pickMeta(metas, errs)
	switch {
	case errors.Is(err, ErrObjectNotFound):
		s.healAbsent(ctx, bucket, dir, errs, &res)
		return res, nil
	case err != nil:
		res.markUnreachable(errs)
		return res, fmt.Errorf("%w: %s/%s: %w", ErrUnhealable, bucket, key, err)
	}
	res.Versions = len(cur.versions())
	plan, err := s.planHeal(ctx, bucket, dir, cur, bad, errs)
	res.markUnreachable(plan.unreachable)
	if err != nil {
		return res, fmt.Errorf("%w: %s/%s: %w", ErrUnhealable, bucket, key, err)
	}
	s.applyHeal(ctx, bucket, dir, cur, plan, &res)
	return res, nil
}

// newHealResult returns a result with every drive OK.
func (s *Set) newHealResult(bucket, key string) HealResult {
	res := HealResult{Bucket: bucket, Key: key, Drives: make([]DriveHealResult, len(s.drives))}
	for i, d := range s.drives {
		res.Drives[i] = DriveHealResult{Drive: d.String(), State: HealOK}
	}
	return res
}

// markUnreachable marks failed the drives whose error is not nil.
func (r *HealResult) markUnreachable(errs []error) {
	for i, err := range errs {
		if err != nil {
			r.fail(i, err)
		}
	}
}

// fail marks drive pos failed with err.
func (r *HealResult) fail(pos int, err error) {
	r.Drives[pos].State, r.Drives[pos].Err = HealFailed, err
}

// healed marks drive pos healed unless it failed.
func (r *HealResult) healed(pos int) {
	if r.Drives[pos].State != HealFailed {
		r.Drives[pos].State = HealHealed
	}
}

// reachable reports whether a meta read error still lets healing write to
// the drive: the file or the bucket is missing, or the meta is corrupt.
func reachable(err error) bool {
	return err == nil || errors.Is(err, drive.ErrFileNotFound) ||
		errors.Is(err, drive.ErrVolumeNotFound) || errors.Is(err, errCorruptMeta)
}

// healAbsent removes the key from the drives that still hold a meta file
// of it while a quorum says it does not exist: a drive that was down
// while the key was deleted.
func (s *Set) healAbsent(ctx context.Context, bucket, dir string, errs []error, res *HealResult) {
	res.Removed = true
	holds := func(i int) bool { return errs[i] == nil || errors.Is(errs[i], errCorruptMeta) }
	delErrs := s.forEach(func(i int, d Drive) error {
		if !holds(i) {
			return nil
		}
		return d.Delete(ctx, bucket, dir)
	})
	for i := range s.drives {
		switch {
		case delErrs[i] != nil:
			res.fail(i, delErrs[i])
		case holds(i):
			res.healed(i)
		case !reachable(errs[i]):
			res.fail(i, errs[i])
		}
	}
}
