package erasure

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// configFile is the path of a configuration record of "bkt" on drive dir.
func configFile(dir, name string) string {
	return filepath.Join(dir, "bkt", configDir, name)
}

// TestDrivesReplacedInTurnKeepBucketConfigs replaces every drive but one
// by an empty one, one at a time and healing in between, as an operator
// replacing failed disks does: the bucket's configuration must survive,
// although no moment ever had more than one drive missing.
func TestDrivesReplacedInTurnKeepBucketConfigs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	if err := ts.PutBucketConfig(ctx, "bkt", "versioning.json", []byte("Enabled")); err != nil {
		t.Fatal(err)
	}
	for i, dir := range ts.dirs[:3] {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		drives, err := OpenLocalDrives("", ts.dirs)
		if err != nil {
			t.Fatal(err)
		}
		again := newTestSetOver(t, drives, 2)
		if _, err := again.HealBuckets(ctx); err != nil {
			t.Fatalf("healing after replacing drive %d: %v", i, err)
		}
		got, err := again.BucketConfig(ctx, "bkt", "versioning.json")
		if err != nil || string(got) != "Enabled" {
			t.Fatalf("after replacing drive %d: %q, %v; want Enabled", i, got, err)
		}
	}
	want, err := os.ReadFile(configFile(ts.dirs[3], "versioning.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range ts.dirs {
		if got, err := os.ReadFile(configFile(dir, "versioning.json")); err != nil ||
			!bytes.Equal(got, want) {
			t.Errorf("%s holds %q (%v), want the record every drive agrees on", dir, got, err)
		}
	}
}

// TestHealBucketConfigsFollowsTheQuorum checks the three things a drive
// can be wrong about: a record it lacks, an older or damaged copy, and a
// record the others removed while it was away.
func TestHealBucketConfigsFollowsTheQuorum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	for _, name := range []string{"policy.json", "quota.json", "tags.json"} {
		if err := ts.PutBucketConfig(ctx, "bkt", name, []byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	// Drive 0 lost policy.json; drive 1 holds a damaged quota.json; drive
	// 2 holds an older quota.json; tags.json was removed while drive 3 was
	// away, so only drive 3 still holds it.
	old, err := os.ReadFile(configFile(ts.dirs[2], "quota.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.PutBucketConfig(ctx, "bkt", "quota.json", []byte("newer")); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, configFile(ts.dirs[2], "quota.json"), old)
	mustWrite(t, configFile(ts.dirs[1], "quota.json"), []byte("damaged"))
	if err := os.Remove(configFile(ts.dirs[0], "policy.json")); err != nil {
		t.Fatal(err)
	}
	for _, dir := range ts.dirs[:3] {
		if err := os.Remove(configFile(dir, "tags.json")); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := ts.HealBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"policy.json", "quota.json"} {
		want, err := os.ReadFile(configFile(ts.dirs[3], name))
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range ts.dirs {
			if got, err := os.ReadFile(configFile(dir, name)); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s of %s: %q (%v), want the quorum's record", name, dir, got, err)
			}
		}
	}
	if got, err := ts.BucketConfig(ctx, "bkt", "quota.json"); err != nil || string(got) != "newer" {
		t.Errorf("quota.json reads %q, %v; want newer", got, err)
	}
	for _, dir := range ts.dirs {
		if _, err := os.Stat(configFile(dir, "tags.json")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("tags.json on %s: %v, want it removed as on the other drives", dir, err)
		}
	}
}

// TestAConfigReadReportsDrivesThatLackIt checks that reading a
// configuration that some drives lack queues the bucket for healing.
func TestAConfigReadReportsDrivesThatLackIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := newTestSet(t, 4, 2)
	if err := ts.PutBucketConfig(ctx, "bkt", "versioning.json", []byte("Enabled")); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.BucketConfig(ctx, "bkt", "versioning.json"); err != nil {
		t.Fatal(err)
	}
	if got := ts.degraded.reported(); len(got) != 0 {
		t.Fatalf("a whole configuration reported drives %v", got)
	}
	if err := os.Remove(configFile(ts.dirs[1], "versioning.json")); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, configFile(ts.dirs[2], "versioning.json"), []byte("damaged"))
	if _, err := ts.BucketConfig(ctx, "bkt", "versioning.json"); err != nil {
		t.Fatal(err)
	}
	if got := ts.degraded.reported(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("reported drives %v, want [1 2]", got)
	}
}

func mustWrite(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
