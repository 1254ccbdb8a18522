package erasure

import (
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// Retired data. A change that removes a version's data from a drive (an
// overwrite, a delete, the removal of a version) does not delete it at
// once: it moves it into the drive's staging volume, under
// retired/<minute>/<bucket>/, named as it was in the bucket. A read that
// opened the version before the change already holds its open shard files,
// which a removal does not disturb, but it may still have to open more of
// them: the next part of a multipart object, or a parity shard once a data
// shard fails its hash. When such an open finds nothing, the reader looks
// in the retired folders, so it returns the version it opened, whole.
//
// A retired folder is removed once its minute is older than the set's
// RetireFor, by the next change on that drive that retires something, and
// in any case when the drive is opened again, since opening empties the
// staging volume. Until then it holds disk space that no quota counts, so
// a drive with less than a tenth of its space free gets its retired data
// back at the next change (checked at most once a minute) and deletes at
// once what changes remove, as if nothing were retired. A read that runs
// longer than RetireFor after the change, or meets a drive short of space,
// can still fail as before.

// retiredDir is the folder of the staging volume that holds retired data.
const retiredDir = "retired"

// DefaultRetireFor is how long retired data is kept when Config.RetireFor
// is zero: longer than any GET a client should keep open.
const DefaultRetireFor = 15 * time.Minute

// retiredMinute names the retired folder of the minute of t.
func retiredMinute(t time.Time) string {
	return strconv.FormatInt(t.Unix()/60, 10)
}

// retire moves p, a data or object directory of bucket on the drive at pos,
// into the retired folder of the current minute. When it cannot be moved
// there whole (an object directory retired from the same path in the same
// minute is in the way), the directories in it, data directories whose
// names are their own, are retired one by one and the rest is deleted. A
// missing p is no error, as for Delete.
func (s *Set) retire(ctx context.Context, pos int, d Drive, bucket, p string) error {
	now := s.now()
	s.retireMu.Lock()
	short := s.shortOfSpace[pos]
	s.retireMu.Unlock()
	if short {
		defer s.purgeRetired(ctx, pos, d, now)
		return d.Delete(ctx, bucket, p)
	}
	err := d.Rename(ctx, bucket, p, drive.StagingVolume,
		path.Join(retiredDir, retiredMinute(now), bucket, p))
	switch {
	case errors.Is(err, drive.ErrFileNotFound):
		return nil
	case err != nil:
		if names, err := d.List(ctx, bucket, p); err == nil {
			for _, name := range names {
				if dir, ok := strings.CutSuffix(name, "/"); ok {
					_ = s.retire(ctx, pos, d, bucket, path.Join(p, dir))
				}
			}
		}
		if err := d.Delete(ctx, bucket, p); err != nil {
			return err
		}
	}
	s.purgeRetired(ctx, pos, d, now)
	return nil
}

// purgeRetired removes, at most once a minute per drive, the retired
// folders of drive pos that are older than RetireFor, or all of them when
// the drive is short of space. It is best effort: what it leaves, opening
// the drive removes.
func (s *Set) purgeRetired(ctx context.Context, pos int, d Drive, now time.Time) {
	s.retireMu.Lock()
	if now.Sub(s.purgedAt[pos]) < time.Minute {
		s.retireMu.Unlock()
		return
	}
	s.purgedAt[pos] = now
	s.retireMu.Unlock()

	info, err := d.DiskInfo(ctx)
	short := err == nil && info.Free < info.Total/10
	s.retireMu.Lock()
	s.shortOfSpace[pos] = short
	s.retireMu.Unlock()
	for _, m := range retiredMinutes(ctx, d) {
		end := time.Unix((m+1)*60, 0)
		if !short && now.Sub(end) < s.retireFor {
			break
		}
		_ = d.Delete(ctx, drive.StagingVolume, path.Join(retiredDir, strconv.FormatInt(m, 10)))
	}
}

// retiredMinutes returns the minutes of d's retired folders, oldest
// first; none when it has none or cannot list them.
func retiredMinutes(ctx context.Context, d Drive) []int64 {
	names, err := d.List(ctx, drive.StagingVolume, retiredDir)
	if err != nil {
		return nil
	}
	var minutes []int64
	for _, name := range names {
		m, err := strconv.ParseInt(strings.TrimSuffix(name, "/"), 10, 64)
		if err == nil {
			minutes = append(minutes, m)
		}
	}
	slices.Sort(minutes)
	return minutes
}

// openRetired opens a range of file, a shard file of bucket that a change
// retired after a read opened its version at opened, from the retired
// folders of d: those of opened's minute and later, the one before too
// for a clock a little behind, newest first. It returns notFound when no
// folder holds the file.
func (s *Set) openRetired(ctx context.Context, d Drive, bucket, file string, opened time.Time,
	offset, length int64, notFound error) (io.ReadCloser, error) {
	from := opened.Unix()/60 - 1
	minutes := retiredMinutes(ctx, d)
	for i := len(minutes) - 1; i >= 0 && minutes[i] >= from; i-- {
		p := path.Join(retiredDir, strconv.FormatInt(minutes[i], 10), bucket, file)
		rc, err := d.ReadRange(ctx, drive.StagingVolume, p, offset, length)
		if err == nil {
			return rc, nil
		}
	}
	return nil, notFound
}
