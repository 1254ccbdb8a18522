package object

import (
	"context"
	"errors"

	"github.com/strata-storage/strata/storaged/erasure"
)

var _ BucketLifecycleStore = (*ErasureLayer)(nil)

// bucketLifecycleConfig names the bucket configuration record of its
// lifecycle rules.
const bucketLifecycleConfig = "lifecycle.xml"

// PutBucketLifecycle stores the bucket's lifecycle configuration, or
// removes it when doc is empty.
func (l *ErasureLayer) PutBucketLifecycle(ctx context.Context, bucket string, doc []byte) error {
	return l.putBucketDoc(ctx, bucket, bucketLifecycleConfig, doc)
}

// BucketLifecycle returns the bucket's lifecycle configuration, nil when
// it has none.
func (l *ErasureLayer) BucketLifecycle(ctx context.Context, bucket string) ([]byte, error) {
	return l.bucketDoc(ctx, bucket, bucketLifecycleConfig)
}

// putBucketDoc stores doc as the bucket's configuration record name, or
// removes the record when doc is empty.
func (l *ErasureLayer) putBucketDoc(ctx context.Context, bucket, name string, doc []byte) error {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	var data []byte
	if len(doc) > 0 {
		data = append([]byte(nil), doc...)
	}
	return mapErr(l.set.PutBucketConfig(ctx, bucket, name, data))
}

// bucketDoc returns the bucket's configuration record name, nil when it
// has none.
func (l *ErasureLayer) bucketDoc(ctx context.Context, bucket, name string) ([]byte, error) {
	if err := checkBucketName(bucket); err != nil {
		return nil, err
	}
	data, err := l.set.BucketConfig(ctx, bucket, name)
	if errors.Is(err, erasure.ErrConfigNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return data, nil
}
