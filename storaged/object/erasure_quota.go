package object

import (
	"context"
	"encoding/json"
	"fmt"
)

var _ BucketQuotaStore = (*ErasureLayer)(nil)

// bucketQuotaConfig names the bucket configuration record of its quota.
const bucketQuotaConfig = "quota.json"

// quotaRecord is the stored form of a bucket's quota. A record written
// before the object limit existed has no hardObjects and limits bytes only.
type quotaRecord struct {
	HardBytes   int64 `json:"hardBytes"`
	HardObjects int64 `json:"hardObjects,omitempty"`
}

// PutBucketQuota stores the bucket's hard quota, or removes it when q is
// zero.
func (l *ErasureLayer) PutBucketQuota(ctx context.Context, bucket string, q Quota) error {
	if q.Bytes < 0 || q.Objects < 0 {
		return fmt.Errorf("%w: %d bytes, %d objects", ErrInvalidQuota, q.Bytes, q.Objects)
	}
	var doc []byte
	if !q.IsZero() {
		var err error
		rec := quotaRecord{HardBytes: q.Bytes, HardObjects: q.Objects}
		if doc, err = json.Marshal(rec); err != nil {
			return fmt.Errorf("object: encoding the quota of %s: %w", bucket, err)
		}
	}
	return l.putBucketDoc(ctx, bucket, bucketQuotaConfig, doc)
}

// BucketQuota returns the bucket's hard quota, the zero Quota when it has
// none.
func (l *ErasureLayer) BucketQuota(ctx context.Context, bucket string) (Quota, error) {
	doc, err := l.bucketDoc(ctx, bucket, bucketQuotaConfig)
	if err != nil || doc == nil {
		return Quota{}, err
	}
	var rec quotaRecord
	if err := json.Unmarshal(doc, &rec); err != nil {
		return Quota{}, fmt.Errorf("object: decoding the quota of %s: %w", bucket, err)
	}
	return Quota{Bytes: rec.HardBytes, Objects: rec.HardObjects}, nil
}
