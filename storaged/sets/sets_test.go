package sets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// newSet returns an object layer over a fresh erasure set of two drives.
func newSet(t *testing.T) *object.ErasureLayer {
	t.Helper()
	dir := t.TempDir()
	drives, err := erasure.OpenLocalDrives(
		"",
		[]string{filepath.Join(dir, "a"), filepath.Join(dir, "b")},
	)
	if err != nil {
		t.Fatal(err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 1})
	if err != nil {
		t.Fatal(err)
	}
	return object.NewErasureLayer(set)
}

// newLayers returns Layers over n fresh sets and the sets themselves.
func newLayers(t *testing.T, n int) (*Layers, []object.Layer) {
	t.Helper()
	sets := make([]object.Layer, n)
	for i := range sets {
		sets[i] = newSet(t)
	}
	l, err := New(Config{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	return l, sets
}

func put(t *testing.T, l object.Layer, bucket, key, body string) {
	t.Helper()
	_, err := l.PutObject(context.Background(), bucket, key, bytes.NewReader([]byte(body)),
		int64(len(body)), object.PutOptions{})
	if err != nil {
		t.Fatalf("putting %s: %v", key, err)
	}
}

func TestIndexIsStableAndSpreads(t *testing.T) {
	t.Parallel()
	// The values are part of the on-disk format: they must never change.
	// They were checked against SHA-256 computed outside Go.
	golden := []struct {
		bucket, key string
		n, want     int
	}{
		{"b", "k", 4, 1},
		{"photos", "2024/01/a.jpg", 16, 1},
		{"logs", "x", 3, 0},
		{"photos", "2024/01/a.jpg", 1, 0},
	}
	for _, g := range golden {
		if got := Index(g.bucket, g.key, g.n); got != g.want {
			t.Errorf("Index(%q, %q, %d) = %d, want %d", g.bucket, g.key, g.n, got, g.want)
		}
	}
	counts := make([]int, 4)
	for i := range 4000 {
		counts[Index("bucket", fmt.Sprintf("key-%d", i), 4)]++
	}
	for i, c := range counts {
		if c < 800 || c > 1200 {
			t.Errorf("set %d got %d of 4000 keys, want about 1000", i, c)
		}
	}
}

func TestObjectsLiveOnTheSetIndexPicks(t *testing.T) {
	t.Parallel()
	l, sets := newLayers(t, 3)
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		key := fmt.Sprintf("obj-%02d", i)
		put(t, l, "bkt", key, key)
		for s, set := range sets {
			_, err := set.HeadObject(ctx, "bkt", key)
			if want := s == Index("bkt", key, 3); (err == nil) != want {
				t.Errorf("%s on set %d: got %v, want present=%v", key, s, err, want)
			}
		}
		_, rc, err := l.GetObject(ctx, "bkt", key, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != key {
			t.Errorf("got %q, want %q", got, key)
		}
	}
}

// TestListingMatchesOneSet lists the same keys from three sets and from
// one, page by page, and demands identical pages.
func TestListingMatchesOneSet(t *testing.T) {
	t.Parallel()
	l, _ := newLayers(t, 3)
	ref := newSet(t)
	ctx := context.Background()
	for _, layer := range []object.Layer{l, ref} {
		if err := layer.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		key := fmt.Sprintf("%c/%d/file-%02d", 'a'+i%4, i%3, i)
		if i%5 == 0 {
			key = fmt.Sprintf("top-%02d", i)
		}
		put(t, l, "bkt", key, "x")
		put(t, ref, "bkt", key, "x")
	}
	for _, opts := range []object.ListOptions{
		{MaxKeys: 1}, {MaxKeys: 7}, {MaxKeys: 1000},
		{MaxKeys: 2, Delimiter: "/"}, {MaxKeys: 3, Prefix: "b/", Delimiter: "/"},
		{MaxKeys: 4, Prefix: "c/"}, {Delimiter: "/"},
	} {
		t.Run(fmt.Sprintf("pages of %+v are the same", opts), func(t *testing.T) {
			for page := 0; ; page++ {
				got, err := l.ListObjects(ctx, "bkt", opts)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := ref.ListObjects(ctx, "bkt", opts)
				if !samePage(got, want) {
					t.Fatalf("page %d: got %s, want %s", page, describe(got), describe(want))
				}
				if !got.IsTruncated {
					return
				}
				opts.Marker = got.NextMarker
			}
		})
	}
}

// samePage compares pages by keys, prefixes and truncation.
func samePage(a, b object.ListResult) bool {
	return describe(a) == describe(b)
}

func describe(r object.ListResult) string {
	keys := make([]string, len(r.Objects))
	for i, o := range r.Objects {
		keys[i] = o.Key
	}
	return fmt.Sprintf("keys %q prefixes %q truncated %v next %q",
		keys, r.CommonPrefixes, r.IsTruncated, r.NextMarker)
}

func TestBucketsSpanEverySet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("a new bucket exists on every set", func(t *testing.T) {
		l, sets := newLayers(t, 3)
		if err := l.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		for i, s := range sets {
			if _, err := s.HeadBucket(ctx, "bkt"); err != nil {
				t.Errorf("set %d: got %v, want the bucket", i, err)
			}
		}
		if err := l.MakeBucket(ctx, "bkt"); !errors.Is(err, object.ErrBucketExists) {
			t.Errorf("a second MakeBucket: got %v, want ErrBucketExists", err)
		}
	})
	t.Run("a bucket left on some sets is completed by making it again", func(t *testing.T) {
		l, sets := newLayers(t, 3)
		if err := sets[1].MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		if err := l.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatalf("got %v, want the bucket completed", err)
		}
		for i, s := range sets {
			if _, err := s.HeadBucket(ctx, "bkt"); err != nil {
				t.Errorf("set %d: got %v, want the bucket", i, err)
			}
		}
	})
	t.Run("a bucket with an object on any set is not deleted", func(t *testing.T) {
		l, sets := newLayers(t, 3)
		if err := l.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		key := keyOnSet(t, "bkt", 2, 3)
		put(t, l, "bkt", key, "x")
		if err := l.DeleteBucket(ctx, "bkt"); !errors.Is(err, object.ErrBucketNotEmpty) {
			t.Fatalf("got %v, want ErrBucketNotEmpty", err)
		}
		for i, s := range sets {
			if _, err := s.HeadBucket(ctx, "bkt"); err != nil {
				t.Errorf("set %d lost the bucket: %v", i, err)
			}
		}
	})
	t.Run("an empty bucket is deleted from every set", func(t *testing.T) {
		l, sets := newLayers(t, 3)
		if err := l.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		if err := l.DeleteBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		for i, s := range sets {
			if _, err := s.HeadBucket(ctx, "bkt"); !errors.Is(err, object.ErrBucketNotFound) {
				t.Errorf("set %d: got %v, want ErrBucketNotFound", i, err)
			}
		}
		if _, err := l.ListObjects(ctx, "bkt", object.ListOptions{}); !errors.Is(
			err,
			object.ErrBucketNotFound,
		) {
			t.Errorf("listing: got %v, want ErrBucketNotFound", err)
		}
	})
	t.Run("a bad bucket name is refused and leaves nothing", func(t *testing.T) {
		l, _ := newLayers(t, 2)
		if err := l.MakeBucket(ctx, "Bad_Name"); !errors.Is(err, object.ErrInvalidBucketName) {
			t.Errorf("got %v, want ErrInvalidBucketName", err)
		}
		if got, err := l.ListBuckets(ctx); err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want no buckets", got, err)
		}
	})
}

// keyOnSet returns a key that Index places on set want of n.
func keyOnSet(t *testing.T, bucket string, want, n int) string {
	t.Helper()
	for i := range 1000 {
		if k := fmt.Sprintf("k%d", i); Index(bucket, k, n) == want {
			return k
		}
	}
	t.Fatal("no key found")
	return ""
}

func TestNewRefusesNoSets(t *testing.T) {
	t.Parallel()
	for _, sets := range [][]object.Layer{nil, {nil}} {
		if _, err := New(Config{Sets: sets}); err == nil {
			t.Errorf("New(%v): got no error, want one", sets)
		}
	}
}

// TestUploadListingMatchesOneSet starts uploads on three sets and on one
// and demands the same pages of ListMultipartUploads, apart from the IDs,
// which each set draws itself.
func TestUploadListingMatchesOneSet(t *testing.T) {
	t.Parallel()
	l, _ := newLayers(t, 3)
	ref := newSet(t)
	ctx := context.Background()
	for _, layer := range []object.Layer{l, ref} {
		if err := layer.MakeBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		key := fmt.Sprintf("%c/up-%02d", 'a'+i%3, i)
		for range 1 + i%2 { // some keys have two uploads
			for _, layer := range []object.Layer{l, ref} {
				m := layer.(object.Multipart)
				if _, err := m.NewMultipartUpload(ctx, "bkt", key,
					object.UploadOptions{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, opts := range []object.ListUploadsOptions{
		{MaxUploads: 1}, {MaxUploads: 4}, {MaxUploads: 2, Delimiter: "/"}, {Prefix: "b/"},
	} {
		t.Run(fmt.Sprintf("pages of %+v are the same", opts), func(t *testing.T) {
			refOpts := opts
			for page := 0; ; page++ {
				got, err := l.ListMultipartUploads(ctx, "bkt", opts)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := ref.ListMultipartUploads(ctx, "bkt", refOpts)
				if describeUploads(got) != describeUploads(want) {
					t.Fatalf(
						"page %d: got %s, want %s",
						page,
						describeUploads(got),
						describeUploads(want),
					)
				}
				if !got.IsTruncated {
					return
				}
				opts.KeyMarker, opts.UploadIDMarker = got.NextKeyMarker, got.NextUploadIDMarker
				refOpts.KeyMarker, refOpts.UploadIDMarker =
					want.NextKeyMarker, want.NextUploadIDMarker
			}
		})
	}
}

// describeUploads lists a page's keys, prefixes and truncation.
func describeUploads(r object.ListUploadsResult) string {
	keys := make([]string, len(r.Uploads))
	for i, u := range r.Uploads {
		keys[i] = u.Key
	}
	return fmt.Sprintf("keys %q prefixes %q truncated %v next key %q",
		keys, r.CommonPrefixes, r.IsTruncated, r.NextKeyMarker)
}
