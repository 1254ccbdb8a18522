package pools

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

// PutBucketQuota stores the bucket's hard quota on every pool.
func (l *Layers) PutBucketQuota(ctx context.Context, bucket string, q object.Quota) error {
	return putDoc(ctx, l, bucket, func(c object.BucketQuotaStore) error {
		return c.PutBucketQuota(ctx, bucket, q)
	})
}

// BucketQuota returns the bucket's hard quota from the record pool.
func (l *Layers) BucketQuota(ctx context.Context, bucket string) (object.Quota, error) {
	return getDoc(l, func(c object.BucketQuotaStore) (object.Quota, error) {
		return c.BucketQuota(ctx, bucket)
	})
}

// copyQuota copies the bucket's quota when the pools' figures differ.
func copyQuota(ctx context.Context, from, to object.Layer, bucket string) error {
	return copyDoc(ctx, from, to, bucket, object.BucketQuotaStore.BucketQuota,
		object.BucketQuotaStore.PutBucketQuota, func(a, b object.Quota) bool { return a == b })
}
