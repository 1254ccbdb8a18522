package pools

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// counting is an erasure layer that counts the calls of the methods a
// pools layer would add calls of (heads, version reads, upload lookups,
// listings, versioning reads) beside the ones the test makes.
type counting struct {
	*object.ErasureLayer
	mu    sync.Mutex
	calls map[string]int
}

func (c *counting) count(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[name]++
}

func (c *counting) PutObject(ctx context.Context, b, k string, r io.Reader, n int64,
	o object.PutOptions) (object.ObjectInfo, error) {
	c.count("PutObject")
	return c.ErasureLayer.PutObject(ctx, b, k, r, n, o)
}

func (c *counting) GetObject(ctx context.Context, b, k string,
	r *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	c.count("GetObject")
	return c.ErasureLayer.GetObject(ctx, b, k, r)
}

func (c *counting) HeadObject(ctx context.Context, b, k string) (object.ObjectInfo, error) {
	c.count("HeadObject")
	return c.ErasureLayer.HeadObject(ctx, b, k)
}

func (c *counting) HeadObjectVersion(ctx context.Context, b, k,
	v string) (object.ObjectInfo, error) {
	c.count("HeadObjectVersion")
	return c.ErasureLayer.HeadObjectVersion(ctx, b, k, v)
}

func (c *counting) DeleteObject(ctx context.Context, b, k string) error {
	c.count("DeleteObject")
	return c.ErasureLayer.DeleteObject(ctx, b, k)
}

func (c *counting) ListObjects(ctx context.Context, b string,
	o object.ListOptions) (object.ListResult, error) {
	c.count("ListObjects")
	return c.ErasureLayer.ListObjects(ctx, b, o)
}

func (c *counting) ListObjectVersions(ctx context.Context, b string,
	o object.ListVersionsOptions) (object.ListVersionsResult, error) {
	c.count("ListObjectVersions")
	return c.ErasureLayer.ListObjectVersions(ctx, b, o)
}

func (c *counting) BucketVersioning(ctx context.Context, b string) (string, error) {
	c.count("BucketVersioning")
	return c.ErasureLayer.BucketVersioning(ctx, b)
}

func (c *counting) MultipartUpload(ctx context.Context, b, k,
	id string) (object.UploadInfo, error) {
	c.count("MultipartUpload")
	return c.ErasureLayer.MultipartUpload(ctx, b, k, id)
}

func (c *counting) PutObjectPart(ctx context.Context, b, k, id string, n int, r io.Reader,
	size int64, o object.PartOptions) (object.PartInfo, error) {
	c.count("PutObjectPart")
	return c.ErasureLayer.PutObjectPart(ctx, b, k, id, n, r, size, o)
}

func TestOnePoolPassesEveryCallStraightThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &counting{ErasureLayer: newErasure(t), calls: map[string]int{}}
	l := newPools(t, []object.Layer{c})
	mkBucket(t, l, "bkt", false)
	steps := []struct {
		name string
		run  func() error
	}{
		{"PutObject", func() error { put(t, l, "bkt", "k", "v"); return nil }},
		{"GetObject", func() error { _, err := read(t, l, "bkt", "k"); return err }},
		{"HeadObject", func() error { _, err := l.HeadObject(ctx, "bkt", "k"); return err }},
		{"ListObjects", func() error {
			_, err := l.ListObjects(ctx, "bkt", object.ListOptions{})
			return err
		}},
		{"ListObjectVersions", func() error {
			_, err := l.ListObjectVersions(ctx, "bkt", object.ListVersionsOptions{})
			return err
		}},
		{"HeadObjectVersion", func() error {
			_, err := l.HeadObjectVersion(ctx, "bkt", "k", object.NullVersion)
			return err
		}},
		{"PutObjectPart", func() error {
			up, err := l.NewMultipartUpload(ctx, "bkt", "m", object.UploadOptions{})
			if err != nil {
				return err
			}
			_, err = l.PutObjectPart(ctx, "bkt", "m", up.UploadID, 1, strings.NewReader("p"), 1,
				object.PartOptions{})
			return err
		}},
		{"DeleteObject", func() error { return l.DeleteObject(ctx, "bkt", "k") }},
	}
	for _, s := range steps {
		clear(c.calls)
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := map[string]int{s.name: 1}
		if len(c.calls) != 1 || c.calls[s.name] != 1 {
			t.Errorf("%s made calls %v, want %v", s.name, c.calls, want)
		}
	}
}

func TestNewKeysGoToTheFreestPoolAndOldKeysStay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p0, p1 := newErasure(t), newErasure(t)
	mkBucket(t, p0, "bkt", false)
	put(t, p0, "bkt", "old", "first")

	l := newPools(t, []object.Layer{p0, p1})
	if err := l.Sync(ctx); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	put(t, l, "bkt", "new", "fresh")
	put(t, l, "bkt", "old", "second")

	cases := []struct {
		key      string
		on, off  object.Layer
		wantBody string
	}{
		{"new", p1, p0, "fresh"},
		{"old", p0, p1, "second"},
	}
	for _, c := range cases {
		if got, err := read(t, c.on, "bkt", c.key); err != nil || got != c.wantBody {
			t.Errorf("%s on its pool: got %q, %v; want %q", c.key, got, err, c.wantBody)
		}
		if _, err := c.off.HeadObject(ctx, "bkt", c.key); !errors.Is(err,
			object.ErrObjectNotFound) {
			t.Errorf("%s on the other pool: got %v, want not found", c.key, err)
		}
		if got, err := read(t, l, "bkt", c.key); err != nil || got != c.wantBody {
			t.Errorf("%s through the pools: got %q, %v; want %q", c.key, got, err, c.wantBody)
		}
	}
	if err := l.DeleteObject(ctx, "bkt", "old"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.HeadObject(ctx, "bkt", "old"); !errors.Is(err, object.ErrObjectNotFound) {
		t.Errorf("a deleted key: got %v, want not found", err)
	}
}

func TestPreconditionsSeeTheObjectOnAnotherPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p0, p1 := newErasure(t), newErasure(t)
	mkBucket(t, p0, "bkt", false)
	put(t, p0, "bkt", "k", "on pool 0")
	l := newPools(t, []object.Layer{p0, p1}, 0) // pool 0 is being decommissioned
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ifNoneMatch := func(cur *object.ObjectInfo) error {
		if cur != nil {
			return object.ErrPreconditionFailed
		}
		return nil
	}
	_, err := l.PutObject(ctx, "bkt", "k", strings.NewReader("x"), 1,
		object.PutOptions{Precondition: ifNoneMatch})
	if !errors.Is(err, object.ErrPreconditionFailed) {
		t.Fatalf("If-None-Match over an object on another pool: got %v, want refused", err)
	}
	if got, err := read(t, l, "bkt", "k"); err != nil || got != "on pool 0" {
		t.Errorf("after the refused write: got %q, %v", got, err)
	}
	if _, err := l.PutObject(ctx, "bkt", "fresh", strings.NewReader("x"), 1,
		object.PutOptions{Precondition: ifNoneMatch}); err != nil {
		t.Errorf("If-None-Match over a new key: %v", err)
	}
}

func TestAWriteNeverGoesToADecommissioningPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p0, p1 := newErasure(t), newErasure(t)
	mkBucket(t, p0, "bkt", true)
	v1 := put(t, p0, "bkt", "k", "one")
	up, err := p0.NewMultipartUpload(ctx, "bkt", "up", object.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l := newPools(t, []object.Layer{p0, p1}, 0)
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	v2 := put(t, l, "bkt", "k", "two")
	if got := versions(t, p1, "bkt", 0); len(got) != 2 || got[1] != "k@"+v1.VersionID {
		t.Errorf("pool 1 after a write to a key of pool 0: got %v, want both versions", got)
	}
	if got := versions(t, p0, "bkt", 0); len(got) != 0 {
		t.Errorf("pool 0 kept %v", got)
	}
	if got, _ := read(t, l, "bkt", "k"); got != "two" || v2.VersionID == v1.VersionID {
		t.Errorf("the key reads %q, want %q", got, "two")
	}

	// An upload started on pool 0 takes its parts there and its object
	// moves off it when completed.
	part, err := l.PutObjectPart(ctx, "bkt", "up", up.UploadID, 1, strings.NewReader("p1"), 2,
		object.PartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.CompleteMultipartUpload(ctx, "bkt", "up", up.UploadID,
		[]object.CompletePart{{Number: 1, ETag: part.ETag}}, object.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := read(t, p1, "bkt", "up"); err != nil || got != "p1" {
		t.Errorf("the completed upload on pool 1: got %q, %v", got, err)
	}
	if got := versions(t, p0, "bkt", 0); len(got) != 0 {
		t.Errorf("pool 0 kept %v", got)
	}
}
