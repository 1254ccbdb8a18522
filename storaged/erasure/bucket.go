package erasure

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// Errors of the bucket operations.
var (
	// ErrBucketNotFound means the bucket does not exist.
	ErrBucketNotFound = errors.New("erasure: bucket not found")
	// ErrBucketExists means MakeBucket found the bucket already there.
	ErrBucketExists = errors.New("erasure: bucket already exists")
	// ErrBucketNotEmpty means DeleteBucket found an object in the bucket.
	ErrBucketNotEmpty = errors.New("erasure: bucket not empty")
)

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// MakeBucket creates a bucket as a volume on every drive; it needs a write
// quorum, and when it misses it the volumes it made are removed again. A
// bucket already present on a read quorum of drives is ErrBucketExists.
func (s *Set) MakeBucket(ctx context.Context, bucket string) error {
	unlock := s.lockBucket(bucket)
	defer unlock()

	errs := s.forEach(func(_ int, d Drive) error {
		return d.MakeVolume(ctx, bucket)
	})
	made, existed := countOK(errs), countIs(errs, drive.ErrVolumeExists)
	switch {
	case existed >= s.ReadQuorum():
		s.undoMakeBucket(ctx, bucket, errs)
		return fmt.Errorf("erasure: creating bucket %s: %w", bucket, ErrBucketExists)
	case made+existed >= s.WriteQuorum():
		s.report(bucket, "", failures(errs))
		return nil
	}
	s.undoMakeBucket(ctx, bucket, errs)
	op := "creating bucket " + bucket
	return quorumError(ErrWriteQuorum, op, made+existed, s.WriteQuorum(), errs)
}

// undoMakeBucket removes the volumes that MakeBucket created.
func (s *Set) undoMakeBucket(ctx context.Context, bucket string, errs []error) {
	ctx = context.WithoutCancel(ctx)
	s.forEach(func(i int, d Drive) error {
		if errs[i] != nil {
			return nil
		}
		return d.DeleteVolume(ctx, bucket, false)
	})
}

// StatBucket returns the bucket's info when a read quorum of drives has it.
func (s *Set) StatBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	infos := make([]drive.VolumeInfo, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		var err error
		infos[i], err = d.StatVolume(ctx, bucket)
		return err
	})
	if countOK(errs) >= s.ReadQuorum() {
		return BucketInfo{Name: bucket, Created: earliest(infos, errs)}, nil
	}
	if s.absent(lacksBucket(errs)) {
		return BucketInfo{}, fmt.Errorf("erasure: bucket %s: %w", bucket, ErrBucketNotFound)
	}
	op := "reading bucket " + bucket
	return BucketInfo{}, quorumError(ErrReadQuorum, op, countOK(errs), s.ReadQuorum(), errs)
}

// earliest returns the oldest creation time among the drives that answered.
func earliest(infos []drive.VolumeInfo, errs []error) time.Time {
	var t time.Time
	for i, v := range infos {
		if errs[i] == nil && (t.IsZero() || v.Created.Before(t)) {
			t = v.Created
		}
	}
	return t
}

// ListBuckets returns the buckets that a read quorum of drives hold, in
// name order.
func (s *Set) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	lists := make([][]drive.VolumeInfo, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		var err error
		lists[i], err = d.ListVolumes(ctx)
		return err
	})
	if countOK(errs) < s.ReadQuorum() {
		return nil, quorumError(ErrReadQuorum, "listing buckets", countOK(errs),
			s.ReadQuorum(), errs)
	}

	seen := map[string]int{}
	created := map[string]time.Time{}
	for _, vols := range lists {
		for _, v := range vols {
			seen[v.Name]++
			if c, ok := created[v.Name]; !ok || v.Created.Before(c) {
				created[v.Name] = v.Created
			}
		}
	}
	var out []BucketInfo
	for name, n := range seen {
		if n >= s.ReadQuorum() {
			out = append(out, BucketInfo{Name: name, Created: created[name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteBucket removes an empty bucket from every drive. A bucket with any
// readable object is ErrBucketNotEmpty. Files on single drives that belong
// to no readable object (leftovers of failed writes) go with the bucket.
// When fewer than a write quorum of drives delete it, the bucket is made
// again on those that did, and the error wraps ErrWriteQuorum.
func (s *Set) DeleteBucket(ctx context.Context, bucket string) error {
	unlock := s.lockBucket(bucket)
	defer unlock()

	if _, err := s.StatBucket(ctx, bucket); err != nil {
		return err
	}
	found, err := s.hasObjects(ctx, bucket)
	if err != nil {
		return err
	}
	if found {
		return fmt.Errorf("erasure: deleting bucket %s: %w", bucket, ErrBucketNotEmpty)
	}

	errs := s.forEach(func(_ int, d Drive) error {
		return d.DeleteVolume(ctx, bucket, true)
	})
	gone := countOK(errs) + lacksBucket(errs)
	if gone >= s.WriteQuorum() {
		return nil
	}
	s.undoDeleteBucket(ctx, bucket, errs)
	op := "deleting bucket " + bucket
	return quorumError(ErrWriteQuorum, op, gone, s.WriteQuorum(), errs)
}

// undoDeleteBucket makes the bucket again on the drives that deleted it.
func (s *Set) undoDeleteBucket(ctx context.Context, bucket string, errs []error) {
	ctx = context.WithoutCancel(ctx)
	s.forEach(func(i int, d Drive) error {
		if errs[i] != nil {
			return nil
		}
		return d.MakeVolume(ctx, bucket)
	})
}
