package drive

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// testID is the identity test drives are opened with.
var testID = Identity{SetID: "set-a", Index: 0}

// newDrive opens a fresh drive in a temporary directory.
func newDrive(t *testing.T) *Local {
	t.Helper()
	l, err := Open(filepath.Join(t.TempDir(), "d"), testID)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// newDriveWithVolume opens a fresh drive with one volume named "vol".
func newDriveWithVolume(t *testing.T) *Local {
	t.Helper()
	l := newDrive(t)
	if err := l.MakeVolume(context.Background(), "vol"); err != nil {
		t.Fatalf("MakeVolume: %v", err)
	}
	return l
}

// tmpEntries lists what is left in a drive's temporary folder, staging
// volume aside.
func tmpEntries(t *testing.T, l *Local) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(l.tmpDir(), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != l.tmpDir() && p != l.stagingDir() {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", l.tmpDir(), err)
	}
	return names
}
