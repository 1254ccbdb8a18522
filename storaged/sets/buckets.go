package sets

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-storage/strata/storaged/object"
)

// MakeBucket creates the bucket on every set, set 0 last. A bucket already
// on set 0 is object.ErrBucketExists. When a set fails, the bucket is
// removed again from the sets that made it.
func (l *Layers) MakeBucket(ctx context.Context, bucket string) error {
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	made := make([]bool, len(l.sets))
	errs := l.each(1, func(i int, s object.Layer) error {
		err := s.MakeBucket(ctx, bucket)
		made[i] = err == nil
		if errors.Is(err, object.ErrBucketExists) {
			return nil
		}
		return err
	})
	err = errors.Join(errs...)
	if err == nil {
		err = l.sets[0].MakeBucket(ctx, bucket)
		made[0] = err == nil
	}
	if err != nil && !errors.Is(err, object.ErrBucketExists) {
		l.undoMake(ctx, bucket, made)
	}
	return err
}

// undoMake removes the bucket from the sets that made it.
func (l *Layers) undoMake(ctx context.Context, bucket string, made []bool) {
	ctx = context.WithoutCancel(ctx)
	l.each(0, func(i int, s object.Layer) error {
		if !made[i] {
			return nil
		}
		return s.DeleteBucket(ctx, bucket)
	})
}

// HeadBucket returns the bucket's info from set 0.
func (l *Layers) HeadBucket(ctx context.Context, bucket string) (object.BucketInfo, error) {
	return l.sets[0].HeadBucket(ctx, bucket)
}

// ListBuckets returns the buckets of set 0.
func (l *Layers) ListBuckets(ctx context.Context) ([]object.BucketInfo, error) {
	return l.sets[0].ListBuckets(ctx)
}

// DeleteBucket removes an empty bucket from every set, set 0 last. A
// bucket with an object on any set is object.ErrBucketNotEmpty and stays.
func (l *Layers) DeleteBucket(ctx context.Context, bucket string) error {
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := l.sets[0].HeadBucket(ctx, bucket); err != nil {
		return err
	}
	if err := l.checkEmpty(ctx, bucket); err != nil {
		return err
	}
	deleted := make([]bool, len(l.sets))
	errs := l.each(1, func(i int, s object.Layer) error {
		err := s.DeleteBucket(ctx, bucket)
		deleted[i] = err == nil
		if errors.Is(err, object.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	err = errors.Join(errs...)
	if err == nil {
		err = l.sets[0].DeleteBucket(ctx, bucket)
	}
	if err != nil {
		l.undoDelete(ctx, bucket, deleted)
	}
	return err
}

// checkEmpty returns object.ErrBucketNotEmpty when any set holds an object
// of the bucket.
func (l *Layers) checkEmpty(ctx context.Context, bucket string) error {
	errs := l.each(0, func(_ int, s object.Layer) error {
		res, err := s.ListObjects(ctx, bucket, object.ListOptions{MaxKeys: 1})
		switch {
		case errors.Is(err, object.ErrBucketNotFound):
			return nil
		case err != nil:
			return err
		case len(res.Objects) > 0:
			return fmt.Errorf("sets: deleting bucket %s: %w", bucket, object.ErrBucketNotEmpty)
		}
		return nil
	})
	return errors.Join(errs...)
}

// undoDelete makes the bucket again on the sets that deleted it.
func (l *Layers) undoDelete(ctx context.Context, bucket string, deleted []bool) {
	ctx = context.WithoutCancel(ctx)
	l.each(0, func(i int, s object.Layer) error {
		if !deleted[i] {
			return nil
		}
		return s.MakeBucket(ctx, bucket)
	})
}

// PutBucketTags stores the bucket's tags on set 0, the bucket's record.
func (l *Layers) PutBucketTags(ctx context.Context, bucket string, tags map[string]string) error {
	t, err := capability[object.BucketTagger](l.sets[0])
	if err != nil {
		return err
	}
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	return t.PutBucketTags(ctx, bucket, tags)
}

// BucketTags returns the bucket's tags from set 0.
func (l *Layers) BucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	t, err := capability[object.BucketTagger](l.sets[0])
	if err != nil {
		return nil, err
	}
	return t.BucketTags(ctx, bucket)
}
