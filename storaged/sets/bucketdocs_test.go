package sets

import (
	"context"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

func TestBucketDocumentsLiveOnTheFirstSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs := []struct {
		name string
		put  func(l *Layers, doc []byte) error
		get  func(l object.Layer) ([]byte, error)
	}{
		{"policy",
			func(l *Layers, doc []byte) error { return l.PutBucketPolicy(ctx, "bkt", doc) },
			func(l object.Layer) ([]byte, error) {
				return l.(object.BucketPolicyStore).BucketPolicy(ctx, "bkt")
			}},
		{"CORS configuration",
			func(l *Layers, doc []byte) error { return l.PutBucketCORS(ctx, "bkt", doc) },
			func(l object.Layer) ([]byte, error) {
				return l.(object.BucketCORSStore).BucketCORS(ctx, "bkt")
			}},
	}
	for _, d := range docs {
		t.Run("a bucket's "+d.name+" is stored once and read back", func(t *testing.T) {
			t.Parallel()
			l, sets := newLayers(t, 3)
			if err := l.MakeBucket(ctx, "bkt"); err != nil {
				t.Fatal(err)
			}
			if err := d.put(l, []byte("document")); err != nil {
				t.Fatalf("put: %v", err)
			}
			for i, layer := range append([]object.Layer{l}, sets...) {
				got, err := d.get(layer)
				want := ""
				if i <= 1 { // the Layers and set 0
					want = "document"
				}
				if err != nil || string(got) != want {
					t.Errorf("layer %d: got %q (%v), want %q", i, got, err, want)
				}
			}
			if err := d.put(l, nil); err != nil {
				t.Fatalf("removing: %v", err)
			}
			if got, err := d.get(l); err != nil || got != nil {
				t.Errorf("after removal: got %q (%v), want nil", got, err)
			}
		})
	}
}
