package object

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
)

// newRRSLayer returns a layer over four fresh drives with parity 2 whose
// REDUCED_REDUNDANCY objects get rrsParity, holding the bucket "bkt".
func newRRSLayer(t *testing.T, rrsParity int) *testLayer {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatalf("erasure.New: %v", err)
	}
	l, err := NewErasureLayerFromConfig(ErasureConfig{Set: set,
		ReducedRedundancyParity: rrsParity})
	if err != nil {
		t.Fatalf("NewErasureLayerFromConfig: %v", err)
	}
	t.Cleanup(func() { _ = l.Close() })
	if err := l.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	return &testLayer{ErasureLayer: l, dirs: dirs}
}

// shardBytes returns the size of the shard files (whole objects' "shards",
// parts' "part.N") in bucket "bkt" on drive 0, which holds only key: the
// object's size divided by its data shards, plus block hashes.
func (l *testLayer) shardBytes(t *testing.T, key string) int64 {
	t.Helper()
	var size int64
	err := filepath.WalkDir(filepath.Join(l.dirs[0], "bkt"), func(p string,
		d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "shards" && !strings.HasPrefix(d.Name(), "part.") {
			return err
		}
		info, err := d.Info()
		size += info.Size()
		return err
	})
	if err != nil {
		t.Fatalf("walking %s: %v", key, err)
	}
	return size
}

func TestStorageClassChoosesParityAndIsReported(t *testing.T) {
	t.Parallel()
	const size = 3 << 20
	tests := []struct {
		name, class string
		rrsParity   int
		wantClass   string
		// wantShard is the shard file size without its block hashes.
		wantShard int64
	}{
		{"STANDARD is stored 2+2 and reported without a class", "STANDARD", 1, "", size / 2},
		{"no class is STANDARD", "", 1, "", size / 2},
		{"REDUCED_REDUNDANCY with parity 1 is stored 3+1", "REDUCED_REDUNDANCY", 1,
			"REDUCED_REDUNDANCY", size / 3},
		{"REDUCED_REDUNDANCY without its own parity is stored 2+2 and keeps its class",
			"REDUCED_REDUNDANCY", 0, "REDUCED_REDUNDANCY", size / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newRRSLayer(t, tt.rrsParity)
			body := bytes.Repeat([]byte("r"), size)
			_, err := l.PutObject(context.Background(), "bkt", "k", bytes.NewReader(body),
				size, PutOptions{Metadata: Metadata{StorageClass: tt.class}})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			info, err := l.HeadObject(context.Background(), "bkt", "k")
			if err != nil || info.StorageClass != tt.wantClass {
				t.Fatalf("HeadObject: class %q, err %v; want %q", info.StorageClass, err,
					tt.wantClass)
			}
			list, err := l.ListObjects(context.Background(), "bkt", ListOptions{MaxKeys: 10})
			if err != nil || len(list.Objects) != 1 || list.Objects[0].StorageClass != tt.wantClass {
				t.Fatalf("ListObjects: %+v, err %v; want one object of class %q",
					list.Objects, err, tt.wantClass)
			}
			// Each 1 MiB block adds a 32-byte hash per shard; allow for them.
			if got := l.shardBytes(t, "k"); got < tt.wantShard || got > tt.wantShard+4096 {
				t.Errorf("shard file: got %d bytes, want %d plus block hashes",
					got, tt.wantShard)
			}
		})
	}
}

func TestMultipartUploadKeepsItsStorageClass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newRRSLayer(t, 1)
	up, err := l.NewMultipartUpload(ctx, "bkt", "k", UploadOptions{
		Metadata: Metadata{StorageClass: StorageClassReducedRedundancy}})
	if err != nil {
		t.Fatalf("NewMultipartUpload: %v", err)
	}
	if up.Class() != StorageClassReducedRedundancy {
		t.Errorf("upload class: got %q, want REDUCED_REDUNDANCY", up.Class())
	}
	uploads, err := l.ListMultipartUploads(ctx, "bkt", ListUploadsOptions{})
	if err != nil || len(uploads.Uploads) != 1 ||
		uploads.Uploads[0].Class() != StorageClassReducedRedundancy {
		t.Fatalf("ListMultipartUploads: %+v, err %v", uploads.Uploads, err)
	}
	body := bytes.Repeat([]byte("m"), 3<<20)
	p, err := l.PutObjectPart(ctx, "bkt", "k", up.UploadID, 1, bytes.NewReader(body),
		int64(len(body)), PartOptions{})
	if err != nil {
		t.Fatalf("PutObjectPart: %v", err)
	}
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID,
		[]CompletePart{{Number: 1, ETag: p.ETag}}, CompleteOptions{})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if info.Class() != StorageClassReducedRedundancy {
		t.Errorf("completed object: got class %q, want REDUCED_REDUNDANCY", info.Class())
	}
	if got, want := l.shardBytes(t, "k"), int64(1<<20); got < want || got > want+4096 {
		t.Errorf("part shard file: got %d bytes, want %d plus block hashes (3+1)", got, want)
	}
}

func TestLayerRefusesBadStorageClassSettings(t *testing.T) {
	t.Parallel()
	l := newRRSLayer(t, 1)
	_, err := l.PutObject(context.Background(), "bkt", "k", bytes.NewReader(nil), 0,
		PutOptions{Metadata: Metadata{StorageClass: "GLACIER"}})
	if !errors.Is(err, ErrInvalidStorageClass) {
		t.Errorf("PutObject GLACIER: got %v, want ErrInvalidStorageClass", err)
	}
	for _, p := range []int{-1, 3} {
		_, err := NewErasureLayerFromConfig(ErasureConfig{Set: l.set,
			ReducedRedundancyParity: p})
		if err == nil {
			t.Errorf("ReducedRedundancyParity %d on a parity 2 set: got no error", p)
		}
	}
}

// TestRestoredVersionKeepsItsClassParity moves a REDUCED_REDUNDANCY object
// to another layer, as a pool's drain does: it is coded there with the
// parity that layer gives its class, not with the set's standard parity.
func TestRestoredVersionKeepsItsClassParity(t *testing.T) {
	t.Parallel()
	const size = 3 << 20
	src, dst := newRRSLayer(t, 1), newRRSLayer(t, 1)
	data := bytes.Repeat([]byte("r"), size)
	_, err := src.PutObject(context.Background(), "bkt", "k", bytes.NewReader(data), size,
		PutOptions{Metadata: Metadata{StorageClass: StorageClassReducedRedundancy}})
	if err != nil {
		t.Fatal(err)
	}
	copyVersions(t, src, dst, "k")
	want := src.shardBytes(t, "k")
	if got := dst.shardBytes(t, "k"); got != want {
		t.Errorf("moved object's shard on drive 0: %d bytes, want %d (3 data + 1 parity, "+
			"as where it came from)", got, want)
	}
	if want < size/3 || want > size/3+size/20 {
		t.Errorf("source shard %d bytes, want about a third of %d", want, size)
	}
	info, err := dst.HeadObject(context.Background(), "bkt", "k")
	if err != nil || info.StorageClass != StorageClassReducedRedundancy {
		t.Errorf("moved object: class %q (%v), want %s", info.StorageClass, err,
			StorageClassReducedRedundancy)
	}
}
