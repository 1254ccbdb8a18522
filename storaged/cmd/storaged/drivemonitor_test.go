package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

func TestCheckDriveCheckIntervalReadsTheFlag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		want        time.Duration
		wantErr     bool
	}{
		{"no flag gives the default", "", erasure.DefaultDriveCheckInterval, false},
		{"a duration is taken", "2s", 2 * time.Second, false},
		{"0 turns the checks off", "0", -1, false},
		{"a negative duration is refused", "-5s", 0, true},
		{"a duration below the floor is refused", "1ms", 0, true},
		{"a number without unit is refused", "5", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := checkDriveCheckInterval(tc.value)
			if (err != nil) != tc.wantErr {
				t.Fatalf("got error %v, want error %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDriveCheckIntervalFallsBackToTheEnvironment(t *testing.T) {
	t.Parallel()
	raw, err := parseFlags(nil, env{envDriveCheckInterval: "3s"}.get, nil)
	if err != nil {
		t.Fatal(err)
	}
	if raw.driveCheckInterval != "3s" {
		t.Errorf("got --drive-check-interval %q, want 3s", raw.driveCheckInterval)
	}
}

// TestAWipedDriveIsFormattedAndHealedWhileServing opens a single node's
// layer as storaged does, wipes one drive while it serves, and waits for
// the drive to be formatted again and its heal job to put every object's
// shard back on it.
func TestAWipedDriveIsFormattedAndHealedWhileServing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	opts := healOptions{rate: 1000, scanInterval: -1, driveCheck: 50 * time.Millisecond}
	layer, heal, err := openLayer(dirs, 2, 0, opts, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(heal.close)
	ctx := context.Background()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	const objects = 20
	for i := range objects {
		putObject(t, layer, fmt.Sprintf("k%02d", i))
	}

	if err := os.RemoveAll(dirs[2]); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dirs[2], 0o755); err != nil {
		t.Fatal(err)
	}
	job := waitJobDone(t, heal, dirs[2])
	if _, err := drive.ReadFormat(dirs[2]); err != nil {
		t.Fatalf("the wiped drive has no format: %v", err)
	}
	if got := metaFiles(t, filepath.Join(dirs[2], "bkt")); got != objects {
		t.Errorf("got %d objects on the wiped drive after its job (%+v), want %d",
			got, job, objects)
	}
}

// putObject stores a small object under key.
func putObject(t *testing.T, l object.Layer, key string) {
	t.Helper()
	data := bytes.Repeat([]byte(key), 1000)
	if _, err := l.PutObject(context.Background(), "bkt", key, bytes.NewReader(data),
		int64(len(data)), object.PutOptions{}); err != nil {
		t.Fatalf("PUT %s: %v", key, err)
	}
}

// waitJobDone waits until a drive heal job of dir is done and returns it.
func waitJobDone(t *testing.T, h *healing, dir string) erasure.DriveHealProgress {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range h.HealStatus() {
			for _, j := range s.Drives {
				if j.Drive == dir && j.State == erasure.JobDone {
					return j
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no drive heal job of %s done within 20s: %+v", dir, h.HealStatus())
	return erasure.DriveHealProgress{}
}

// metaFiles counts the object meta files under a bucket's folder.
func metaFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "meta" {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLatestDriveJobsShowsEachDriveOnce(t *testing.T) {
	t.Parallel()
	jobs := []erasure.DriveHealProgress{
		{Position: 0, State: erasure.JobDone, Total: 1},
		{Position: 1, State: erasure.JobDone},
		{Position: 0, State: erasure.JobRunning, Total: 2},
	}
	got := latestDriveJobs(jobs)
	if len(got) != 2 || got[0].Position != 1 || got[1].Position != 0 || got[1].Total != 2 {
		t.Errorf("got %+v, want drive 1's job then drive 0's second job", got)
	}
	if len(jobs) != 3 || jobs[0].Total != 1 {
		t.Errorf("the input changed to %+v", jobs)
	}
}
