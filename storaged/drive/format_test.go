package drive

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenFormatsAFreshDriveOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "d")
	first, err := Open(dir, Identity{SetID: "s1", Index: 2})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got := first.Format()
	if got.SetID != "s1" || got.Index != 2 || got.DriveID == "" || got.Version != FormatVersion {
		t.Fatalf("got format %+v, want set s1 index 2 with a drive ID", got)
	}

	again, err := Open(dir, Identity{SetID: "s1", Index: 2})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	if again.Format() != got {
		t.Errorf("got format %+v after reopening, want %+v", again.Format(), got)
	}
	read, err := ReadFormat(dir)
	if err != nil || read != got {
		t.Errorf("ReadFormat: got %+v, %v, want %+v", read, err, got)
	}
}

func TestOpenRefusesADriveOfAnotherSetOrIndex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want Identity
	}{
		{name: "a drive of another set is refused", want: Identity{SetID: "other", Index: 1}},
		{name: "a drive at another index is refused", want: Identity{SetID: "s1", Index: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := Open(dir, Identity{SetID: "s1", Index: 1}); err != nil {
				t.Fatalf("Open: %v", err)
			}
			_, err := Open(dir, tt.want)
			if !errors.Is(err, ErrFormatMismatch) {
				t.Fatalf("got error %v, want ErrFormatMismatch", err)
			}
			if !strings.Contains(err.Error(), `set "s1"`) || !strings.Contains(err.Error(), dir) {
				t.Errorf("got message %q, want it to name the drive and the set it belongs to", err)
			}
		})
	}
}

func TestOpenRefusesWhatItCannotFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		id    Identity
		want  string
	}{
		{
			name: "a directory holding other files is not formatted",
			setup: func(t *testing.T, dir string) {
				mustWrite(t, filepath.Join(dir, "precious.txt"), "data")
			},
			id:   testID,
			want: "refusing to format",
		},
		{
			name: "a file is not a drive",
			setup: func(t *testing.T, dir string) {
				if err := os.Remove(dir); err != nil {
					t.Fatal(err)
				}
				mustWrite(t, dir, "not a directory")
			},
			id:   testID,
			want: "not a directory",
		},
		{
			name:  "an empty set ID is invalid",
			setup: func(t *testing.T, dir string) {},
			id:    Identity{Index: 0},
			want:  "invalid identity",
		},
		{
			name:  "a negative index is invalid",
			setup: func(t *testing.T, dir string) {},
			id:    Identity{SetID: "s", Index: -1},
			want:  "invalid identity",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tt.setup(t, dir)
			_, err := Open(dir, tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadFormatOfAnUnformattedDirectory(t *testing.T) {
	t.Parallel()
	_, err := ReadFormat(t.TempDir())
	if !errors.Is(err, ErrUnformatted) {
		t.Fatalf("got error %v, want ErrUnformatted", err)
	}
}

func TestReadFormatRejectsAnInvalidFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, sysDir), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, sysDir, formatFile), `{"version": 1}`)
	if _, err := ReadFormat(dir); err == nil || errors.Is(err, ErrUnformatted) {
		t.Fatalf("got error %v, want an invalid-format error", err)
	}
	if _, err := Open(dir, testID); err == nil {
		t.Fatalf("Open of a drive with an invalid format succeeded, want an error")
	}
}

// mustWrite writes a file or fails the test.
func mustWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
