package erasure

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// damage breaks one drive of a test set in a particular way.
type damage struct {
	name string
	// corrupts is true when the drive still answers but with bad bytes,
	// which the set must notice and report.
	corrupts bool
	apply    func(t *testing.T, dir string)
}

var damages = []damage{
	{name: "removed", apply: func(t *testing.T, dir string) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "with flipped shard bytes", corrupts: true, apply: func(t *testing.T, dir string) {
		for _, f := range filesNamed(t, dir, shardFile) {
			flipBytes(t, f, 0, -1)
		}
	}},
	{name: "with flipped meta bytes", corrupts: true, apply: func(t *testing.T, dir string) {
		for _, f := range filesNamed(t, dir, metaFile) {
			flipBytes(t, f, 100, 101)
		}
	}},
}

// objectSizes are the sizes every durability case stores.
var objectSizes = []int64{0, 1, DefaultBlockSize, DefaultBlockSize + 1, 5*mib + 12345}

// rangeCase is a ranged read of an object of at least minSize bytes.
type rangeCase struct {
	name    string
	minSize int64
	off, n  int64
}

var rangeCases = []rangeCase{
	{"the first byte", 1, 0, 1},
	{"ten bytes each side of the first block boundary",
		DefaultBlockSize + 1, DefaultBlockSize - 10, 11},
	{"exactly the second block", 2 * DefaultBlockSize, DefaultBlockSize, DefaultBlockSize},
	{"from mid first block across three boundaries",
		4 * DefaultBlockSize, DefaultBlockSize / 2, 3 * DefaultBlockSize},
	{"the last byte of a one-block-plus-one object", DefaultBlockSize + 1, DefaultBlockSize, 1},
}

func TestReadsSurviveAnyTwoOfFourDrivesDamaged(t *testing.T) {
	t.Parallel()
	data := randomBytes(objectSizes[len(objectSizes)-1], 1)
	for i := range 4 {
		for j := i + 1; j < 4; j++ {
			for _, di := range damages {
				for _, dj := range damages {
					if testing.Short() && (i != 0 || j != 3) {
						continue
					}
					name := fmt.Sprintf("drive %d %s and drive %d %s still serve every byte",
						i, di.name, j, dj.name)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						checkSurvives(t, data, map[int]damage{i: di, j: dj})
					})
				}
			}
		}
	}
}

// checkSurvives stores objects of every size, damages drives, and checks
// that every object and range reads back exactly and that corrupted drives
// are reported.
func checkSurvives(t *testing.T, data []byte, broken map[int]damage) {
	ts := newTestSet(t, 4, 2)
	for _, size := range objectSizes {
		mustPut(t, ts.Set, fmt.Sprint(size), data[:size])
	}
	for pos, d := range broken {
		d.apply(t, ts.dirs[pos])
	}

	for _, size := range objectSizes {
		got, err := readAll(ts.Set, fmt.Sprint(size))
		if err != nil {
			t.Fatalf("reading %d bytes: %v", size, err)
		}
		if !bytes.Equal(got, data[:size]) {
			t.Fatalf("reading %d bytes: got %d bytes differing from offset %d, want the stored ones",
				size, len(got), firstDiff(got, data[:size]))
		}
		for _, rc := range rangeCases {
			if size < rc.minSize {
				continue
			}
			got, err := readRange(ts.Set, fmt.Sprint(size), rc.off, rc.n)
			if err != nil || !bytes.Equal(got, data[rc.off:rc.off+rc.n]) {
				t.Fatalf("%s of %d bytes: got %d bytes, %v, want the stored %d",
					rc.name, size, len(got), err, rc.n)
			}
		}
	}
	checkReported(t, ts, broken)
}

// checkReported checks that every corrupted drive was reported degraded.
func checkReported(t *testing.T, ts *testSet, broken map[int]damage) {
	t.Helper()
	reported := map[int]bool{}
	for _, d := range ts.degraded.reported() {
		reported[d] = true
	}
	for pos, d := range broken {
		if d.corrupts && !reported[pos] {
			t.Errorf("got drives %v reported degraded, want drive %d among them",
				ts.degraded.reported(), pos)
		}
	}
}

func TestReadsFailCleanlyWithThreeOfFourDrivesDamaged(t *testing.T) {
	t.Parallel()
	data := randomBytes(3*DefaultBlockSize+7, 2)
	tests := []struct {
		name string
		// breaks damages drives 0-2 after the object is written.
		breaks func(t *testing.T, ts *testSet)
		// intact is how many leading bytes may still be returned.
		intact int64
	}{
		{
			name: "three removed drives give a read quorum error and no bytes",
			breaks: func(t *testing.T, ts *testSet) {
				for _, dir := range ts.dirs[:3] {
					damages[0].apply(t, dir)
				}
			},
		},
		{
			name: "three drives with bad metadata give a read quorum error and no bytes",
			breaks: func(t *testing.T, ts *testSet) {
				for _, dir := range ts.dirs[:3] {
					damages[2].apply(t, dir)
				}
			},
		},
		{
			name: "three drives with bad shards give a read quorum error and no bytes",
			breaks: func(t *testing.T, ts *testSet) {
				for _, dir := range ts.dirs[:3] {
					damages[1].apply(t, dir)
				}
			},
		},
		{
			name: "bad third blocks on three drives stop the read after two good blocks",
			breaks: func(t *testing.T, ts *testSet) {
				stride := int64(hashSize + DefaultBlockSize/2)
				for _, dir := range ts.dirs[:3] {
					for _, f := range filesNamed(t, dir, shardFile) {
						flipBytes(t, f, 2*stride+40, 2*stride+41)
					}
				}
			},
			intact: 2 * DefaultBlockSize,
		},
		{
			name: "two removed drives and a bad last block on a third fail at the last block",
			breaks: func(t *testing.T, ts *testSet) {
				damages[0].apply(t, ts.dirs[0])
				damages[0].apply(t, ts.dirs[1])
				for _, f := range filesNamed(t, ts.dirs[2], shardFile) {
					flipBytes(t, f, 3*int64(hashSize+DefaultBlockSize/2), -1)
				}
			},
			intact: 3 * DefaultBlockSize,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			mustPut(t, ts.Set, "obj", data)
			tt.breaks(t, ts)

			got, err := readAll(ts.Set, "obj")
			if !errors.Is(err, ErrReadQuorum) {
				t.Fatalf("got error %v, want ErrReadQuorum", err)
			}
			if int64(len(got)) > tt.intact || !bytes.Equal(got, data[:len(got)]) {
				t.Fatalf("got %d bytes before the error, want at most %d, all correct",
					len(got), tt.intact)
			}
		})
	}
}

func TestAOneDriveSetWithoutParityStoresObjects(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 1, 0)
	data := randomBytes(DefaultBlockSize+3, 3)
	mustPut(t, ts.Set, "obj", data)
	got, err := readAll(ts.Set, "obj")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, %v, want the %d stored", len(got), err, len(data))
	}
}

func TestOddGeometriesRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		drives, parity int
	}{
		{2, 1}, {3, 1}, {5, 2}, {6, 3}, {7, 3},
	}
	data := randomBytes(2*DefaultBlockSize+5, 4)
	for _, tt := range tests {
		name := fmt.Sprintf("%d drives with parity %d survive losing %d", tt.drives, tt.parity, tt.parity)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, tt.drives, tt.parity)
			mustPut(t, ts.Set, "obj", data)
			for _, dir := range ts.dirs[:tt.parity] {
				if err := os.RemoveAll(filepath.Clean(dir)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := readAll(ts.Set, "obj")
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("got %d bytes, %v, want the %d stored", len(got), err, len(data))
			}
		})
	}
}
