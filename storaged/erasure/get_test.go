package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

var _ io.WriterTo = (*Reader)(nil)

// TestWriteToWritesTheRangeAsReadDoes reads ranges of an object over three
// blocks, healthy and with both data drives of a 2+2 set gone, through
// WriteTo, and checks the bytes against the object.
func TestWriteToWritesTheRangeAsReadDoes(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	data := randomBytes(3*DefaultBlockSize+777, 51)
	mustPut(t, ts.Set, "obj", data)
	ranges := [][2]int64{{0, int64(len(data))}, {5, DefaultBlockSize}, {DefaultBlockSize - 3, 9},
		{int64(len(data)) - 1, 1}, {17, 0}}
	for _, lose := range []bool{false, true} {
		if lose {
			loseDataDrives(t, ts, "obj")
		}
		for _, rg := range ranges {
			t.Run(fmt.Sprintf("lost %v, %d bytes from %d", lose, rg[1], rg[0]), func(t *testing.T) {
				r := newRangeReader(t, ts.Set, "obj", rg[0], rg[1])
				var got bytes.Buffer
				n, err := r.WriteTo(&got)
				want := data[rg[0] : rg[0]+rg[1]]
				if err != nil || n != int64(len(want)) || !bytes.Equal(got.Bytes(), want) {
					t.Errorf("got %d bytes (differing at %d) and %v, want %d bytes and no error",
						n, firstDiff(got.Bytes(), want), err, len(want))
				}
				if got := len(r.Failures()); lose && rg[1] > 0 && got != 2 {
					t.Errorf("failed drives: got %d, want 2, the data shards' drives", got)
				}
			})
		}
	}
}

// TestWriteToReturnsTheWritersError checks that WriteTo stops at the first
// failed write and returns its error.
func TestWriteToReturnsTheWritersError(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	data := randomBytes(2*DefaultBlockSize, 52)
	mustPut(t, ts.Set, "obj", data)
	r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
	w := &failAfter{left: DefaultBlockSize + 10}
	n, err := r.WriteTo(w)
	if !errors.Is(err, errWriterFull) || n != DefaultBlockSize+10 {
		t.Errorf("got %d bytes and %v, want %d and errWriterFull", n, err, DefaultBlockSize+10)
	}
}

// newRangeReader opens a reader over [off, off+n) of key, closed when the
// test ends.
func newRangeReader(t *testing.T, s *Set, key string, off, n int64) *Reader {
	t.Helper()
	ctx := context.Background()
	o, err := s.Open(ctx, "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.NewReader(ctx, off, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// loseDataDrives removes the shard files of key's data shards.
func loseDataDrives(t *testing.T, ts *testSet, key string) {
	t.Helper()
	o, err := ts.Open(context.Background(), "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	for idx := range o.meta.Erasure.Data {
		for _, f := range filesNamed(t, ts.dirs[o.shardDrive[idx]], shardFile) {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// errWriterFull is what failAfter answers once full.
var errWriterFull = errors.New("test writer full")

// failAfter takes left bytes, then fails.
type failAfter struct{ left int }

func (w *failAfter) Write(p []byte) (int, error) {
	n := min(len(p), w.left)
	w.left -= n
	if n < len(p) {
		return n, errWriterFull
	}
	return n, nil
}

// TestACorruptLargeRecordIsReplacedByParity corrupts block 1 of some shard
// files of an object whose records are large enough to be checked while the
// block is decoded, and checks that a read returns the object's bytes while
// parity can replace them, and ErrReadQuorum when it cannot.
func TestACorruptLargeRecordIsReplacedByParity(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		corrupt []int // shard indexes
		wantErr error
	}{
		{"one data shard", []int{0}, nil},
		{"both data shards", []int{0, 1}, nil},
		{"a data and a parity shard", []int{1, 3}, nil},
		{"three shards", []int{0, 1, 2}, ErrReadQuorum},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			data := randomBytes(3*DefaultBlockSize, 53)
			mustPut(t, ts.Set, "obj", data)
			corruptBlock(t, ts, "obj", 1, tc.corrupt)
			got, err := readAll(ts.Set, "obj")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("read: got %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && !bytes.Equal(got, data) {
				t.Errorf("read: got %d bytes differing at %d, want the object's %d",
					len(got), firstDiff(got, data), len(data))
			}
		})
	}
}

// corruptBlock flips bytes inside block b's record of each shard index in
// idxs of key's shard files.
func corruptBlock(t *testing.T, ts *testSet, key string, b int64, idxs []int) {
	t.Helper()
	o, err := ts.Open(context.Background(), "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	off := o.meta.segments(o.dir)[0].geo.recordOffset(b) + hashSize + 1000
	for _, idx := range idxs {
		for _, f := range filesNamed(t, ts.dirs[o.shardDrive[idx]], shardFile) {
			flipBytes(t, f, off, off+10)
		}
	}
}

// TestCorruptRecordsOnEitherBlockOfAPairAreReplaced: a read checks a
// block's records together with the next block's, read ahead; a corrupt
// record is found and replaced by parity whether it is in the first block
// of such a pair or the second, and each bad drive is reported once.
func TestCorruptRecordsOnEitherBlockOfAPairAreReplaced(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	data := randomBytes(6*DefaultBlockSize, 54)
	mustPut(t, ts.Set, "obj", data)
	corruptBlock(t, ts, "obj", 1, []int{0}) // read ahead with block 0
	corruptBlock(t, ts, "obj", 4, []int{1}) // read with block 5 ahead
	r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read: got %d bytes differing at %d, %v; want the object's %d", len(got),
			firstDiff(got, data), err, len(data))
	}
	o, err := ts.Open(context.Background(), "bkt", "obj")
	if err != nil {
		t.Fatal(err)
	}
	fails := r.Failures()
	want := []int{o.shardDrive[0], o.shardDrive[1]}
	if len(fails) != 2 {
		t.Fatalf("got failures %v, want drives %v once each", fails, want)
	}
	for i, f := range fails {
		if f.Drive != want[i] || !errors.Is(f.Err, ErrCorruptShard) {
			t.Errorf("failure %d: got drive %d, %v; want drive %d and ErrCorruptShard", i,
				f.Drive, f.Err, want[i])
		}
	}
}
