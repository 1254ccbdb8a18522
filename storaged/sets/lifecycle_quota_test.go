package sets

import (
	"context"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

func TestLifecycleAndQuotaLiveOnTheFirstSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, sets := newLayers(t, 3)
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if err := l.PutBucketLifecycle(ctx, "bkt", []byte("<rules/>")); err != nil {
		t.Fatalf("PutBucketLifecycle: %v", err)
	}
	if err := l.PutBucketQuota(ctx, "bkt", object.Quota{Bytes: 1234, Objects: 5}); err != nil {
		t.Fatalf("PutBucketQuota: %v", err)
	}
	for i, layer := range append([]object.Layer{l}, sets...) {
		wantDoc, wantQuota := "", object.Quota{}
		if i <= 1 { // the Layers and set 0
			wantDoc, wantQuota = "<rules/>", object.Quota{Bytes: 1234, Objects: 5}
		}
		doc, err := layer.(object.BucketLifecycleStore).BucketLifecycle(ctx, "bkt")
		if err != nil || string(doc) != wantDoc {
			t.Errorf("layer %d lifecycle: got %q (%v), want %q", i, doc, err, wantDoc)
		}
		q, err := layer.(object.BucketQuotaStore).BucketQuota(ctx, "bkt")
		if err != nil || q != wantQuota {
			t.Errorf("layer %d quota: got %+v (%v), want %+v", i, q, err, wantQuota)
		}
	}
	if err := l.PutBucketQuota(ctx, "bkt", object.Quota{}); err != nil {
		t.Fatalf("removing the quota: %v", err)
	}
	if q, err := l.BucketQuota(ctx, "bkt"); err != nil || !q.IsZero() {
		t.Errorf("quota after removal: got %+v (%v), want none", q, err)
	}
	if err := l.PutBucketQuota(ctx, "bkt", object.Quota{Objects: -1}); err == nil {
		t.Errorf("PutBucketQuota(-1 objects): got no error, want ErrInvalidQuota")
	}
}
