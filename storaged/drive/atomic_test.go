package drive

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestSyncTree(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, p := range []string{"tree/a", "tree/sub/deeper/b", "file"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		root    string
		wantErr error
	}{
		{name: "a nested tree is synced", root: "tree"},
		{name: "a plain file needs nothing", root: "file"},
		{name: "a missing root is an error", root: "missing", wantErr: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := syncTree(filepath.Join(root, tt.root))
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestStagingTreesLeaveStagingWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	files := map[string]string{"job/a": "a", "job/sub/b": "b"}
	for p, c := range files {
		if err := l.WriteFile(ctx, StagingVolume, p, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Rename(ctx, StagingVolume, "job", "vol", "obj/data"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	for p, want := range map[string]string{"obj/data/a": "a", "obj/data/sub/b": "b"} {
		if got, err := l.ReadFile(ctx, "vol", p); err != nil || string(got) != want {
			t.Errorf("got %q, %v at %s, want %q", got, err, p, want)
		}
	}
	err := l.Rename(ctx, StagingVolume, "job", "vol", "other")
	if !errors.Is(err, ErrFileNotFound) {
		t.Errorf("got error %v renaming a moved staging tree again, want ErrFileNotFound", err)
	}
	for _, p := range []string{"job", "never-there"} {
		if err := l.Delete(ctx, StagingVolume, p); err != nil {
			t.Errorf("got error %v deleting staging path %s, want none", err, p)
		}
	}
}
