package erasure

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// versionsOf lists the key's versions as "id" or "*id" for a marker,
// newest first.
func versionsOf(t *testing.T, s *testSet, key string) []string {
	t.Helper()
	all, err := s.ListVersions(context.Background(), "bkt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range all {
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

func TestPutVersionPlacesVersionsByTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestSet(t, 4, 2)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		id     string
		at     time.Duration
		marker bool
		body   string
		want   []string
	}{
		{"B", 2 * time.Hour, false, "bee", []string{"B"}},
		{"A", time.Hour, false, "a", []string{"B", "A"}},
		{"C", 3 * time.Hour, true, "", []string{"*C", "B", "A"}},
		{"B", 2 * time.Hour, false, "bee again", []string{"*C", "B", "A"}},
	}
	for _, st := range steps {
		_, err := s.PutVersion(ctx, "bkt", "k", strings.NewReader(st.body), int64(len(st.body)),
			RestoreOptions{VersionID: st.id, ModTime: base.Add(st.at), DeleteMarker: st.marker,
				Metadata: map[string]string{"v": st.id}})
		if err != nil {
			t.Fatalf("restoring %s: %v", st.id, err)
		}
		if got := versionsOf(t, s, "k"); strings.Join(got, ",") != strings.Join(st.want, ",") {
			t.Fatalf("after %s: got %v, want %v", st.id, got, st.want)
		}
	}
	o, err := s.OpenVersion(ctx, "bkt", "k", "B")
	if err != nil {
		t.Fatal(err)
	}
	info := o.Info()
	if !info.ModTime.Equal(base.Add(2*time.Hour)) || info.Metadata["v"] != "B" {
		t.Errorf("version B: got %+v", info)
	}
	r, err := o.NewReader(ctx, 0, info.Size)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, err = got.ReadFrom(r)
	r.Close()
	if err != nil || got.String() != "bee again" {
		t.Errorf("version B reads %q, %v; want the second restore", got.String(), err)
	}
	if _, err := s.Open(ctx, "bkt", "k"); !errors.As(err, new(*DeleteMarkerError)) {
		t.Errorf("the current version: got %v, want the delete marker", err)
	}
}

func TestPutVersionKeepsParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestSet(t, 4, 2)
	body := []byte("first part|second")
	parts := []PartInfo{{Number: 2, Size: 11, Metadata: map[string]string{"etag": "p2"}},
		{Number: 5, Size: 6, Metadata: map[string]string{"etag": "p5"}}}
	info, err := s.PutVersion(ctx, "bkt", "k", bytes.NewReader(body), int64(len(body)),
		RestoreOptions{ModTime: time.Now(), Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Parts) != 2 || info.Parts[1].Number != 5 || info.Parts[1].Metadata["etag"] != "p5" {
		t.Errorf("parts: got %+v", info.Parts)
	}
	if got, err := readAll(s.Set, "k"); err != nil || string(got) != string(body) {
		t.Errorf("got %q, %v; want %q", got, err, body)
	}
	files, _ := filepath.Glob(filepath.Join(s.dirs[0], "bkt", "*", "*", "part.5"))
	if len(files) != 1 {
		t.Errorf("part.5 shard files on drive 0: %v, want one", files)
	}
}

func TestPutVersionRefusesAShortBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newTestSet(t, 4, 2)
	_, err := s.PutVersion(ctx, "bkt", "k", strings.NewReader("short"), 10,
		RestoreOptions{ModTime: time.Now()})
	if err == nil {
		t.Fatal("a body shorter than its size was stored")
	}
	if _, err := s.Open(ctx, "bkt", "k"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("after the refused restore: got %v, want no object", err)
	}
	for _, d := range s.dirs {
		if left := leftovers(t, d); len(left) > 0 {
			t.Errorf("drive %s keeps %v", d, left)
		}
	}
}
