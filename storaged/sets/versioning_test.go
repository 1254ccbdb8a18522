package sets

import (
	"context"
	"fmt"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// TestVersionsSpanSets enables versioning through Layers, writes two
// versions of keys spread over three sets, and demands that every set
// keeps versions and that the version listing matches one set's, page by
// page, by key.
func TestVersionsSpanSets(t *testing.T) {
	t.Parallel()
	l, sets := newLayers(t, 3)
	ref := newSet(t)
	ctx := context.Background()
	for _, layer := range []object.Layer{l, ref} {
		if err := layer.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		if err := layer.(object.Versioned).PutBucketVersioning(ctx, "bkt",
			object.VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range sets {
		got, err := s.(object.Versioned).BucketVersioning(ctx, "bkt")
		if err != nil || got != object.VersioningEnabled {
			t.Errorf("set %d: got %q, %v; want versioning enabled on every set", i, got, err)
		}
	}
	for i := range 12 {
		key := fmt.Sprintf("%c/v-%02d", 'a'+i%2, i)
		for range 2 {
			put(t, l, "bkt", key, key)
			put(t, ref, "bkt", key, key)
		}
	}
	for _, opts := range []object.ListVersionsOptions{
		{MaxKeys: 3}, {MaxKeys: 2, Delimiter: "/"}, {},
	} {
		t.Run(fmt.Sprintf("pages of %+v are the same", opts), func(t *testing.T) {
			refOpts := opts
			for page := 0; ; page++ {
				got, err := l.ListObjectVersions(ctx, "bkt", opts)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := ref.ListObjectVersions(ctx, "bkt", refOpts)
				if describeVersions(got) != describeVersions(want) {
					t.Fatalf("page %d: got %s, want %s", page, describeVersions(got),
						describeVersions(want))
				}
				if !got.IsTruncated {
					return
				}
				opts.KeyMarker, opts.VersionIDMarker = got.NextKeyMarker, got.NextVersionIDMarker
				refOpts.KeyMarker, refOpts.VersionIDMarker =
					want.NextKeyMarker, want.NextVersionIDMarker
			}
		})
	}
}

// describeVersions lists a page's keys, prefixes and truncation.
func describeVersions(r object.ListVersionsResult) string {
	keys := make([]string, len(r.Versions))
	for i, v := range r.Versions {
		keys[i] = v.Key
	}
	return fmt.Sprintf("keys %q prefixes %q truncated %v next key %q",
		keys, r.CommonPrefixes, r.IsTruncated, r.NextKeyMarker)
}
