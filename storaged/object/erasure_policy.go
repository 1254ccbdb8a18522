package object

import (
	"context"
	"errors"

	"github.com/strata-storage/strata/storaged/erasure"
)

var _ BucketPolicyStore = (*ErasureLayer)(nil)

// bucketPolicyConfig names the bucket configuration record of its policy.
const bucketPolicyConfig = "policy.json"

// PutBucketPolicy stores the bucket's policy document, or removes it when
// doc is empty.
func (l *ErasureLayer) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	var data []byte
	if len(doc) > 0 {
		data = append([]byte(nil), doc...)
	}
	return mapErr(l.set.PutBucketConfig(ctx, bucket, bucketPolicyConfig, data))
}

// BucketPolicy returns the bucket's policy document, nil when it has none.
func (l *ErasureLayer) BucketPolicy(ctx context.Context, bucket string) ([]byte, error) {
	if err := checkBucketName(bucket); err != nil {
		return nil, err
	}
	data, err := l.set.BucketConfig(ctx, bucket, bucketPolicyConfig)
	if errors.Is(err, erasure.ErrConfigNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return data, nil
}
