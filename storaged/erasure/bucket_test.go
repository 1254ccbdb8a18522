package erasure

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
)

func TestBucketLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	if err := ts.MakeBucket(ctx, "bkt"); !errors.Is(err, ErrBucketExists) {
		t.Errorf("got error %v making bkt again, want ErrBucketExists", err)
	}
	if err := ts.MakeBucket(ctx, "alpha"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}

	list, err := ts.ListBuckets(ctx)
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var names []string
	for _, b := range list {
		names = append(names, b.Name)
	}
	if !slices.Equal(names, []string{"alpha", "bkt"}) || list[0].Created.IsZero() {
		t.Errorf("got buckets %+v, want alpha and bkt with creation times", list)
	}

	mustPut(t, ts.Set, "k", []byte("x"))
	if err := ts.DeleteBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Errorf("got error %v deleting a bucket with an object, want ErrBucketNotEmpty", err)
	}
	if err := ts.Delete(ctx, "bkt", "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := ts.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	if _, err := ts.StatBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("got error %v, want ErrBucketNotFound", err)
	}
	if err := ts.DeleteBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("got error %v deleting it again, want ErrBucketNotFound", err)
	}
}

func TestBucketsNeedQuorum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		op   func(ts *testSet) error
		want error
	}{
		{"making a bucket on one of four drives fails", func(ts *testSet) error {
			return ts.MakeBucket(ctx, "new")
		}, ErrWriteQuorum},
		{"stat of a bucket on one of four drives fails", func(ts *testSet) error {
			_, err := ts.StatBucket(ctx, "bkt")
			return err
		}, ErrReadQuorum},
		{"listing buckets on one of four drives fails", func(ts *testSet) error {
			_, err := ts.ListBuckets(ctx)
			return err
		}, ErrReadQuorum},
		{"listing objects on one of four drives fails", func(ts *testSet) error {
			_, err := ts.List(ctx, "bkt")
			return err
		}, ErrReadQuorum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestSet(t, 4, 2)
			for _, dir := range ts.dirs[:3] {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.op(ts); !errors.Is(err, tt.want) {
				t.Errorf("got error %v, want %v", err, tt.want)
			}
			vols, err := ts.drives[3].ListVolumes(ctx)
			if err != nil || len(vols) != 1 || vols[0].Name != "bkt" {
				t.Errorf("got volumes %+v, %v on the live drive, want only bkt", vols, err)
			}
		})
	}
}

func TestBucketsSurviveTwoLostDrives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	for _, dir := range ts.dirs[1:3] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.StatBucket(ctx, "bkt"); err != nil {
		t.Errorf("StatBucket: got %v, want the bucket", err)
	}
	if _, err := ts.StatBucket(ctx, "missing"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("got error %v for a missing bucket, want ErrBucketNotFound", err)
	}
	if err := ts.MakeBucket(ctx, "new"); !errors.Is(err, ErrWriteQuorum) {
		t.Errorf("got error %v making a bucket on two of four drives, want ErrWriteQuorum", err)
	}
	if _, err := ts.StatBucket(ctx, "new"); !errors.Is(err, ErrBucketNotFound) {
		t.Errorf("got error %v after the failed create, want ErrBucketNotFound", err)
	}
}

func TestListReturnsObjectsInKeyOrder(t *testing.T) {
	t.Parallel()
	ts := newTestSet(t, 4, 2)
	keys := []string{"b", "a/b", "a", "é", "a+b", "Z"}
	for _, k := range keys {
		mustPut(t, ts.Set, k, []byte(k))
	}
	list, err := ts.List(context.Background(), "bkt")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var got []string
	for _, o := range list {
		got = append(got, o.Key)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestListSkipsLeftoversOnASingleDrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	mustPut(t, ts.Set, "kept", []byte("x"))
	mustPut(t, ts.Set, "ghost", []byte("y"))
	for _, d := range ts.drives[1:] {
		if err := d.Delete(ctx, "bkt", objectDir("ghost")); err != nil {
			t.Fatal(err)
		}
	}
	list, err := ts.List(ctx, "bkt")
	if err != nil || len(list) != 1 || list[0].Key != "kept" {
		t.Errorf("got %+v, %v, want only kept", list, err)
	}
	if err := ts.Delete(ctx, "bkt", "kept"); err != nil {
		t.Fatal(err)
	}
	if err := ts.DeleteBucket(ctx, "bkt"); err != nil {
		t.Errorf("got error %v deleting a bucket holding only a leftover, want nil", err)
	}
}
