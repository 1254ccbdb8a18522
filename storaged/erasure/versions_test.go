package erasure

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
)

// putIn stores data under key in mode and returns the new version's info.
func putIn(t *testing.T, s *Set, key string, data []byte, mode VersionMode) ObjectInfo {
	t.Helper()
	info, err := s.Put(
		context.Background(),
		"bkt",
		key,
		bytes.NewReader(data),
		PutOptions{Mode: mode},
	)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return info
}

// readVersion reads a whole version of key.
func readVersion(s *Set, key, id string) ([]byte, error) {
	ctx := context.Background()
	o, err := s.OpenVersion(ctx, "bkt", key, id)
	if err != nil {
		return nil, err
	}
	r, err := o.NewReader(ctx, 0, o.Info().Size)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(r)
	return b.Bytes(), err
}

// versionIDs lists the versions of key, newest first, "*" marking delete
// markers.
func versionIDs(t *testing.T, s *Set, key string) []string {
	t.Helper()
	all, err := s.ListVersions(context.Background(), "bkt")
	if err != nil {
		t.Fatalf("ListVersions: %v", err)
	}
	var out []string
	for _, v := range all {
		if v.Key != key {
			continue
		}
		id := v.VersionID
		if v.DeleteMarker {
			id = "*" + id
		}
		out = append(out, id)
	}
	return out
}

func TestEnabledVersioningKeepsEveryVersion(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	ctx := context.Background()
	v1 := putIn(t, ts.Set, "k", []byte("one"), VersionsEnabled)
	v2 := putIn(t, ts.Set, "k", randomBytes(DefaultBlockSize+5, 1), VersionsEnabled)
	if v1.VersionID == "" || v1.VersionID == v2.VersionID || !v2.IsLatest {
		t.Fatalf("got versions %q and %q, want two fresh IDs", v1.VersionID, v2.VersionID)
	}
	if got, err := readVersion(ts.Set, "k", v1.VersionID); err != nil || string(got) != "one" {
		t.Errorf("version 1: got %q, %v, want %q", got, err, "one")
	}
	if info, err := ts.Stat(ctx, "bkt", "k"); err != nil || info.VersionID != v2.VersionID {
		t.Errorf("current: got %+v, %v, want version 2", info, err)
	}

	del, err := ts.DeleteVersion(ctx, "bkt", "k", DeleteOptions{Mode: VersionsEnabled})
	if err != nil || !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("got %+v, %v, want a delete marker", del, err)
	}
	var dm *DeleteMarkerError
	_, err = ts.Stat(ctx, "bkt", "k")
	if !errors.As(err, &dm) || !errors.Is(err, ErrObjectNotFound) ||
		dm.VersionID != del.VersionID {
		t.Errorf("after the marker: got %v, want a delete marker error that is not found", err)
	}
	if _, err := ts.OpenVersion(ctx, "bkt", "k", del.VersionID); !errors.Is(err, ErrDeleteMarker) {
		t.Errorf("reading the marker by ID: got %v, want ErrDeleteMarker", err)
	}
	if list, err := ts.List(ctx, "bkt"); err != nil || len(list) != 0 {
		t.Errorf("got listing %v, %v, want the deleted key hidden", list, err)
	}
	want := []string{"*" + del.VersionID, v2.VersionID, v1.VersionID}
	if got := versionIDs(t, ts.Set, "k"); !slices.Equal(got, want) {
		t.Errorf("got versions %v, want %v", got, want)
	}
	if err := ts.DeleteBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Errorf("deleting a bucket of versions: got %v, want ErrBucketNotEmpty", err)
	}
}

func TestRemovingVersionsForGood(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	ctx := context.Background()
	v1 := putIn(t, ts.Set, "k", []byte("one"), VersionsEnabled)
	v2 := putIn(t, ts.Set, "k", []byte("two"), VersionsEnabled)
	del, _ := ts.DeleteVersion(ctx, "bkt", "k", DeleteOptions{Mode: VersionsEnabled})

	res, err := ts.DeleteVersion(ctx, "bkt", "k", DeleteOptions{Versioned: true,
		VersionID: del.VersionID, Mode: VersionsEnabled})
	if err != nil || !res.DeleteMarker {
		t.Fatalf("removing the marker: got %+v, %v", res, err)
	}
	if got, err := readAll(ts.Set, "k"); err != nil || string(got) != "two" {
		t.Errorf("after removing the marker: got %q, %v, want version 2 current", got, err)
	}
	for _, id := range []string{v2.VersionID, "NOSUCHVERSION", v1.VersionID} {
		if _, err := ts.DeleteVersion(ctx, "bkt", "k", DeleteOptions{Versioned: true,
			VersionID: id, Mode: VersionsEnabled}); err != nil {
			t.Fatalf("removing %s: %v", id, err)
		}
	}
	if _, err := ts.Stat(ctx, "bkt", "k"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got %v, want the key gone with its last version", err)
	}
	expireRetired(ts.Set)
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s, want none", left, dir)
		}
	}
}

func TestSuspendedVersioningReplacesOnlyTheNullVersion(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	ctx := context.Background()
	kept := putIn(t, ts.Set, "k", []byte("kept"), VersionsEnabled)
	putIn(t, ts.Set, "k", []byte("null one"), VersionsSuspended)
	null := putIn(t, ts.Set, "k", []byte("null two"), VersionsSuspended)
	if null.VersionID != "" {
		t.Errorf("got version %q, want the null version", null.VersionID)
	}
	if got := versionIDs(t, ts.Set, "k"); !slices.Equal(got, []string{"", kept.VersionID}) {
		t.Errorf("got versions %v, want the null version and the kept one", got)
	}
	if got, err := readVersion(ts.Set, "k", ""); err != nil || string(got) != "null two" {
		t.Errorf("null version: got %q, %v", got, err)
	}
	res, err := ts.DeleteVersion(ctx, "bkt", "k", DeleteOptions{Mode: VersionsSuspended})
	if err != nil || res.VersionID != "" || !res.DeleteMarker {
		t.Fatalf("got %+v, %v, want a null delete marker", res, err)
	}
	if got := versionIDs(t, ts.Set, "k"); !slices.Equal(got, []string{"*", kept.VersionID}) {
		t.Errorf("got versions %v, want the null marker and the kept version", got)
	}
	expireRetired(ts.Set)
	if shards := filesNamed(t, ts.dirs[0], shardFile); len(shards) != 1 {
		t.Errorf("got %d shard files, want only the kept version's", len(shards))
	}
}

func TestUnversionedWritesKeepOneVersion(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	for _, data := range []string{"a", "b", "c"} {
		putIn(t, ts.Set, "k", []byte(data), Unversioned)
	}
	if got := versionIDs(t, ts.Set, "k"); !slices.Equal(got, []string{""}) {
		t.Errorf("got versions %v, want one null version", got)
	}
	res, err := ts.DeleteVersion(context.Background(), "bkt", "k", DeleteOptions{})
	if err != nil || res.DeleteMarker {
		t.Fatalf("got %+v, %v, want the key removed", res, err)
	}
	if got := versionIDs(t, ts.Set, "k"); len(got) != 0 {
		t.Errorf("got versions %v, want none", got)
	}
}

func TestUpdateOfANamedVersion(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	ctx := context.Background()
	v1 := putIn(t, ts.Set, "k", []byte("one"), VersionsEnabled)
	putIn(t, ts.Set, "k", []byte("two"), VersionsEnabled)
	info, err := ts.Update(ctx, "bkt", "k", UpdateOptions{Versioned: true, VersionID: v1.VersionID,
		Metadata: func(ObjectInfo) (map[string]string, error) {
			return map[string]string{"tag": "old"}, nil
		}})
	if err != nil || info.IsLatest || info.VersionID != v1.VersionID {
		t.Fatalf("got %+v, %v, want version 1 updated", info, err)
	}
	o, err := ts.OpenVersion(ctx, "bkt", "k", v1.VersionID)
	if err != nil || o.Info().Metadata["tag"] != "old" {
		t.Errorf("got %v, want the new metadata on version 1", err)
	}
	if cur, _ := ts.Stat(ctx, "bkt", "k"); cur.Metadata["tag"] != "" {
		t.Errorf("the current version changed too: %v", cur.Metadata)
	}
}
