package pools

import (
	"bytes"
	"context"
	"errors"
	"maps"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's documents are written to every pool, the record pool last,
// under the bucket's lock, and read from the record pool: a pool added
// later gets them from Sync, and the record pool after a decommission
// already holds them.

// putDoc runs put on capability C of every pool, the record pool last.
// A pool that lacks the bucket (added since) is given it first.
func putDoc[C any](ctx context.Context, l *Layers, bucket string, put func(C) error) error {
	if s := l.single(); s != nil {
		c, err := capability[C](s)
		if err != nil {
			return err
		}
		return put(c)
	}
	unlock, err := l.lockBucket(ctx, bucket)
	if err != nil {
		return err
	}
	defer unlock()
	errs := l.each(func(i int, p object.Layer) error {
		if i == l.record {
			return nil
		}
		c, err := capability[C](p)
		if err != nil {
			return err
		}
		err = put(c)
		if errors.Is(err, object.ErrBucketNotFound) && l.syncBucket(ctx, bucket, i) == nil {
			err = put(c)
		}
		return err
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c, err := capability[C](l.recordLayer())
	if err != nil {
		return err
	}
	return put(c)
}

// getDoc runs get on capability C of the record pool.
func getDoc[C, V any](l *Layers, get func(C) (V, error)) (V, error) {
	c, err := capability[C](l.recordLayer())
	if err != nil {
		var zero V
		return zero, err
	}
	return get(c)
}

// PutBucketTags stores the bucket's tags on every pool.
func (l *Layers) PutBucketTags(ctx context.Context, bucket string, tags map[string]string) error {
	return putDoc(ctx, l, bucket, func(c object.BucketTagger) error {
		return c.PutBucketTags(ctx, bucket, tags)
	})
}

// BucketTags returns the bucket's tags from the record pool.
func (l *Layers) BucketTags(ctx context.Context, bucket string) (map[string]string, error) {
	return getDoc(l, func(c object.BucketTagger) (map[string]string, error) {
		return c.BucketTags(ctx, bucket)
	})
}

// PutBucketPolicy stores the bucket's policy on every pool.
func (l *Layers) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	return putDoc(ctx, l, bucket, func(c object.BucketPolicyStore) error {
		return c.PutBucketPolicy(ctx, bucket, doc)
	})
}

// BucketPolicy returns the bucket's policy from the record pool.
func (l *Layers) BucketPolicy(ctx context.Context, bucket string) ([]byte, error) {
	return getDoc(l, func(c object.BucketPolicyStore) ([]byte, error) {
		return c.BucketPolicy(ctx, bucket)
	})
}

// PutBucketCORS stores the bucket's CORS configuration on every pool.
func (l *Layers) PutBucketCORS(ctx context.Context, bucket string, doc []byte) error {
	return putDoc(ctx, l, bucket, func(c object.BucketCORSStore) error {
		return c.PutBucketCORS(ctx, bucket, doc)
	})
}

// BucketCORS returns the bucket's CORS configuration from the record
// pool.
func (l *Layers) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	return getDoc(l, func(c object.BucketCORSStore) ([]byte, error) {
		return c.BucketCORS(ctx, bucket)
	})
}

// PutBucketLifecycle stores the bucket's lifecycle configuration on every
// pool.
func (l *Layers) PutBucketLifecycle(ctx context.Context, bucket string, doc []byte) error {
	return putDoc(ctx, l, bucket, func(c object.BucketLifecycleStore) error {
		return c.PutBucketLifecycle(ctx, bucket, doc)
	})
}

// BucketLifecycle returns the bucket's lifecycle configuration from the
// record pool.
func (l *Layers) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	return getDoc(l, func(c object.BucketLifecycleStore) ([]byte, error) {
		return c.BucketLifecycle(ctx, bucket)
	})
}

// PutBucketObjectLock stores the bucket's Object Lock configuration on
// every pool.
func (l *Layers) PutBucketObjectLock(ctx context.Context, bucket string,
	cfg object.BucketLockConfig) error {
	return putDoc(ctx, l, bucket, func(c object.ObjectLocker) error {
		return c.PutBucketObjectLock(ctx, bucket, cfg)
	})
}

// BucketObjectLock returns the bucket's Object Lock configuration from
// the record pool.
func (l *Layers) BucketObjectLock(ctx context.Context,
	bucket string) (object.BucketLockConfig, error) {
	return getDoc(l, func(c object.ObjectLocker) (object.BucketLockConfig, error) {
		return c.BucketObjectLock(ctx, bucket)
	})
}

// PutBucketVersioning sets the bucket's versioning state on every pool,
// since each pool's layer reads it on every write.
func (l *Layers) PutBucketVersioning(ctx context.Context, bucket, state string) error {
	return putDoc(ctx, l, bucket, func(c object.Versioned) error {
		return c.PutBucketVersioning(ctx, bucket, state)
	})
}

// BucketVersioning returns the bucket's versioning state from the record
// pool.
func (l *Layers) BucketVersioning(ctx context.Context, bucket string) (string, error) {
	return getDoc(l, func(c object.Versioned) (string, error) {
		return c.BucketVersioning(ctx, bucket)
	})
}

// copyDocs copies every document of the bucket that differs from pool
// from to pool to. A document that pool from cannot hold is skipped.
func copyDocs(ctx context.Context, from, to object.Layer, bucket string) error {
	return errors.Join(
		copyDoc(ctx, from, to, bucket, object.Versioned.BucketVersioning,
			func(c object.Versioned, ctx context.Context, b, s string) error {
				if s == "" {
					return nil // a bucket never returns to no versioning
				}
				return c.PutBucketVersioning(ctx, b, s)
			}, func(a, b string) bool { return a == b }),
		copyDoc(ctx, from, to, bucket, object.BucketTagger.BucketTags,
			object.BucketTagger.PutBucketTags, maps.Equal[map[string]string]),
		copyDoc(ctx, from, to, bucket, object.BucketPolicyStore.BucketPolicy,
			object.BucketPolicyStore.PutBucketPolicy, bytes.Equal),
		copyDoc(ctx, from, to, bucket, object.BucketCORSStore.BucketCORS,
			object.BucketCORSStore.PutBucketCORS, bytes.Equal),
		copyDoc(ctx, from, to, bucket, object.BucketLifecycleStore.BucketLifecycle,
			object.BucketLifecycleStore.PutBucketLifecycle, bytes.Equal),
		copyDoc(ctx, from, to, bucket, object.ObjectLocker.BucketObjectLock,
			object.ObjectLocker.PutBucketObjectLock,
			func(a, b object.BucketLockConfig) bool { return a == b }),
		copyQuota(ctx, from, to, bucket),
	)
}

// copyDoc copies one document of capability C when the pools' copies
// differ.
func copyDoc[C, V any](ctx context.Context, from, to object.Layer, bucket string,
	get func(C, context.Context, string) (V, error),
	put func(C, context.Context, string, V) error, equal func(a, b V) bool) error {
	src, ok := from.(C)
	if !ok {
		return nil
	}
	dst, err := capability[C](to)
	if err != nil {
		return err
	}
	want, err := get(src, ctx, bucket)
	if err != nil {
		return err
	}
	have, err := get(dst, ctx, bucket)
	if err == nil && equal(want, have) {
		return nil
	}
	return put(dst, ctx, bucket, want)
}
