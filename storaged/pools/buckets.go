package pools

import (
	"context"
	"errors"

	"github.com/strata-storage/strata/storaged/object"
)

// MakeBucket creates the bucket on every pool, the record pool last. A
// bucket already on the record pool is object.ErrBucketExists. When a
// pool fails, the bucket is removed again from the pools that made it.
func (l *Layers) MakeBucket(ctx context.Context, bucket string) error {
	if s := l.single(); s != nil {
		return s.MakeBucket(ctx, bucket)
	}
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	made := make([]bool, len(l.pools))
	errs := l.each(func(i int, p object.Layer) error {
		if i == l.record {
			return nil
		}
		err := p.MakeBucket(ctx, bucket)
		made[i] = err == nil
		if errors.Is(err, object.ErrBucketExists) {
			return nil
		}
		return err
	})
	err = errors.Join(errs...)
	if err == nil {
		err = l.recordLayer().MakeBucket(ctx, bucket)
		made[l.record] = err == nil
	}
	if err != nil && !errors.Is(err, object.ErrBucketExists) {
		ctx := context.WithoutCancel(ctx)
		l.undo(made, func(p object.Layer) error { return p.DeleteBucket(ctx, bucket) })
	}
	return err
}

// undo runs fn on the pools marked in done.
func (l *Layers) undo(done []bool, fn func(p object.Layer) error) {
	l.each(func(i int, p object.Layer) error {
		if !done[i] {
			return nil
		}
		return fn(p)
	})
}

// HeadBucket returns the bucket's info from the record pool.
func (l *Layers) HeadBucket(ctx context.Context, bucket string) (object.BucketInfo, error) {
	return l.recordLayer().HeadBucket(ctx, bucket)
}

// ListBuckets returns the buckets of the record pool.
func (l *Layers) ListBuckets(ctx context.Context) ([]object.BucketInfo, error) {
	return l.recordLayer().ListBuckets(ctx)
}

// DeleteBucket removes an empty bucket from every pool, the record pool
// last. When a pool refuses (the bucket holds objects there), the pools
// that removed it get it back, with its documents.
func (l *Layers) DeleteBucket(ctx context.Context, bucket string) error {
	if s := l.single(); s != nil {
		return s.DeleteBucket(ctx, bucket)
	}
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := l.recordLayer().HeadBucket(ctx, bucket); err != nil {
		return err
	}
	deleted := make([]bool, len(l.pools))
	errs := l.each(func(i int, p object.Layer) error {
		if i == l.record {
			return nil
		}
		err := p.DeleteBucket(ctx, bucket)
		deleted[i] = err == nil
		if errors.Is(err, object.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	err = firstError(errs)
	if err == nil {
		err = l.recordLayer().DeleteBucket(ctx, bucket)
	}
	if err != nil {
		ctx := context.WithoutCancel(ctx)
		for i, d := range deleted {
			if d {
				_ = l.syncBucket(ctx, bucket, i)
			}
		}
	}
	return err
}

// firstError returns the first error of errs, preferring a non-empty
// bucket, which tells the client what to do.
func firstError(errs []error) error {
	for _, err := range errs {
		if errors.Is(err, object.ErrBucketNotEmpty) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Sync puts every bucket that a pool holds on every other pool, with the
// documents of the record pool (or of the first pool that has the
// bucket), for a pool added to a running tenant. It is idempotent and
// returns the errors of every bucket joined.
func (l *Layers) Sync(ctx context.Context) error {
	if len(l.pools) == 1 {
		return nil
	}
	names := map[string]bool{}
	var order []string
	for _, p := range l.pools {
		list, err := p.Layer.ListBuckets(ctx)
		if err != nil {
			return err
		}
		for _, b := range list {
			if !names[b.Name] {
				names[b.Name] = true
				order = append(order, b.Name)
			}
		}
	}
	var errs []error
	for _, bucket := range order {
		unlock, err := l.lockBucket(ctx, bucket)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		for i := range l.pools {
			if err := l.syncBucket(ctx, bucket, i); err != nil {
				errs = append(errs, err)
			}
		}
		unlock()
	}
	return errors.Join(errs...)
}

// syncBucketTo gives pool to the bucket and its documents, holding the
// bucket, and reports whether pool to has the bucket afterwards. A
// change of a key calls it while holding the key: a change of a bucket
// never takes a key's lock, so the two cannot wait on each other.
func (l *Layers) syncBucketTo(ctx context.Context, bucket string, to int) bool {
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return false
	}
	defer unlock()
	return l.syncBucket(ctx, bucket, to) == nil
}

// syncBucket makes the bucket on pool to and copies the documents there
// from the pool that is the bucket's source. The caller holds the
// bucket.
func (l *Layers) syncBucket(ctx context.Context, bucket string, to int) error {
	from := l.bucketSource(ctx, bucket)
	switch {
	case from < 0:
		return object.ErrBucketNotFound
	case from == to:
		return nil
	}
	err := l.pools[to].Layer.MakeBucket(ctx, bucket)
	if err != nil && !errors.Is(err, object.ErrBucketExists) {
		return err
	}
	return copyDocs(ctx, l.pools[from].Layer, l.pools[to].Layer, bucket)
}

// bucketSource returns the record pool when it has the bucket, else the
// first pool that does, else -1.
func (l *Layers) bucketSource(ctx context.Context, bucket string) int {
	if _, err := l.recordLayer().HeadBucket(ctx, bucket); err == nil {
		return l.record
	}
	for i, p := range l.pools {
		if _, err := p.Layer.HeadBucket(ctx, bucket); err == nil {
			return i
		}
	}
	return -1
}
