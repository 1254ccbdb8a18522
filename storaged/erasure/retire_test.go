package erasure

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// putThreeParts stores key as a completed upload of three parts of one
// and a half blocks each, made from seed, and returns its bytes.
func putThreeParts(t *testing.T, s *Set, key string, seed uint64) []byte {
	t.Helper()
	up := startUpload(t, s, key)
	var parts [][]byte
	for n := 1; n <= 3; n++ {
		p := randomBytes(DefaultBlockSize+DefaultBlockSize/2, 10*seed+uint64(n))
		mustPutPart(t, s, up.UploadID, n, p)
		parts = append(parts, p)
	}
	assemble, _ := takeParts(1, 2, 3)
	if _, err := s.CompleteUpload(context.Background(), "bkt", up.UploadID,
		CompleteOptions{Assemble: assemble}); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	return slices.Concat(parts...)
}

// TestAReadInFlightKeepsItsVersion: a read that began before the key was
// overwritten or deleted returns the version it opened, whole, even where
// it must open shard files after the change (the next part of a multipart
// object; a parity shard once a data shard fails its hash).
func TestAReadInFlightKeepsItsVersion(t *testing.T) {
	t.Parallel()
	changes := map[string]func(t *testing.T, ts *testSet, key string){
		"overwritten": func(t *testing.T, ts *testSet, key string) {
			mustPut(t, ts.Set, key, []byte("new"))
		},
		"deleted": func(t *testing.T, ts *testSet, key string) {
			if err := ts.Delete(context.Background(), "bkt", key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		},
	}
	for name, change := range changes {
		t.Run(name+", multipart", func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			want := putThreeParts(t, ts.Set, "k", 1)
			checkReadAcross(t, ts, "k", want, func() { change(t, ts, "k") })
		})
		// The change retires the object directory while a data directory
		// of it, retired by the overwrite, is already in that minute's
		// folder.
		t.Run(name+" in the minute it was overwritten, multipart", func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			minute := time.Date(2026, 12, 5, 10, 0, 30, 0, time.UTC)
			ts.Set.now = func() time.Time { return minute }
			putThreeParts(t, ts.Set, "k", 1)
			want := putThreeParts(t, ts.Set, "k", 2)
			checkReadAcross(t, ts, "k", want, func() { change(t, ts, "k") })
		})
		t.Run(name+", a data shard corrupt further on", func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			want := randomBytes(4*DefaultBlockSize, 9)
			mustPut(t, ts.Set, "k", want)
			o, err := ts.Open(context.Background(), "bkt", "k")
			if err != nil {
				t.Fatal(err)
			}
			// Block 2 of data shard 0: the read meets it after the change
			// and must then open a parity shard.
			rec := int64(hashSize + DefaultBlockSize/2)
			for _, f := range filesNamed(t, ts.dirs[o.shardDrive[0]], shardFile) {
				flipBytes(t, f, 2*rec+hashSize, 2*rec+hashSize+8)
			}
			checkReadAcross(t, ts, "k", want, func() { change(t, ts, "k") })
		})
	}
}

// checkReadAcross opens key, reads its first 64 KiB, calls change, and
// checks that the rest of the read returns want.
func checkReadAcross(t *testing.T, ts *testSet, key string, want []byte, change func()) {
	t.Helper()
	ctx := context.Background()
	o, err := ts.Open(ctx, "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.NewReader(ctx, 0, int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 64<<10)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatalf("reading the start: %v", err)
	}
	change()
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading on after the change: %v", err)
	}
	if got := append(head, rest...); !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want the %d of the version opened (first difference at %d)",
			len(got), len(want), firstDiff(got, want))
	}
}

// TestRetiredDataLeavesAfterRetireFor: data a change retires stays in the
// retired folder until RetireFor has passed since its minute, and the next
// change on the drive after that removes it.
func TestRetiredDataLeavesAfterRetireFor(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	start := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	var clock atomic.Pointer[time.Time]
	clock.Store(&start)
	ts.Set.now = func() time.Time { return *clock.Load() }
	at := func(d time.Duration) {
		t := start.Add(d)
		clock.Store(&t)
	}
	retired := func() []string {
		var out []string
		for _, f := range filesNamed(t, ts.dirs[0], shardFile) {
			if strings.Contains(f, "/"+retiredDir+"/") {
				out = append(out, f)
			}
		}
		return out
	}

	mustPut(t, ts.Set, "k", []byte("one"))
	mustPut(t, ts.Set, "k", []byte("two")) // retires "one" at 10:00
	if got := retired(); len(got) != 1 {
		t.Fatalf("after one overwrite: got retired %v, want one shard file", got)
	}
	at(5 * time.Minute)
	mustPut(t, ts.Set, "k", []byte("three")) // retires "two" at 10:05
	if got := retired(); len(got) != 2 {
		t.Fatalf("5 minutes on: got retired %v, want both versions kept", got)
	}
	at(DefaultRetireFor + 2*time.Minute)
	mustPut(t, ts.Set, "k", []byte("four")) // retires "three"; 10:00's is due
	got := retired()
	if len(got) != 2 || slices.ContainsFunc(got, func(f string) bool {
		return strings.Contains(f, "/"+retiredMinute(start)+"/")
	}) {
		t.Fatalf("%v on: got retired %v, want 10:05's and the latest, not 10:00's",
			DefaultRetireFor+2*time.Minute, got)
	}
	if b, err := readAll(ts.Set, "k"); err != nil || string(b) != "four" {
		t.Errorf("got %q, %v, want the current version", b, err)
	}
}

// shortDrive is a drive that reports a twentieth of its space free.
type shortDrive struct{ Drive }

func (d shortDrive) DiskInfo(context.Context) (drive.DiskInfo, error) {
	return drive.DiskInfo{Total: 100 << 30, Free: 5 << 30, Used: 95 << 30}, nil
}

// TestADriveShortOfSpaceKeepsNothingRetired: on a drive with less than a
// tenth of its space free, what a change removes is gone at once.
func TestADriveShortOfSpaceKeepsNothingRetired(t *testing.T) {
	t.Parallel()
	plain := newTestSet(t, 4, 2)
	drives := make([]Drive, len(plain.drives))
	for i, d := range plain.drives {
		drives[i] = shortDrive{d}
	}
	ts := newTestSetOver(t, drives, 2)
	ts.dirs = plain.dirs
	for i, body := range []string{"one", "two", "three"} {
		mustPut(t, ts.Set, "k", []byte(body))
		for _, dir := range ts.dirs {
			if shards := filesNamed(t, dir, shardFile); len(shards) != 1 {
				t.Fatalf("after write %d: got shard files %v, want only the current one", i+1,
					shards)
			}
		}
	}
}
