package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// startUpload starts an upload of key in "bkt" or fails the test.
func startUpload(t *testing.T, s *Set, key string) UploadInfo {
	t.Helper()
	up, err := s.NewUpload(context.Background(), "bkt", key,
		UploadOptions{Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatalf("NewUpload: %v", err)
	}
	return up
}

// mustPutPart stores a part whose metadata names it, or fails the test.
func mustPutPart(t *testing.T, s *Set, uploadID string, n int, data []byte) PartInfo {
	t.Helper()
	p, err := s.PutPart(context.Background(), "bkt", uploadID, n, bytes.NewReader(data),
		PutOptions{Metadata: func() (map[string]string, error) {
			return map[string]string{"part": fmt.Sprint(n)}, nil
		}})
	if err != nil {
		t.Fatalf("PutPart %d: %v", n, err)
	}
	return p
}

// takeParts returns an Assemble function that picks numbers and records
// what it was shown.
func takeParts(numbers ...int) (func(UploadInfo, []PartInfo) ([]int, map[string]string, error),
	*[]PartInfo) {
	var seen []PartInfo
	return func(_ UploadInfo, parts []PartInfo) ([]int, map[string]string, error) {
		seen = parts
		return numbers, map[string]string{"etag": "multi"}, nil
	}, &seen
}

func TestCompletedUploadsReadAcrossTheirParts(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	up := startUpload(t, ts.Set, "big")
	parts := [][]byte{
		randomBytes(DefaultBlockSize+DefaultBlockSize/2, 1),
		randomBytes(1, 2),
		randomBytes(2*DefaultBlockSize+3, 3),
	}
	for i, p := range parts {
		mustPutPart(t, ts.Set, up.UploadID, i+1, p)
	}
	assemble, seen := takeParts(1, 2, 3)
	info, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
		CompleteOptions{Assemble: assemble})
	if err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	if s := *seen; len(s) != 3 || s[1].Metadata["part"] != "2" ||
		s[2].Size != int64(len(parts[2])) {
		t.Errorf("Assemble saw %+v, want the three parts with their metadata", *seen)
	}
	whole := slices.Concat(parts...)
	if info.Size != int64(len(whole)) || len(info.Parts) != 3 || info.Metadata["etag"] != "multi" {
		t.Errorf(
			"got %+v, want %d bytes in three parts with the assembled metadata",
			info,
			len(whole),
		)
	}

	got, err := readAll(ts.Set, "big")
	if err != nil || !bytes.Equal(got, whole) {
		t.Fatalf("got %d bytes, %v, want the %d bytes of the parts", len(got), err, len(whole))
	}
	for _, r := range [][2]int64{{DefaultBlockSize - 5, 10}, {int64(len(parts[0])) - 2, 4},
		{int64(len(parts[0])), 1}, {5, int64(len(whole)) - 10}} {
		got, err := readRange(ts.Set, "big", r[0], r[1])
		if err != nil || !bytes.Equal(got, whole[r[0]:r[0]+r[1]]) {
			t.Errorf("range %v: got %d bytes, %v, want the matching bytes", r, len(got), err)
		}
	}
	checkUploadGone(t, ts, up.UploadID)
	for _, dir := range ts.dirs {
		if n := len(filesNamed(t, dir, "part.2")); n != 1 {
			t.Errorf("got %d shard files of part 2 on %s, want 1 (moved, not copied)", n, dir)
		}
	}
}

// checkUploadGone checks that an upload is neither readable nor on disk.
func checkUploadGone(t *testing.T, ts *testSet, uploadID string) {
	t.Helper()
	if _, err := ts.Upload(context.Background(),
		"bkt", uploadID); !errors.Is(err, ErrUploadNotFound) {
		t.Errorf("got error %v, want ErrUploadNotFound", err)
	}
	for _, dir := range ts.dirs {
		for _, f := range leftovers(t, dir) {
			if strings.Contains(f, uploadsDir) {
				t.Errorf("got %s left on %s, want the upload gone", f, dir)
			}
		}
	}
}

func TestCompleteUsesOnlyTheChosenPartsAndLatestUploads(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	up := startUpload(t, ts.Set, "obj")
	mustPutPart(t, ts.Set, up.UploadID, 1, []byte("old one "))
	mustPutPart(t, ts.Set, up.UploadID, 1, []byte("one "))
	mustPutPart(t, ts.Set, up.UploadID, 2, []byte("two "))
	mustPutPart(t, ts.Set, up.UploadID, 3, []byte("three"))

	_, parts, err := ts.Parts(context.Background(), "bkt", up.UploadID)
	if err != nil || len(parts) != 3 || parts[0].Size != 4 || parts[0].ModTime.IsZero() {
		t.Fatalf("got parts %+v, %v, want three with part 1 replaced", parts, err)
	}
	assemble, _ := takeParts(1, 3)
	if _, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
		CompleteOptions{Assemble: assemble}); err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	if got, err := readAll(ts.Set, "obj"); err != nil || string(got) != "one three" {
		t.Errorf("got %q, %v, want %q", got, err, "one three")
	}
	checkUploadGone(t, ts, up.UploadID)
}

func TestCompleteRefusesBadAssemblies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		numbers []int
	}{
		{"no parts are refused", nil},
		{"a missing part is refused", []int{1, 7}},
		{"parts out of order are refused", []int{2, 1}},
		{"a part twice is refused", []int{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			up := startUpload(t, ts.Set, "obj")
			mustPutPart(t, ts.Set, up.UploadID, 1, []byte("a"))
			mustPutPart(t, ts.Set, up.UploadID, 2, []byte("b"))
			assemble, _ := takeParts(tt.numbers...)
			_, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
				CompleteOptions{Assemble: assemble})
			if !errors.Is(err, ErrInvalidAssembly) {
				t.Fatalf("got error %v, want ErrInvalidAssembly", err)
			}
			if _, parts, err := ts.Parts(context.Background(), "bkt", up.UploadID); err != nil ||
				len(parts) != 2 {
				t.Errorf("got %d parts, %v, want the upload intact", len(parts), err)
			}
		})
	}
}

func TestAbortRemovesTheUploadAndItsParts(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	up := startUpload(t, ts.Set, "obj")
	mustPutPart(t, ts.Set, up.UploadID, 1, randomBytes(DefaultBlockSize+1, 4))
	if err := ts.AbortUpload(context.Background(), "bkt", up.UploadID); err != nil {
		t.Fatalf("AbortUpload: %v", err)
	}
	checkUploadGone(t, ts, up.UploadID)
	_, err := ts.PutPart(context.Background(), "bkt", up.UploadID, 2, strings.NewReader("x"),
		PutOptions{})
	if !errors.Is(err, ErrUploadNotFound) {
		t.Errorf("PutPart after abort: got error %v, want ErrUploadNotFound", err)
	}
	if err := ts.AbortUpload(context.Background(), "bkt", up.UploadID); !errors.Is(err,
		ErrUploadNotFound) {
		t.Errorf("second abort: got error %v, want ErrUploadNotFound", err)
	}
}

func TestUploadIDsThatNewUploadCannotMakeAreNotFound(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	for _, id := range []string{"", "../../etc", "..", strings.Repeat("A", 27),
		"abcdefghijklmnopqrstuvwxyz", strings.Repeat("A", 25) + "/"} {
		if _, err := ts.Upload(context.Background(),
			"bkt", id); !errors.Is(err, ErrUploadNotFound) {
			t.Errorf("upload ID %q: got error %v, want ErrUploadNotFound", id, err)
		}
	}
}

func TestListUploadsOrdersByKeyAndSkipsOtherBuckets(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	if err := ts.MakeBucket(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.NewUpload(context.Background(), "other", "zzz", UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	b2 := startUpload(t, ts.Set, "b")
	a := startUpload(t, ts.Set, "a")
	b1 := startUpload(t, ts.Set, "b")
	list, err := ts.ListUploads(context.Background(), "bkt")
	if err != nil {
		t.Fatalf("ListUploads: %v", err)
	}
	var got []string
	for _, u := range list {
		got = append(got, u.Key+"/"+u.UploadID)
	}
	want := []string{"a/" + a.UploadID, "b/" + b2.UploadID, "b/" + b1.UploadID}
	if b1.Initiated.Equal(b2.Initiated) && b1.UploadID < b2.UploadID {
		want[1], want[2] = want[2], want[1]
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := ts.ListUploads(context.Background(),
		"missing"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("missing bucket: got error %v, want ErrBucketNotFound", err)
	}
}

func TestACompleteThatMissesItsQuorumKeepsTheUploadAndTheObject(t *testing.T) {
	t.Parallel()
	for _, ops := range [][]string{{"Rename"}, {"RenameMeta"}, {"WriteFile"}} {
		t.Run("two drives failing "+ops[0]+" roll the completion back", func(t *testing.T) {
			t.Parallel()
			ts, faulty := newFaultySet(t, ops, 0)
			previous := randomBytes(100, 8)
			mustPut(t, ts.Set, "obj", previous)
			up := startUpload(t, ts.Set, "obj")
			mustPutPart(t, ts.Set, up.UploadID, 1, randomBytes(DefaultBlockSize+7, 9))
			mustPutPart(t, ts.Set, up.UploadID, 2, []byte("tail"))

			for _, f := range faulty {
				f.armed.Store(true)
			}
			assemble, _ := takeParts(1, 2)
			_, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
				CompleteOptions{Assemble: assemble})
			if !errors.Is(err, ErrWriteQuorum) {
				t.Fatalf("got error %v, want ErrWriteQuorum", err)
			}
			for _, f := range faulty {
				f.armed.Store(false)
			}
			if got, err := readAll(ts.Set, "obj"); err != nil || !bytes.Equal(got, previous) {
				t.Fatalf("got %d bytes, %v, want the previous object", len(got), err)
			}
			if _, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
				CompleteOptions{Assemble: assemble}); err != nil {
				t.Fatalf("completing again once the drives work: %v", err)
			}
			if got, err := readAll(ts.Set, "obj"); err != nil || len(got) != DefaultBlockSize+11 {
				t.Errorf("got %d bytes, %v, want the two parts", len(got), err)
			}
		})
	}
}

func TestCompleteChecksThePreconditionOnTheCurrentObject(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	mustPut(t, ts.Set, "obj", []byte("existing"))
	up := startUpload(t, ts.Set, "obj")
	mustPutPart(t, ts.Set, up.UploadID, 1, []byte("new"))
	errExists := errors.New("exists")
	assemble, _ := takeParts(1)
	_, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID, CompleteOptions{
		Assemble: assemble,
		Precondition: func(cur *ObjectInfo) error {
			if cur != nil && cur.Size == 8 {
				return errExists
			}
			return nil
		},
	})
	if !errors.Is(err, errExists) {
		t.Fatalf("got error %v, want the precondition's", err)
	}
	if got, err := readAll(ts.Set, "obj"); err != nil || string(got) != "existing" {
		t.Errorf("got %q, %v, want the existing object", got, err)
	}
}

func TestCreateOnlyPutsOfOneKeyLetExactlyOneWin(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	errExists := errors.New("exists")
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := ts.Put(context.Background(), "bkt", "once", bytes.NewReader([]byte{byte(i)}),
				PutOptions{Precondition: func(cur *ObjectInfo) error {
					if cur != nil {
						return errExists
					}
					return nil
				}})
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, errExists):
				t.Errorf("Put %d: got error %v, want nil or the precondition's", i, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("got %d winners, want exactly 1", wins.Load())
	}
}

func TestUpdateReplacesMetadataAndKeepsTheBytes(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	before := mustPut(t, ts.Set, "obj", []byte("payload"))
	for _, touch := range []bool{false, true} {
		info, err := ts.Update(context.Background(), "bkt", "obj", UpdateOptions{
			Metadata: func(cur ObjectInfo) (map[string]string, error) {
				return map[string]string{"tags": "a=b", "size": fmt.Sprint(cur.Size)}, nil
			},
			Touch: touch,
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		got, err := ts.Stat(context.Background(), "bkt", "obj")
		want := map[string]string{"tags": "a=b", "size": "7"}
		if err != nil || !maps.Equal(got.Metadata, want) || !got.ModTime.Equal(info.ModTime) {
			t.Errorf("got %+v, %v, want metadata %v", got, err, want)
		}
		if moved := !got.ModTime.Equal(before.ModTime); moved != touch {
			t.Errorf("touch %v: got the time moved %v", touch, moved)
		}
	}
	if got, err := readAll(ts.Set, "obj"); err != nil || string(got) != "payload" {
		t.Errorf("got %q, %v, want the bytes unchanged", got, err)
	}
	_, err := ts.Update(context.Background(), "bkt", "missing", UpdateOptions{
		Metadata: func(ObjectInfo) (map[string]string, error) { return nil, nil }})
	if !errors.Is(err, ErrObjectNotFound) {
		t.Errorf("updating a missing key: got error %v, want ErrObjectNotFound", err)
	}
}

func TestBucketConfigRoundTrips(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	ctx := context.Background()
	if _, err := ts.BucketConfig(ctx, "bkt", "tags"); !errors.Is(err, ErrConfigNotFound) {
		t.Errorf("before any write: got error %v, want ErrConfigNotFound", err)
	}
	for _, v := range []string{"first", "second"} {
		if err := ts.PutBucketConfig(ctx, "bkt", "tags", []byte(v)); err != nil {
			t.Fatalf("PutBucketConfig: %v", err)
		}
		if got, err := ts.BucketConfig(ctx, "bkt", "tags"); err != nil || string(got) != v {
			t.Errorf("got %q, %v, want %q", got, err, v)
		}
	}
	if err := ts.PutBucketConfig(ctx, "bkt", "tags", nil); err != nil {
		t.Fatalf("removing: %v", err)
	}
	if _, err := ts.BucketConfig(ctx, "bkt", "tags"); !errors.Is(err, ErrConfigNotFound) {
		t.Errorf("after removal: got error %v, want ErrConfigNotFound", err)
	}
	if err := ts.PutBucketConfig(ctx, "missing", "tags", []byte("x")); !errors.Is(err,
		ErrBucketNotFound) {
		t.Errorf("missing bucket: got error %v, want ErrBucketNotFound", err)
	}
	if err := ts.PutBucketConfig(ctx, "bkt", "../x", []byte("x")); err == nil {
		t.Error("a configuration name with a path was accepted")
	}
	if list, err := ts.List(ctx, "bkt"); err != nil || len(list) != 0 {
		t.Errorf("got objects %v, %v, want the configuration kept out of listings", list, err)
	}
}
