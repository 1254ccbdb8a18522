package erasure

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// newMonitoredSet is newTestSet over MonitoredDrives, with a monitor of
// the set that only checks when the test calls Check.
func newMonitoredSet(t *testing.T, n, parity int) (*testSet, *DriveMonitor) {
	t.Helper()
	dirs := make([]string, n)
	root := t.TempDir()
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	ts := newTestSetOver(t, MonitorLocalDrives(drives), parity)
	ts.dirs = dirs
	m, err := NewDriveMonitor(DriveMonitorConfig{Sets: []*Set{ts.Set}})
	if err != nil {
		t.Fatalf("NewDriveMonitor: %v", err)
	}
	if got := m.Watched(); got != n {
		t.Fatalf("got %d drives watched, want %d", got, n)
	}
	if got := m.Check(context.Background()); len(got) != 0 {
		t.Fatalf("first check of healthy drives: got changes %+v, want none", got)
	}
	return ts, m
}

// wipe removes a drive directory and makes it again, empty.
func wipe(t *testing.T, dir string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// onlyChange returns the single change of changes, or fails t.
func onlyChange(t *testing.T, changes []DriveChange, pos int, want DriveEvent) DriveChange {
	t.Helper()
	if len(changes) != 1 || changes[0].Position != pos || changes[0].Event != want {
		t.Fatalf("got changes %+v, want one %q on drive %d", changes, want, pos)
	}
	return changes[0]
}

func TestDriveMonitorFormatsAWipedDriveAgain(t *testing.T) {
	t.Parallel()
	ts, m := newMonitoredSet(t, 4, 2)
	before, err := drive.ReadFormat(ts.dirs[1])
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, ts.Set, "old", randomBytes(100_000, 1))

	wipe(t, ts.dirs[1])
	c := onlyChange(t, m.Check(context.Background()), 1, DriveFormatted)
	if c.Err != nil || c.Drive != ts.dirs[1] {
		t.Fatalf("got change %+v, want drive %s formatted without error", c, ts.dirs[1])
	}
	after, err := drive.ReadFormat(ts.dirs[1])
	if err != nil {
		t.Fatalf("reading the new format: %v", err)
	}
	if after.Identity() != before.Identity() || after.DriveID == before.DriveID {
		t.Errorf("got format %+v, want identity %+v under a new drive ID", after, before)
	}
	if _, err := os.Stat(filepath.Join(ts.dirs[1], "bkt")); err != nil {
		t.Errorf("bucket not put back on the formatted drive: %v", err)
	}
	mustPut(t, ts.Set, "new", randomBytes(100_000, 2))
	if got := filesNamed(t, ts.dirs[1], "meta"); len(got) != 1 {
		t.Errorf("got meta files %v on the formatted drive, want only the new object's", got)
	}
	if got := m.Check(context.Background()); len(got) != 0 {
		t.Errorf("check after formatting: got changes %+v, want none", got)
	}
}

func TestDriveMonitorLeavesUnreadableDrivesAlone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		// check is what must still be true of the directory afterwards.
		check func(t *testing.T, dir string)
	}{
		{
			name: "a corrupt format file is kept",
			spoil: func(t *testing.T, dir string) {
				writeFile(t, drive.FormatPath(dir), "not json")
			},
			check: func(t *testing.T, dir string) {
				if b, _ := os.ReadFile(drive.FormatPath(dir)); string(b) != "not json" {
					t.Errorf("got format file %q, want the corrupt one kept", b)
				}
			},
		},
		{
			name: "a format path that cannot be read is kept",
			spoil: func(t *testing.T, dir string) {
				removeFile(t, drive.FormatPath(dir))
				if err := os.Mkdir(drive.FormatPath(dir), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string) {
				if st, err := os.Stat(drive.FormatPath(dir)); err != nil || !st.IsDir() {
					t.Errorf("format path changed: %v", err)
				}
			},
		},
		{
			name:  "a missing directory is not made",
			spoil: func(t *testing.T, dir string) { removeFile(t, dir) },
			check: func(t *testing.T, dir string) {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("got %v for the drive directory, want it still missing", err)
				}
			},
		},
		{
			name:  "a drive without format that holds data is not formatted",
			spoil: func(t *testing.T, dir string) { removeFile(t, drive.FormatPath(dir)) },
			check: func(t *testing.T, dir string) {
				if _, err := os.Stat(drive.FormatPath(dir)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("got %v for the format file, want none written", err)
				}
				if _, err := os.Stat(filepath.Join(dir, "bkt")); err != nil {
					t.Errorf("the drive's data changed: %v", err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, m := newMonitoredSet(t, 4, 2)
			tc.spoil(t, ts.dirs[2])
			c := onlyChange(t, m.Check(context.Background()), 2, DriveUnreadable)
			if c.Err == nil {
				t.Errorf("got no error in %+v, want why the drive was left alone", c)
			}
			if got := m.Check(context.Background()); len(got) != 0 {
				t.Errorf("second check: got changes %+v, want none (reported once)", got)
			}
			tc.check(t, ts.dirs[2])
		})
	}
}

func TestDriveMonitorTakesAForeignDriveOffline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// format returns the foreign format to put on drive 1.
		format func(own drive.Format) drive.Format
	}{
		{name: "another position", format: func(own drive.Format) drive.Format {
			own.Index = 3
			return own
		}},
		{name: "another deployment", format: func(own drive.Format) drive.Format {
			own.SetID = "other-deployment"
			return own
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, m := newMonitoredSet(t, 4, 2)
			dir := ts.dirs[1]
			own, err := os.ReadFile(drive.FormatPath(dir))
			if err != nil {
				t.Fatal(err)
			}
			f, err := drive.ReadFormat(dir)
			if err != nil {
				t.Fatal(err)
			}
			foreign := writeFormat(t, dir, tc.format(f))

			c := onlyChange(t, m.Check(context.Background()), 1, DriveForeign)
			if !errors.Is(c.Err, drive.ErrFormatMismatch) {
				t.Errorf("got error %v, want one wrapping drive.ErrFormatMismatch", c.Err)
			}
			st := ts.DriveStates(context.Background())[1]
			if st.Online || !strings.Contains(st.Error, "format belongs to another") {
				t.Errorf("got drive state %+v, want offline with the mismatch", st)
			}
			mustPut(t, ts.Set, "while-foreign", randomBytes(10_000, 3))
			if got := filesNamed(t, dir, "meta"); len(got) != 0 {
				t.Errorf("got meta files %v on the foreign drive, want it untouched", got)
			}
			if b, _ := os.ReadFile(drive.FormatPath(dir)); string(b) != foreign {
				t.Errorf("got format %q, want the foreign one kept", b)
			}

			writeFile(t, drive.FormatPath(dir), string(own))
			onlyChange(t, m.Check(context.Background()), 1, DriveBack)
			if st := ts.DriveStates(context.Background())[1]; !st.Online {
				t.Errorf("got drive state %+v after its format came back, want online", st)
			}
		})
	}
}

func TestDriveMonitorChecksOnItsOwn(t *testing.T) {
	t.Parallel()
	ts, _ := newMonitoredSet(t, 4, 2)
	changes := make(chan DriveChange, 8)
	m, err := NewDriveMonitor(DriveMonitorConfig{Sets: []*Set{ts.Set},
		Interval: 20 * time.Millisecond, OnChange: func(c DriveChange) { changes <- c }})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Close()

	wipe(t, ts.dirs[0])
	select {
	case c := <-changes:
		if c.Event != DriveFormatted || c.Position != 0 || c.Set != 0 {
			t.Fatalf("got change %+v, want drive 0 of set 0 formatted", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the monitor did not format the wiped drive within 5s")
	}
	if _, err := drive.ReadFormat(ts.dirs[0]); err != nil {
		t.Errorf("reading the new format: %v", err)
	}
}

func TestNewDriveMonitorRefusesBadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  DriveMonitorConfig
		want string
	}{
		{"a negative interval", DriveMonitorConfig{Interval: -time.Second}, "negative"},
		{"a nil set", DriveMonitorConfig{Sets: []*Set{nil}}, "set 0 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewDriveMonitor(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error that says %q", err, tc.want)
			}
		})
	}
}

func TestDriveMonitorWatchesOnlyMonitoredDrives(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2) // plain local drives
	m, err := NewDriveMonitor(DriveMonitorConfig{Sets: []*Set{ts.Set}})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Watched(); got != 0 {
		t.Errorf("got %d drives watched, want 0", got)
	}
}

// writeFile replaces the file at p with content.
func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeFormat writes f as the format file of dir and returns its bytes.
func writeFormat(t *testing.T, dir string, f drive.Format) string {
	t.Helper()
	b := fmt.Sprintf(`{"version":%d,"driveID":%q,"setID":%q,"index":%d}`, f.Version,
		f.DriveID, f.SetID, f.Index)
	writeFile(t, drive.FormatPath(dir), b)
	return b
}

// removeFile removes a file or directory tree.
func removeFile(t *testing.T, p string) {
	t.Helper()
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
}
