package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/internal/testetcd"
)

// backends returns one fresh store of each kind, so that every test runs
// against bbolt and against a real (embedded) etcd.
func backends(t *testing.T) map[string]Store {
	t.Helper()
	b, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e, err := OpenEtcd(context.Background(), []string{testetcd.Start(t)}, "/strata-test/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return map[string]Store{"bolt": b, "etcd": e}
}

// forEach runs f as a subtest against every backend, plain and sealed.
func forEach(t *testing.T, f func(t *testing.T, s Store)) {
	t.Helper()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) { f(t, s) })
	}
	for name, s := range backends(t) {
		sealed, _ := mustSeal(t, s, newKey(t))
		t.Run("sealed "+name, func(t *testing.T) { f(t, sealed) })
	}
}

// forEachPlain runs f as a subtest against every backend, unsealed.
func forEachPlain(t *testing.T, f func(t *testing.T, s Store)) {
	t.Helper()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) { f(t, s) })
	}
}

func TestPutChecksRevisions(t *testing.T) {
	t.Parallel()
	forEach(t, testPutChecksRevisions)
}

func testPutChecksRevisions(t *testing.T, s Store) {
	ctx := context.Background()
	rev1, err := s.Put(ctx, "tenant", "acme", []byte("v1"), MustNotExist)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want int64
		err  error
	}{
		{"creating an existing document conflicts", MustNotExist, ErrConflict},
		{"a stale revision conflicts", rev1 + 100, ErrConflict},
		{"the current revision writes", rev1, nil},
		{"any revision writes", AnyRevision, nil},
	}
	for _, tt := range tests {
		_, err := s.Put(ctx, "tenant", "acme", []byte("v2"), tt.want)
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.err)
		}
	}
	rec, err := s.Get(ctx, "tenant", "acme")
	if err != nil || string(rec.Value) != "v2" || rec.Revision <= rev1 {
		t.Errorf("got %q rev %d (%v), want v2 with a revision above %d", rec.Value,
			rec.Revision, err, rev1)
	}
}

func TestRevisionsNeverRepeatAcrossKinds(t *testing.T) {
	t.Parallel()
	forEach(t, testRevisionsNeverRepeat)
}

func testRevisionsNeverRepeat(t *testing.T, s Store) {
	ctx := context.Background()
	seen := map[int64]bool{}
	for i := range 10 {
		kind := []string{"cluster", "tenant"}[i%2]
		rev, err := s.Put(ctx, kind, fmt.Sprint(i), nil, MustNotExist)
		if err != nil || seen[rev] {
			t.Fatalf("put %d: rev %d err %v; want a new revision", i, rev, err)
		}
		seen[rev] = true
	}
}

func TestDeleteAndGetMissing(t *testing.T) {
	t.Parallel()
	forEach(t, testDeleteAndGetMissing)
}

func testDeleteAndGetMissing(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "bucket", "a/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get of an empty kind: got %v, want ErrNotFound", err)
	}
	rev, _ := s.Put(ctx, "bucket", "a/b", []byte("x"), MustNotExist)
	if err := s.Delete(ctx, "bucket", "a/b", rev+1); !errors.Is(err, ErrConflict) {
		t.Errorf("stale delete: got %v, want ErrConflict", err)
	}
	if err := s.Delete(ctx, "bucket", "a/b", rev); err != nil {
		t.Errorf("delete: %v", err)
	}
	if err := s.Delete(ctx, "bucket", "a/b", AnyRevision); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: got %v, want ErrNotFound", err)
	}
}

func TestListHonoursPrefixAfterAndLimit(t *testing.T) {
	t.Parallel()
	forEach(t, testList)
}

func testList(t *testing.T, s Store) {
	ctx := context.Background()
	for _, k := range []string{"a/1", "a/2", "a/3", "ab/1", "b/1"} {
		if _, err := s.Put(ctx, "bucket", k, nil, MustNotExist); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, prefix, after string
		limit               int
		want                string
	}{
		{"everything", "", "", 0, "a/1 a/2 a/3 ab/1 b/1"},
		{"one tenant", "a/", "", 0, "a/1 a/2 a/3"},
		{"after a name", "a/", "a/1", 0, "a/2 a/3"},
		{"a limited page", "", "", 2, "a/1 a/2"},
		{"after the prefix's end", "a/", "a/3", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := s.List(ctx, "bucket", tt.prefix, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range recs {
				names = append(names, r.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	b, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := OpenBolt(path); err == nil || !strings.Contains(err.Error(), "another control plane") {
		t.Errorf("second open: got %v, want an error naming another control plane", err)
	}
}
