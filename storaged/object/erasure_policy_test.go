package object

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestBucketPolicyIsStoredReplacedAndRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	first, second := []byte(`{"Statement":[]}`), []byte(`{"Version":"2012-10-17"}`)

	if got, err := l.BucketPolicy(ctx, "bkt"); got != nil || err != nil {
		t.Fatalf("a new bucket: got %q, %v, want nil, nil", got, err)
	}
	for _, doc := range [][]byte{first, second} {
		if err := l.PutBucketPolicy(ctx, "bkt", doc); err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
		if got, err := l.BucketPolicy(ctx, "bkt"); !bytes.Equal(got, doc) || err != nil {
			t.Fatalf("after a put: got %q, %v, want %q", got, err, doc)
		}
	}
	for i := 0; i < 2; i++ {
		if err := l.PutBucketPolicy(ctx, "bkt", nil); err != nil {
			t.Fatalf("removing, time %d: got %v, want nil", i+1, err)
		}
	}
	if got, err := l.BucketPolicy(ctx, "bkt"); got != nil || err != nil {
		t.Fatalf("after removing: got %q, %v, want nil, nil", got, err)
	}
	if err := l.PutBucketPolicy(ctx, "missing", first); !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("a missing bucket: got %v, want ErrBucketNotFound", err)
	}
}
