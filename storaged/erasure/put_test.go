package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"testing"
)

var errBodyBroke = errors.New("client went away")

func TestAFailedPutLeavesNoObjectAndNoData(t *testing.T) {
	t.Parallel()
	half := randomBytes(2*DefaultBlockSize+DefaultBlockSize/2, 9)
	tests := []struct {
		name    string
		body    func() io.Reader
		opts    PutOptions
		ctx     func() context.Context
		wantErr error
	}{
		{
			name:    "a body that fails half way aborts the write",
			body:    func() io.Reader { return &failingReader{data: half, err: errBodyBroke} },
			wantErr: errBodyBroke,
		},
		{
			name: "a metadata callback that fails aborts the write",
			body: func() io.Reader { return bytes.NewReader(half) },
			opts: PutOptions{Metadata: func() (map[string]string, error) {
				return nil, errBodyBroke
			}},
			wantErr: errBodyBroke,
		},
		{
			name: "a canceled request aborts the write",
			body: func() io.Reader { return bytes.NewReader(half) },
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			wantErr: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			_, err := ts.Put(ctx, "bkt", "obj", tt.body(), tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			checkNothingLeft(t, ts)
		})
	}
}

// checkNothingLeft checks that "obj" is not visible and that no drive holds
// any of its bytes, before and after the drives are opened again.
func checkNothingLeft(t *testing.T, ts *testSet) {
	t.Helper()
	if _, err := ts.Stat(context.Background(), "bkt", "obj"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v, want ErrObjectNotFound", err)
	}
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s, want none", left, dir)
		}
	}
	drives, err := OpenLocalDrives("", ts.dirs)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	again := newTestSetOver(t, drives, 2)
	if _, err := again.Stat(context.Background(), "bkt", "obj"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v after reopening, want ErrObjectNotFound", err)
	}
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s after reopening, want none", left, dir)
		}
	}
}

func TestPutStoresMetadataAndReportsSize(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	md := map[string]string{"etag": "abc", "content-type": "text/plain"}
	data := []byte("hello, erasure")
	calls := 0
	info, err := ts.Put(context.Background(), "bkt", "dir/obj", bytes.NewReader(data), PutOptions{
		Metadata: func() (map[string]string, error) {
			calls++
			return md, nil
		},
	})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if calls != 1 || info.Size != int64(len(data)) || info.Key != "dir/obj" || info.ModTime.IsZero() {
		t.Errorf("got %+v after %d metadata calls, want size %d, key dir/obj, a time, one call",
			info, calls, len(data))
	}

	got, err := ts.Stat(context.Background(), "bkt", "dir/obj")
	if err != nil || !maps.Equal(got.Metadata, md) || !got.ModTime.Equal(info.ModTime) {
		t.Errorf("got %+v, %v, want metadata %v and the Put's time", got, err, md)
	}
}

func TestOverwriteReplacesTheObjectAndDropsOldData(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	for i, size := range []int64{3 * DefaultBlockSize, 10, 0, DefaultBlockSize + 1} {
		data := randomBytes(size, uint64(100+i))
		mustPut(t, ts.Set, "obj", data)
		got, err := readAll(ts.Set, "obj")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("version %d: got %d bytes, %v, want the %d stored", i, len(got), err, size)
		}
	}
	expireRetired(ts.Set)
	for _, dir := range ts.dirs {
		if shards := filesNamed(t, dir, shardFile); len(shards) != 1 {
			t.Errorf("got shard files %v on %s, want only the current version's", shards, dir)
		}
	}
}

func TestConcurrentPutsOfOneKeyLeaveOneWholeVersion(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	versions := make([][]byte, 6)
	var wg sync.WaitGroup
	for i := range versions {
		versions[i] = randomBytes(DefaultBlockSize/2+int64(i), uint64(200+i))
		wg.Go(func() {
			_, err := ts.Put(context.Background(), "bkt", "obj", bytes.NewReader(versions[i]), PutOptions{})
			if err != nil {
				t.Errorf("Put %d: %v", i, err)
			}
		})
	}
	wg.Wait()

	got, err := readAll(ts.Set, "obj")
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	for _, v := range versions {
		if bytes.Equal(got, v) {
			return
		}
	}
	t.Errorf("got %d bytes matching none of the versions written", len(got))
}

func TestPutIntoAMissingBucketFails(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	_, err := ts.Put(context.Background(), "nope", "obj", bytes.NewReader([]byte("x")), PutOptions{})
	if !errors.Is(err, ErrBucketNotFound) {
		t.Fatalf("got error %v, want ErrBucketNotFound", err)
	}
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s, want none", left, dir)
		}
	}
}

func TestDeleteRemovesTheObjectEverywhere(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	mustPut(t, ts.Set, "obj", randomBytes(DefaultBlockSize+1, 10))
	for i := range 2 {
		if err := ts.Delete(context.Background(), "bkt", "obj"); err != nil {
			t.Fatalf("Delete %d: %v", i, err)
		}
	}
	if _, err := ts.Stat(context.Background(), "bkt", "obj"); !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("got error %v, want ErrObjectNotFound", err)
	}
	expireRetired(ts.Set)
	for _, dir := range ts.dirs {
		if left := leftovers(t, dir); len(left) != 0 {
			t.Errorf("got files %v on %s, want none", left, dir)
		}
	}
}

func TestNewReaderRejectsRangesOutsideTheObject(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	mustPut(t, ts.Set, "obj", []byte("0123456789"))
	o, err := ts.Open(context.Background(), "bkt", "obj")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int64{{-1, 2}, {0, 11}, {10, 1}, {3, -1}} {
		t.Run(fmt.Sprintf("offset %d length %d is rejected", r[0], r[1]), func(t *testing.T) {
			if _, err := o.NewReader(context.Background(), r[0], r[1]); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}
