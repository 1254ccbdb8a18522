package object

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestKeyVersionsMatchTheBucketListing checks that reading one key's
// versions gives what a version listing of the bucket gives for that key
// alone, delete markers and a key that is another's prefix included.
func TestKeyVersionsMatchTheBucketListing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a", "ab", "a", "b", "a"} {
		if _, err := l.PutObject(ctx, "bkt", key, strings.NewReader(key), int64(len(key)),
			PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.DeleteObject(ctx, "bkt", "b"); err != nil {
		t.Fatal(err)
	}
	all, err := l.ListObjectVersions(ctx, "bkt", ListVersionsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int{"a": 3, "ab": 1, "b": 2, "c": 0} {
		got, err := l.KeyVersions(ctx, "bkt", key)
		if err != nil {
			t.Fatalf("KeyVersions(%s): %v", key, err)
		}
		var listed []ObjectInfo
		for _, v := range all.Versions {
			if v.Key == key {
				listed = append(listed, v)
			}
		}
		if len(got) != want || len(listed) != want {
			t.Fatalf("%s: %d versions read, %d listed, want %d", key, len(got), len(listed), want)
		}
		for i := range got {
			g, w := got[i], listed[i]
			if g.VersionID != w.VersionID || g.IsLatest != w.IsLatest ||
				g.DeleteMarker != w.DeleteMarker || g.ETag != w.ETag || !g.ModTime.Equal(w.ModTime) {
				t.Errorf("%s version %d: read %+v, listed %+v", key, i, g, w)
			}
		}
	}
	if _, err := l.KeyVersions(ctx, "missing", "a"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("a missing bucket: %v, want ErrBucketNotFound", err)
	}
}
