package erasure

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"
)

func TestHealBucketsRestoresBucketsOnReplacedDrives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	mustPut(t, ts.Set, "old", []byte("before"))
	for _, dir := range ts.dirs[:2] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	drives, err := OpenLocalDrives("", ts.dirs) // two fresh, empty drives
	if err != nil {
		t.Fatal(err)
	}
	again := newTestSetOver(t, drives, 2)

	healed, err := again.HealBuckets(ctx)
	if err != nil || !slices.Equal(healed, []string{"bkt"}) {
		t.Fatalf("got healed %v, %v; want [bkt]", healed, err)
	}
	if healed, err := again.HealBuckets(ctx); err != nil || len(healed) != 0 {
		t.Errorf("second heal: got %v, %v; want nothing to do", healed, err)
	}

	// A new object must now have shards on the healed drives: read it with
	// the other two drives gone.
	data := randomBytes(3*mib+5, 21)
	mustPut(t, again.Set, "new", data)
	for _, dir := range ts.dirs[2:] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := readAll(again.Set, "new"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("read from the healed drives alone: got %d bytes, %v; want the %d stored",
			len(got), err, len(data))
	}
}
