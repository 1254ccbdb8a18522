package erasure

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/drive"
)

func TestOpenLocalDrivesKeepsTheSetTogether(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reorder func(dirs []string) []string
		setID   string
		want    string
	}{
		{"reopening in the same order adopts the recorded set",
			func(d []string) []string { return d }, "", ""},
		{"swapping two drives is refused",
			func(d []string) []string { return []string{d[1], d[0], d[2], d[3]} }, "",
			"opened as drive 0"},
		{"naming another set is refused",
			func(d []string) []string { return d }, "other-set", "another set"},
		{"a directory listed twice is refused",
			func(d []string) []string { return []string{d[0], d[0], d[2], d[3]} }, "",
			"listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			_, err := OpenLocalDrives(tt.setID, tt.reorder(ts.dirs))
			failed := err != nil && (tt.want == "" || !strings.Contains(err.Error(), tt.want))
			if failed || err == nil && tt.want != "" {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOpenLocalDrivesRefusesDrivesOfTwoSets(t *testing.T) {
	t.Parallel()
	a, b := newTestSet(t, 2, 1), newTestSet(t, 2, 1)
	_, err := OpenLocalDrives("", []string{a.dirs[0], b.dirs[1]})
	if err == nil || !strings.Contains(err.Error(), "different sets") {
		t.Errorf("got error %v, want one about different sets", err)
	}
}

func TestOpenLocalDrivesMarksUnopenableDrivesOffline(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dirs := []string{
		filepath.Join(root, "a"), filepath.Join(root, "file"), filepath.Join(root, "c"),
	}
	if err := os.WriteFile(dirs[1], []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	drives, err := OpenLocalDrives("set", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	if err := drives[1].MakeVolume(context.Background(), "v"); !errors.Is(err, drive.ErrDriveOffline) {
		t.Errorf("got error %v from the unopenable drive, want ErrDriveOffline", err)
	}
	if _, err := OpenLocalDrives("set", dirs[1:2]); err == nil {
		t.Errorf("got no error when no drive opens, want one")
	}
}

func TestUsageReportsEveryDrive(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	if err := os.RemoveAll(ts.dirs[3]); err != nil {
		t.Fatal(err)
	}
	usage := ts.Usage(context.Background())
	if len(usage) != 4 || usage[0].Total == 0 || usage[0].Err != nil || usage[3].Err == nil {
		t.Errorf("got %+v, want space for drives 0-2 and an error for drive 3", usage)
	}
}
