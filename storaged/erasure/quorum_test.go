package erasure

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/strata-storage/strata/storaged/drive"
)

func TestWritesWithoutQuorumFailAndLeaveNothingVisible(t *testing.T) {
	t.Parallel()
	previous := randomBytes(DefaultBlockSize+100, 5)
	data := randomBytes(3*DefaultBlockSize+5, 6)
	tests := []struct {
		name string
		ops  []string
		// budget lets this many bytes reach the shard files first.
		budget int64
	}{
		{name: "two drives that refuse new files fail the write", ops: []string{"CreateFile"}},
		{name: "two drives that fail half way through the shards fail the write",
			ops: []string{"Write"}, budget: DefaultBlockSize},
		{name: "two drives that cannot sync their shard files fail the write", ops: []string{"Commit"}},
		{name: "two drives that cannot stage metadata fail the write", ops: []string{"WriteFile"}},
		{name: "two drives that cannot move the data into place fail the write", ops: []string{"Rename"}},
		{name: "two drives that fail at the last rename are rolled back", ops: []string{"RenameMeta"}},
		{name: "two drives that cannot read the previous metadata fail the write",
			ops: []string{"ReadFile"}},
	}
	for _, tt := range tests {
		for _, withPrevious := range []bool{false, true} {
			name := tt.name
			if withPrevious {
				name += " and keep the previous version"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ts, faulty := newFaultySet(t, tt.ops, tt.budget)
				if withPrevious {
					mustPut(t, ts.Set, "obj", previous)
				}
				for _, f := range faulty {
					f.armed.Store(true)
				}

				_, err := ts.Put(context.Background(), "bkt", "obj", bytes.NewReader(data), PutOptions{})
				if !errors.Is(err, ErrWriteQuorum) {
					t.Fatalf("got error %v, want ErrWriteQuorum", err)
				}
				for _, f := range faulty {
					f.armed.Store(false)
				}
				checkUnchanged(t, ts, withPrevious, previous)
			})
		}
	}
}

// newFaultySet builds a 4-drive, parity-2 set whose drives 1 and 2 fail ops
// once armed; they start disarmed.
func newFaultySet(t *testing.T, ops []string, budget int64) (*testSet, []*faultyDrive) {
	t.Helper()
	plain := newTestSet(t, 4, 2)
	drives := append([]Drive(nil), plain.drives...)
	var faulty []*faultyDrive
	for _, pos := range []int{1, 2} {
		f := newFaulty(drives[pos], ops...)
		f.writeBudget = budget
		f.armed.Store(false)
		drives[pos] = f
		faulty = append(faulty, f)
	}
	ts := newTestSetOver(t, drives, 2)
	ts.dirs = plain.dirs
	return ts, faulty
}

// checkUnchanged checks that a failed write left the previous version (or
// no object) and no stray files on any drive.
func checkUnchanged(t *testing.T, ts *testSet, withPrevious bool, previous []byte) {
	t.Helper()
	got, err := readAll(ts.Set, "obj")
	switch {
	case withPrevious && (err != nil || !bytes.Equal(got, previous)):
		t.Errorf("got %d bytes, %v, want the previous %d bytes", len(got), err, len(previous))
	case !withPrevious && !errors.Is(err, ErrObjectNotFound):
		t.Errorf("got %d bytes, %v, want ErrObjectNotFound", len(got), err)
	}

	want := 0
	if withPrevious {
		want = 2 // its meta file and its shard file
	}
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != want {
			t.Errorf("got files %v on %s, want %d", left, dir, want)
		}
	}
}

func TestWritesFailWhenDriveDirectoriesBecomeFiles(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	for _, dir := range ts.dirs[:2] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, []byte("not a drive"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := randomBytes(2*DefaultBlockSize, 7)
	_, err := ts.Put(context.Background(), "bkt", "obj", bytes.NewReader(data), PutOptions{})
	if !errors.Is(err, ErrWriteQuorum) || !errors.Is(err, drive.ErrDriveOffline) {
		t.Fatalf("got error %v, want ErrWriteQuorum naming offline drives", err)
	}
	if _, err := ts.Stat(context.Background(), "bkt", "obj"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v, want ErrObjectNotFound", err)
	}
	for _, dir := range ts.dirs[2:] {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s, want none", left, dir)
		}
	}
}

func TestAWriteWithOneFailedDriveSucceedsAndIsReported(t *testing.T) {
	t.Parallel()
	plain := newTestSet(t, 4, 2)
	drives := append([]Drive(nil), plain.drives...)
	drives[3] = newFaulty(drives[3], "CreateFile")
	ts := newTestSetOver(t, drives, 2)

	data := randomBytes(DefaultBlockSize+1, 8)
	mustPut(t, ts.Set, "obj", data)
	got, err := readAll(ts.Set, "obj")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, %v, want the %d stored", len(got), err, len(data))
	}
	if rep := ts.degraded.reported(); len(rep) != 1 || rep[0] != 3 {
		t.Errorf("got drives %v reported, want [3]", rep)
	}
}

func TestQuorumSizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		drives, parity      int
		wantRead, wantWrite int
	}{
		{"two plus two needs three to write", 4, 2, 2, 3},
		{"three plus one needs three to write", 4, 1, 3, 3},
		{"four plus four needs five to write", 8, 4, 4, 5},
		{"six plus two needs six to write", 8, 2, 6, 6},
		{"one drive without parity needs it", 1, 0, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			drives := make([]Drive, tt.drives)
			for i := range drives {
				drives[i] = offlineDrive{name: "x"}
			}
			s, err := New(Config{Drives: drives, Parity: tt.parity})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if s.ReadQuorum() != tt.wantRead || s.WriteQuorum() != tt.wantWrite {
				t.Errorf("got read %d write %d, want read %d write %d",
					s.ReadQuorum(), s.WriteQuorum(), tt.wantRead, tt.wantWrite)
			}
		})
	}
}

func TestNewRejectsBadConfigs(t *testing.T) {
	t.Parallel()
	four := []Drive{offlineDrive{}, offlineDrive{}, offlineDrive{}, offlineDrive{}}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no drives is rejected", Config{}},
		{"parity above half the drives is rejected", Config{Drives: four, Parity: 3}},
		{"negative parity is rejected", Config{Drives: four, Parity: -1}},
		{"a nil drive is rejected", Config{Drives: []Drive{nil, offlineDrive{}}, Parity: 1}},
		{"a huge block size is rejected", Config{Drives: four, Parity: 2, BlockSize: 1 << 30}},
		{"a block smaller than the data shards is rejected",
			Config{Drives: four, Parity: 1, BlockSize: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(tt.cfg); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

func TestReplacedDrivesStillServeReadsAndDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	data := randomBytes(DefaultBlockSize+9, 14)
	mustPut(t, ts.Set, "obj", data)
	mustPut(t, ts.Set, "doomed", []byte("x"))
	for _, dir := range ts.dirs[:2] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	drives, err := OpenLocalDrives("", ts.dirs) // formats two fresh, empty drives
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	again := newTestSetOver(t, drives, 2)

	if got, err := readAll(again.Set, "obj"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("got %d bytes, %v, want the %d stored", len(got), err, len(data))
	}
	if _, err := again.Stat(ctx, "bkt", "missing"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v for a missing key, want ErrObjectNotFound", err)
	}
	if err := again.Delete(ctx, "bkt", "doomed"); err != nil {
		t.Errorf("got error %v deleting, want nil", err)
	}
	if _, err := again.Stat(ctx, "bkt", "doomed"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v after deleting, want ErrObjectNotFound", err)
	}
}
