package object

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestBucketCORS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	doc := []byte("<CORSConfiguration/>")

	if got, err := l.BucketCORS(ctx, "bkt"); got != nil || err != nil {
		t.Fatalf("a new bucket: got %q, %v, want nil, nil", got, err)
	}
	if err := l.PutBucketCORS(ctx, "bkt", doc); err != nil {
		t.Fatalf("PutBucketCORS: %v", err)
	}
	if got, err := l.BucketCORS(ctx, "bkt"); !bytes.Equal(got, doc) || err != nil {
		t.Fatalf("after a put: got %q, %v, want %q", got, err, doc)
	}
	if err := l.PutBucketCORS(ctx, "bkt", nil); err != nil {
		t.Fatalf("removing: %v", err)
	}
	if got, err := l.BucketCORS(ctx, "bkt"); got != nil || err != nil {
		t.Fatalf("after removing: got %q, %v, want nil, nil", got, err)
	}
	if err := l.PutBucketCORS(ctx, "missing", doc); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("a missing bucket: got %v, want ErrBucketNotFound", err)
	}
}
