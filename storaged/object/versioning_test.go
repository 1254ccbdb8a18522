package object

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// versionsOf lists the versions of key as "id" or "*id" for delete
// markers, newest first.
func (l *testLayer) versionsOf(t *testing.T, key string) []string {
	t.Helper()
	res, err := l.ListObjectVersions(context.Background(), "bkt", ListVersionsOptions{})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	var out []string
	for _, v := range res.Versions {
		if v.Key == key {
			id := v.VersionID
			if v.DeleteMarker {
				id = "*" + id
			}
			out = append(out, id)
		}
	}
	return out
}

func TestVersioningStates(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	if state, err := l.BucketVersioning(ctx, "bkt"); state != "" || err != nil {
		t.Errorf("a new bucket: got %q, %v, want no state", state, err)
	}
	for _, state := range []string{VersioningEnabled, VersioningSuspended} {
		if err := l.PutBucketVersioning(ctx, "bkt", state); err != nil {
			t.Fatal(err)
		}
		if got, err := l.BucketVersioning(ctx, "bkt"); got != state || err != nil {
			t.Errorf("got %q, %v, want %q", got, err, state)
		}
	}
	if err := l.PutBucketVersioning(ctx, "bkt", "Disabled"); !errors.Is(err, ErrInvalidVersioning) {
		t.Errorf("got %v, want ErrInvalidVersioning", err)
	}
	if err := l.PutBucketVersioning(ctx, "missing", VersioningEnabled); !errors.Is(err,
		ErrBucketNotFound) {
		t.Errorf("got %v, want ErrBucketNotFound", err)
	}
}

func TestAVersionedBucketKeepsVersionsAndDeleteMarkers(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	before := l.put(t, "k", "unversioned")
	if before.VersionID != NullVersion {
		t.Errorf("got version %q before versioning, want null", before.VersionID)
	}
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := l.put(t, "k", "one")
	v2 := l.put(t, "k", "two")
	if v1.VersionID == NullVersion || v1.VersionID == v2.VersionID {
		t.Fatalf("got versions %q and %q, want fresh IDs", v1.VersionID, v2.VersionID)
	}
	info, rc, err := l.GetObjectVersion(ctx, "bkt", "k", v1.VersionID, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := readString(t, rc)
	if got != "one" || info.VersionID != v1.VersionID || info.IsLatest {
		t.Errorf("got %q as %+v, want version 1, not the latest", got, info)
	}

	del, err := l.DeleteObjectVersion(ctx, "bkt", "k", "")
	if err != nil || !del.DeleteMarker {
		t.Fatalf("got %+v, %v, want a delete marker", del, err)
	}
	var dm *DeleteMarkerError
	_, err = l.HeadObject(ctx, "bkt", "k")
	if !errors.As(err, &dm) || !dm.Latest || !errors.Is(err, ErrObjectNotFound) ||
		dm.VersionID != del.VersionID {
		t.Errorf("HEAD after the marker: got %v, want a latest delete marker, not found", err)
	}
	if _, err := l.HeadObjectVersion(ctx, "bkt", "k", del.VersionID); !errors.Is(err,
		ErrDeleteMarker) {
		t.Errorf("HEAD of the marker: got %v, want ErrDeleteMarker", err)
	}
	want := []string{"*" + del.VersionID, v2.VersionID, v1.VersionID, NullVersion}
	if got := l.versionsOf(t, "k"); !slices.Equal(got, want) {
		t.Errorf("got versions %v, want %v", got, want)
	}
	if _, rc, err := l.GetObjectVersion(ctx, "bkt", "k", NullVersion, nil); err != nil ||
		readString(t, rc) != "unversioned" {
		t.Errorf("the null version: got %v", err)
	}
	checkVersionErrors(t, l)
}

func checkVersionErrors(t *testing.T, l *testLayer) {
	t.Helper()
	ctx := context.Background()
	tests := []struct {
		name string
		id   string
		want error
	}{
		{"a malformed ID is invalid", "not-an-id", ErrInvalidVersionID},
		{"an unknown ID is not found", strings.Repeat("A", 26), ErrVersionNotFound},
	}
	for _, tt := range tests {
		if _, err := l.HeadObjectVersion(ctx, "bkt", "k", tt.id); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestSuspendedVersioningWritesTheNullVersion(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	kept := l.put(t, "k", "kept")
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	l.put(t, "k", "null 1")
	null := l.put(t, "k", "null 2")
	if null.VersionID != NullVersion {
		t.Errorf("got %q, want null", null.VersionID)
	}
	if got := l.versionsOf(t, "k"); !slices.Equal(got, []string{NullVersion, kept.VersionID}) {
		t.Errorf("got versions %v, want null and the kept one", got)
	}
	res, err := l.DeleteObjectVersion(ctx, "bkt", "k", kept.VersionID)
	if err != nil || res.VersionID != kept.VersionID || res.DeleteMarker {
		t.Errorf("removing the kept version: got %+v, %v", res, err)
	}
	if _, got, err := l.get("k", nil); got != "null 2" || err != nil {
		t.Errorf("got %q, %v, want the null version current", got, err)
	}
}

func TestVersionTagsAndListingPages(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := l.put(t, "a", "1")
	l.put(t, "a", "2")
	l.put(t, "b", "3")
	if _, err := l.PutObjectVersionTags(ctx, "bkt", "a", v1.VersionID,
		map[string]string{"old": "yes"}); err != nil {
		t.Fatal(err)
	}
	if info, err := l.HeadObjectVersion(ctx, "bkt", "a", v1.VersionID); err != nil ||
		info.Tags["old"] != "yes" {
		t.Errorf("got %+v, %v, want the tag on version 1", info.Tags, err)
	}
	var seen []string
	opts := ListVersionsOptions{MaxKeys: 2}
	for range 5 {
		res, err := l.ListObjectVersions(ctx, "bkt", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Versions {
			seen = append(seen, v.Key)
		}
		if !res.IsTruncated {
			break
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	if !slices.Equal(seen, []string{"a", "a", "b"}) {
		t.Errorf("got %v across pages, want a a b", seen)
	}
}

// readString reads and closes rc.
func readString(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestACompletedUploadIsANewVersion(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	ctx := context.Background()
	if err := l.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	first := l.put(t, "k", "first")
	up := l.upload(t, "k", UploadOptions{})
	p := l.part(t, up, 1, []byte("assembled"))
	info, err := l.CompleteMultipartUpload(ctx, "bkt", "k", up.UploadID,
		[]CompletePart{{Number: 1, ETag: p.ETag}}, CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.VersionID == NullVersion || info.VersionID == first.VersionID || !info.IsLatest {
		t.Errorf("got version %q (latest %v), want a new current version", info.VersionID,
			info.IsLatest)
	}
	want := []string{info.VersionID, first.VersionID}
	if got := l.versionsOf(t, "k"); !slices.Equal(got, want) {
		t.Errorf("got versions %v, want %v", got, want)
	}
	if _, rc, err := l.GetObjectVersion(ctx, "bkt", "k", first.VersionID, nil); err != nil ||
		readString(t, rc) != "first" {
		t.Errorf("the first version: got %v", err)
	}
}
