package object

import (
	"context"
	"encoding/json"
	"fmt"
)

var _ BucketQuotaStore = (*ErasureLayer)(nil)

// bucketQuotaConfig names the bucket configuration record of its quota.
const bucketQuotaConfig = "quota.json"

// quotaRecord is the stored form of a bucket's quota.
type quotaRecord struct {
	HardBytes int64 `json:"hardBytes"`
}

// PutBucketQuota stores the bucket's hard quota, or removes it when
// hardBytes is 0.
func (l *ErasureLayer) PutBucketQuota(ctx context.Context, bucket string, hardBytes int64) error {
	if hardBytes < 0 {
		return fmt.Errorf("%w: %d bytes", ErrInvalidQuota, hardBytes)
	}
	var doc []byte
	if hardBytes > 0 {
		var err error
		if doc, err = json.Marshal(quotaRecord{HardBytes: hardBytes}); err != nil {
			return fmt.Errorf("object: encoding the quota of %s: %w", bucket, err)
		}
	}
	return l.putBucketDoc(ctx, bucket, bucketQuotaConfig, doc)
}

// BucketQuota returns the bucket's hard quota, 0 when it has none.
func (l *ErasureLayer) BucketQuota(ctx context.Context, bucket string) (int64, error) {
	doc, err := l.bucketDoc(ctx, bucket, bucketQuotaConfig)
	if err != nil || doc == nil {
		return 0, err
	}
	var rec quotaRecord
	if err := json.Unmarshal(doc, &rec); err != nil {
		return 0, fmt.Errorf("object: decoding the quota of %s: %w", bucket, err)
	}
	return rec.HardBytes, nil
}
