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
		{"a negative quota is refused", l.PutBucketQuota(ctx, "bkt", -5), ErrInvalidQuota},
		{"a quota of a missing bucket is refused", l.PutBucketQuota(ctx, "nobkt", 5),
			ErrBucketNotFound},
		{"a lifecycle of a missing bucket is refused",
			l.PutBucketLifecycle(ctx, "nobkt", []byte("x")), ErrBucketNotFound},
		{"a quota is stored", l.PutBucketQuota(ctx, "bkt", 42), nil},
		{"a lifecycle is stored", l.PutBucketLifecycle(ctx, "bkt", []byte("doc")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) || (tt.want == nil) != (tt.err == nil) {
				t.Errorf("got %v, want %v", tt.err, tt.want)
			}
		})
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || q != 42 {
		t.Errorf("BucketQuota: got %d (%v), want 42", q, err)
	}
	if doc, err := l.BucketLifecycle(ctx, "bkt"); err != nil || string(doc) != "doc" {
		t.Errorf("BucketLifecycle: got %q (%v), want doc", doc, err)
	}
}
