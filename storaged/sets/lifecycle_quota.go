package sets

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

// A bucket's lifecycle configuration and quota live with its other
// documents on set 0 (see bucketdocs.go).

var (
	_ object.BucketLifecycleStore = (*Layers)(nil)
	_ object.BucketQuotaStore     = (*Layers)(nil)
)

// PutBucketLifecycle stores the bucket's lifecycle configuration, or
// removes it when doc is nil.
func (l *Layers) PutBucketLifecycle(ctx context.Context, bucket string, doc []byte) error {
	return putBucketDoc(ctx, l, bucket, func(s object.BucketLifecycleStore) error {
		return s.PutBucketLifecycle(ctx, bucket, doc)
	})
}

// BucketLifecycle returns the bucket's lifecycle configuration, nil when
// it has none.
func (l *Layers) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	s, err := capability[object.BucketLifecycleStore](l.sets[0])
	if err != nil {
		return nil, err
	}
	return s.BucketLifecycle(ctx, bucket)
}

// PutBucketQuota stores the bucket's hard quota, or removes it when q is
// zero.
func (l *Layers) PutBucketQuota(ctx context.Context, bucket string, q object.Quota) error {
	return putBucketDoc(ctx, l, bucket, func(s object.BucketQuotaStore) error {
		return s.PutBucketQuota(ctx, bucket, q)
	})
}

// BucketQuota returns the bucket's hard quota, the zero Quota when it has
// none.
func (l *Layers) BucketQuota(ctx context.Context, bucket string) (object.Quota, error) {
	s, err := capability[object.BucketQuotaStore](l.sets[0])
	if err != nil {
		return object.Quota{}, err
	}
	return s.BucketQuota(ctx, bucket)
}
