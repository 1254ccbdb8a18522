package object

import (
	"context"
	"errors"

	"github.com/strata-storage/strata/storaged/erasure"
)

var _ BucketCORSStore = (*ErasureLayer)(nil)

// bucketCORSConfig names the bucket configuration record of its CORS rules.
const bucketCORSConfig = "cors.xml"

// PutBucketCORS stores the bucket's CORS configuration, or removes it when
// doc is empty.
func (l *ErasureLayer) PutBucketCORS(ctx context.Context, bucket string, doc []byte) error {
	if _, err := l.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	var data []byte
	if len(doc) > 0 {
		data = append([]byte(nil), doc...)
	}
	return mapErr(l.set.PutBucketConfig(ctx, bucket, bucketCORSConfig, data))
}

// BucketCORS returns the bucket's CORS configuration, nil when it has none.
func (l *ErasureLayer) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	if err := checkBucketName(bucket); err != nil {
		return nil, err
	}
	data, err := l.set.BucketConfig(ctx, bucket, bucketCORSConfig)
	if errors.Is(err, erasure.ErrConfigNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return data, nil
}
