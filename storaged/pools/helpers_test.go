package pools

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// newErasure returns an object layer over a fresh erasure set of two
// local drives.
func newErasure(t *testing.T) *object.ErasureLayer {
	t.Helper()
	dir := t.TempDir()
	drives, err := erasure.OpenLocalDrives("",
		[]string{filepath.Join(dir, "a"), filepath.Join(dir, "b")})
	if err != nil {
		t.Fatal(err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 1})
	if err != nil {
		t.Fatal(err)
	}
	l := object.NewErasureLayer(set)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// free returns a Space function that reports n free bytes.
func free(n uint64) func(context.Context) (Space, error) {
	return func(context.Context) (Space, error) { return Space{Total: 1 << 40, Free: n}, nil }
}

// newPools returns Layers over the given layers, with free space rising
// with the pool's position (so new objects go to the last pool in
// service) and the pools named in decom being decommissioned.
func newPools(t *testing.T, layers []object.Layer, decom ...int) *Layers {
	t.Helper()
	cfg := Config{}
	for i, p := range layers {
		cfg.Pools = append(cfg.Pools, Pool{Name: fmt.Sprintf("pool-%d", i), Layer: p,
			Decommission: slices.Contains(decom, i), Space: free(uint64(i+1) << 30)})
	}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func put(t *testing.T, l object.Layer, bucket, key, body string) object.ObjectInfo {
	t.Helper()
	info, err := l.PutObject(context.Background(), bucket, key, strings.NewReader(body),
		int64(len(body)), object.PutOptions{})
	if err != nil {
		t.Fatalf("putting %s: %v", key, err)
	}
	return info
}

// read returns the key's current content from l.
func read(t *testing.T, l object.Layer, bucket, key string) (string, error) {
	t.Helper()
	_, rc, err := l.GetObject(context.Background(), bucket, key, nil)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// versions lists every version of l's bucket as "key@id" (a delete
// marker as "key@*id"), in page order, with pages of max entries.
func versions(t *testing.T, l object.Versioned, bucket string, max int) []string {
	t.Helper()
	var out []string
	opts := object.ListVersionsOptions{MaxKeys: max}
	for {
		res, err := l.ListObjectVersions(context.Background(), bucket, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Versions {
			mark := ""
			if v.DeleteMarker {
				mark = "*"
			}
			out = append(out, v.Key+"@"+mark+v.VersionID)
		}
		if !res.IsTruncated {
			return out
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
}

func mkBucket(t *testing.T, l object.Layer, bucket string, versioned bool) {
	t.Helper()
	ctx := context.Background()
	if err := l.MakeBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if versioned {
		if err := l.(object.Versioned).PutBucketVersioning(ctx, bucket,
			object.VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s[:8])
}
