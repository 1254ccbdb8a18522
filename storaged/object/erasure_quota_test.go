package object

import (
	"context"
	"errors"
	"testing"
)

func TestBucketQuotaAndLifecycleRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"a negative byte limit is refused",
			l.PutBucketQuota(ctx, "bkt", Quota{Bytes: -5}), ErrInvalidQuota},
		{"a negative object limit is refused",
			l.PutBucketQuota(ctx, "bkt", Quota{Bytes: 5, Objects: -1}), ErrInvalidQuota},
		{"a quota of a missing bucket is refused",
			l.PutBucketQuota(ctx, "nobkt", Quota{Bytes: 5}), ErrBucketNotFound},
		{"a lifecycle of a missing bucket is refused",
			l.PutBucketLifecycle(ctx, "nobkt", []byte("x")), ErrBucketNotFound},
		{"a quota is stored", l.PutBucketQuota(ctx, "bkt", Quota{Bytes: 42, Objects: 7}), nil},
		{"a lifecycle is stored", l.PutBucketLifecycle(ctx, "bkt", []byte("doc")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) || (tt.want == nil) != (tt.err == nil) {
				t.Errorf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || q != (Quota{Bytes: 42, Objects: 7}) {
		t.Errorf("BucketQuota: got %+v (%v), want 42 bytes and 7 objects", q, err)
	}
	if doc, err := l.BucketLifecycle(ctx, "bkt"); err != nil || string(doc) != "doc" {
		t.Errorf("BucketLifecycle: got %q (%v), want doc", doc, err)
	}
}

func TestBucketQuotaOfObjectsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	if err := l.PutBucketQuota(ctx, "bkt", Quota{Objects: 3}); err != nil {
		t.Fatalf("PutBucketQuota: %v", err)
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || q != (Quota{Objects: 3}) {
		t.Errorf("BucketQuota: got %+v (%v), want 3 objects and no byte limit", q, err)
	}
	if err := l.PutBucketQuota(ctx, "bkt", Quota{}); err != nil {
		t.Fatalf("removing the quota: %v", err)
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || !q.IsZero() {
		t.Errorf("BucketQuota after removal: got %+v (%v), want none", q, err)
	}
}

func TestBucketQuotaReadsARecordOfBytesOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	if err := l.putBucketDoc(ctx, "bkt", bucketQuotaConfig,
		[]byte(`{"hardBytes":99}`)); err != nil {
		t.Fatal(err)
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || q != (Quota{Bytes: 99}) {
		t.Errorf("BucketQuota: got %+v (%v), want 99 bytes and no object limit", q, err)
	}
}
