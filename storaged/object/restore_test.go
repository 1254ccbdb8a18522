package object

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// copyVersions restores every version of key from src into dst, oldest
// first, as a drain does.
func copyVersions(t *testing.T, src, dst *testLayer, key string) {
	t.Helper()
	ctx := context.Background()
	res, err := src.ListObjectVersions(ctx, "bkt", ListVersionsOptions{Prefix: key})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range slices.Backward(res.Versions) {
		var body io.Reader = strings.NewReader("")
		if !v.DeleteMarker {
			info, rc, err := src.GetObjectVersion(ctx, "bkt", key, v.VersionID, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			v, body = info, rc
		}
		if _, err := dst.RestoreVersion(ctx, "bkt", key, body, v); err != nil {
			t.Fatalf("RestoreVersion %s: %v", v.VersionID, err)
		}
	}
}

// TestRestoreVersionKeepsEverything moves a key's versions (a plain one
// with metadata, tags, lock settings and checksums, a multipart one and a
// delete marker) to another layer and finds them unchanged there.
func TestRestoreVersionKeepsEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, dst := newLayerWithBucket(t), newLayerWithBucket(t)
	for _, l := range []*testLayer{src, dst} {
		if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	_, err := src.PutObject(ctx, "bkt", "k", strings.NewReader("plain"), 5, PutOptions{
		Metadata: Metadata{ContentType: "text/plain", UserMetadata: map[string]string{"a": "b"},
			Lock: ObjectLock{Mode: LockGovernance, RetainUntil: until, LegalHold: LegalHoldOn}},
		Tags:      map[string]string{"t": "1"},
		Checksums: func() map[string]string { return map[string]string{"CRC32": "AAAAAA=="} },
	})
	if err != nil {
		t.Fatal(err)
	}
	first, second := bytes.Repeat([]byte("x"), MinPartSize), []byte("tail")
	up := src.upload(t, "k", UploadOptions{})
	p1, p2 := src.part(t, up, 1, first), src.part(t, up, 3, second)
	if _, err := src.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID,
		[]CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 3, ETag: p2.ETag}},
		CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.DeleteObjectVersion(ctx, "bkt", "k", ""); err != nil {
		t.Fatal(err)
	}

	copyVersions(t, src, dst, "k")
	copyVersions(t, src, dst, "k") // a repeated restore replaces, never adds

	want, got := src.versionsOf(t, "k"), dst.versionsOf(t, "k")
	if !slices.Equal(got, want) {
		t.Fatalf("got versions %v, want %v", got, want)
	}
	for _, id := range want {
		if strings.HasPrefix(id, "*") {
			continue
		}
		a, _ := src.HeadObjectVersion(ctx, "bkt", "k", id)
		b, err := dst.HeadObjectVersion(ctx, "bkt", "k", id)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("version %s: got %+v (%v), want %+v", id, b, err, a)
		}
	}
	mp := strings.TrimPrefix(want[1], "*")
	_, rc, err := dst.GetObjectVersion(ctx, "bkt", "k", mp,
		&Range{Start: int64(MinPartSize), Length: 4})
	if err != nil || readString(t, rc) != "tail" {
		t.Errorf("the second part of the multipart version: %v", err)
	}
}

// TestRestoreVersionPlacesAnOlderVersionBelow restores a version older
// than the key's current one: it is kept but does not become current.
func TestRestoreVersionPlacesAnOlderVersionBelow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newLayerWithBucket(t)
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	cur := l.put(t, "k", "current")
	old := ObjectInfo{VersionID: "AAAAAAAAAAAAAAAAAAAAAAAAAA", ModTime: cur.ModTime.Add(-time.Hour),
		Size: 3, ETag: md5Hex([]byte("old"))}
	got, err := l.RestoreVersion(ctx, "bkt", "k", strings.NewReader("old"), old)
	if err != nil || got.IsLatest {
		t.Fatalf("RestoreVersion: latest %v, %v; want an older version", got.IsLatest, err)
	}
	if _, body, err := l.get("k", nil); err != nil || body != "current" {
		t.Errorf("current version: got %q, %v; want %q", body, err, "current")
	}
	want := []string{cur.VersionID, old.VersionID}
	if got := l.versionsOf(t, "k"); !slices.Equal(got, want) {
		t.Errorf("got versions %v, want %v", got, want)
	}
	short := old
	short.Size = 10
	if _, err := l.RestoreVersion(ctx, "bkt", "k", strings.NewReader("old"), short); err == nil {
		t.Error("a body shorter than its size was restored")
	}
}
