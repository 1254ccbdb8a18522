package drive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"
)

func TestWriteFileReplacesAtomically(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	for _, content := range []string{"first", "second, longer"} {
		if err := l.WriteFile(ctx, "vol", "dir/sub/file", []byte(content)); err != nil {
			t.Fatalf("WriteFile: %v", err)
		}
		got, err := l.ReadFile(ctx, "vol", "dir/sub/file")
		if err != nil || string(got) != content {
			t.Fatalf("got %q, %v, want %q", got, err, content)
		}
	}
	if left := tmpEntries(t, l); len(left) != 0 {
		t.Errorf("got %v in the temporary folder, want nothing", left)
	}
}

func TestFileErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   func(l *Local) error
		want error
	}{
		{"reading a missing file says file not found", func(l *Local) error {
			_, err := l.ReadFile(ctx, "vol", "missing")
			return err
		}, ErrFileNotFound},
		{"reading from a missing volume says volume not found", func(l *Local) error {
			_, err := l.ReadFile(ctx, "nope", "file")
			return err
		}, ErrVolumeNotFound},
		{"writing into a missing volume says volume not found", func(l *Local) error {
			return l.WriteFile(ctx, "nope", "file", []byte("x"))
		}, ErrVolumeNotFound},
		{"a path with dot-dot is invalid", func(l *Local) error {
			return l.WriteFile(ctx, "vol", "../escape", []byte("x"))
		}, ErrInvalidName},
		{"an absolute path is invalid", func(l *Local) error {
			return l.WriteFile(ctx, "vol", "/abs", []byte("x"))
		}, ErrInvalidName},
		{"a path with an empty element is invalid", func(l *Local) error {
			return l.WriteFile(ctx, "vol", "a//b", []byte("x"))
		}, ErrInvalidName},
		{"the volume marker cannot be written", func(l *Local) error {
			return l.WriteFile(ctx, "vol", volumeMarker, []byte("x"))
		}, ErrInvalidName},
		{"the volume root cannot be deleted as a path", func(l *Local) error {
			return l.Delete(ctx, "vol", ".")
		}, ErrInvalidName},
		{"a range past the end of the file fails", func(l *Local) error {
			if err := l.WriteFile(ctx, "vol", "f", []byte("0123")); err != nil {
				return err
			}
			_, err := l.ReadRange(ctx, "vol", "f", 2, 3)
			return err
		}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newDriveWithVolume(t)
			if err := tt.op(l); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
			if _, err := l.StatVolume(ctx, "nope"); !errors.Is(err, ErrVolumeNotFound) {
				t.Errorf("got %v for the missing volume afterwards, want it still missing", err)
			}
		})
	}
}

func TestReadRangeReturnsTheRequestedBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	data := []byte("0123456789")
	if err := l.WriteFile(ctx, "vol", "f", data); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		offset, length int64
		want           string
	}{
		{"the whole file", 0, 10, "0123456789"},
		{"a middle part", 3, 4, "3456"},
		{"a negative length reads to the end", 7, -1, "789"},
		{"an empty range at the end", 10, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc, err := l.ReadRange(ctx, "vol", "f", tt.offset, tt.length)
			if err != nil {
				t.Fatalf("ReadRange: %v", err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || string(got) != tt.want {
				t.Errorf("got %q, %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestRenameMovesADirectoryBetweenVolumes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	if err := l.WriteFile(ctx, StagingVolume, "up1/data/part", []byte("shard")); err != nil {
		t.Fatal(err)
	}
	if err := l.Rename(ctx, StagingVolume, "up1/data", "vol", "obj/data"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	got, err := l.ReadFile(ctx, "vol", "obj/data/part")
	if err != nil || string(got) != "shard" {
		t.Fatalf("got %q, %v, want %q", got, err, "shard")
	}
	if _, err := l.Stat(ctx, StagingVolume, "up1/data"); !errors.Is(err, ErrFileNotFound) {
		t.Errorf("got error %v for the source, want ErrFileNotFound", err)
	}
}

func TestRenameRefusesToMergeDirectories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	for _, p := range []string{"a/x", "b/y"} {
		if err := l.WriteFile(ctx, "vol", p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Rename(ctx, "vol", "a", "vol", "b"); err == nil {
		t.Fatalf("got no error renaming a directory onto a non-empty one, want one")
	}
	if got, err := l.ReadFile(ctx, "vol", "b/y"); err != nil || string(got) != "b/y" {
		t.Errorf("got %q, %v, want the destination untouched", got, err)
	}
}

func TestRenameReplacesAFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	for p, c := range map[string]string{"old": "old", "new": "new"} {
		if err := l.WriteFile(ctx, "vol", p, []byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Rename(ctx, "vol", "new", "vol", "old"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if got, err := l.ReadFile(ctx, "vol", "old"); err != nil || string(got) != "new" {
		t.Errorf("got %q, %v, want %q", got, err, "new")
	}
}

func TestDeleteRemovesTreesAndIgnoresMissingPaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	for _, p := range []string{"tree/a", "tree/sub/b", "keep"} {
		if err := l.WriteFile(ctx, "vol", p, []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"tree", "missing", "tree"} {
		if err := l.Delete(ctx, "vol", p); err != nil {
			t.Fatalf("Delete(%s): %v", p, err)
		}
	}
	names, err := l.List(ctx, "vol", ".")
	if err != nil || !slices.Equal(names, []string{"keep"}) {
		t.Errorf("got %v, %v, want [keep]", names, err)
	}
	if left := tmpEntries(t, l); len(left) != 0 {
		t.Errorf("got %v in the temporary folder, want nothing", left)
	}
}

func TestListAndStat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	for _, p := range []string{"b/x", "a", "c"} {
		if err := l.WriteFile(ctx, "vol", p, []byte("12345")); err != nil {
			t.Fatal(err)
		}
	}
	names, err := l.List(ctx, "vol", ".")
	if err != nil || !slices.Equal(names, []string{"a", "b/", "c"}) {
		t.Errorf("got %v, %v, want [a b/ c] without the volume marker", names, err)
	}

	st, err := l.Stat(ctx, "vol", "a")
	if err != nil || st.Name != "a" || st.Size != 5 || st.IsDir {
		t.Errorf("got %+v, %v, want a 5-byte file named a", st, err)
	}
	st, err = l.Stat(ctx, "vol", "b")
	if err != nil || !st.IsDir {
		t.Errorf("got %+v, %v, want a directory", st, err)
	}
}

func TestFileWriterCommitsOnlyOnCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	w, err := l.CreateFile(ctx, "vol", "obj/part")
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	for _, chunk := range [][]byte{[]byte("hello "), []byte("world")} {
		if _, err := w.Write(chunk); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if _, err := l.Stat(ctx, "vol", "obj/part"); !errors.Is(err, ErrFileNotFound) {
		t.Fatalf("got error %v before Commit, want ErrFileNotFound", err)
	}

	if err := w.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	got, err := l.ReadFile(ctx, "vol", "obj/part")
	if err != nil || !bytes.Equal(got, []byte("hello world")) {
		t.Errorf("got %q, %v, want %q", got, err, "hello world")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("got error %v from Abort after Commit, want nil", err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrWriterDone) {
		t.Errorf("got error %v writing after Commit, want ErrWriterDone", err)
	}
}

func TestFileWriterAbortLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newDriveWithVolume(t)
	w, err := l.CreateFile(ctx, "vol", "obj/part")
	if err != nil {
		t.Fatalf("CreateFile: %v", err)
	}
	if _, err := w.Write([]byte("doomed")); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := w.Commit(); !errors.Is(err, ErrWriterDone) {
		t.Errorf("got error %v committing after Abort, want ErrWriterDone", err)
	}
	if _, err := l.Stat(ctx, "vol", "obj"); !errors.Is(err, ErrFileNotFound) {
		t.Errorf("got error %v, want ErrFileNotFound", err)
	}
	if left := tmpEntries(t, l); len(left) != 0 {
		t.Errorf("got %v in the temporary folder, want nothing", left)
	}
}
