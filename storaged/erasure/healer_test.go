package erasure

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// newTestHealer returns a Healer over ts, closed when the test ends.
func newTestHealer(t *testing.T, cfg HealerConfig) *Healer {
	t.Helper()
	h, err := NewHealer(cfg)
	if err != nil {
		t.Fatalf("NewHealer: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// putMany stores n small objects named k000, k001, ….
func putMany(t *testing.T, ts *testSet, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
		mustPut(t, ts.Set, keys[i], randomBytes(int64(100+i*97), uint64(i)))
	}
	return keys
}

func TestScannerKeepsToItsRate(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	putMany(t, ts, 60)
	const rate = 20
	h := newTestHealer(t, HealerConfig{Set: ts.Set, Rate: rate, ScanInterval: time.Hour})

	start := time.Now()
	h.Start()
	time.Sleep(time.Second)
	elapsed := time.Since(start)
	got := h.Progress().Scanned
	// The token bucket holds one token: at most rate per second plus
	// that one (and one heal in flight when sampled).
	upper := uint64(rate*elapsed.Seconds()) + 2
	if got > upper || got < rate/4 {
		t.Errorf("got %d objects scanned in %v at %d/s, want between %d and %d",
			got, elapsed, rate, rate/4, upper)
	}
}

func TestScannerHealsEveryObjectInACycle(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	keys := putMany(t, ts, 12)
	for _, k := range keys[:6] {
		mustRemove(t, ts.shardFiles(t, 1, k)[0])
	}
	h := newTestHealer(t, HealerConfig{Set: ts.Set, Rate: 1000, ScanInterval: time.Hour})
	h.Start()
	waitFor(t, func() bool { return h.Progress().ScanCycles >= 1 })

	p := h.Progress()
	if p.Scanned != 12 || p.Healed != 6 || p.Failed != 0 {
		t.Errorf("got scanned %d, healed %d, failed %d; want 12, 6, 0",
			p.Scanned, p.Healed, p.Failed)
	}
	for _, k := range keys {
		ts.checkWholeOnDisk(t, k)
	}
}

func TestQueueHealsWhatReadsReportAndDropsWhenFull(t *testing.T) {
	t.Parallel()
	q := NewHealQueue(2)
	for range 3 {
		q.Add(Degraded{Bucket: "bkt", Key: "k"})
	}
	if q.Drops() != 1 || q.Len() != 2 {
		t.Fatalf("got %d drops and %d queued, want 1 and 2", q.Drops(), q.Len())
	}

	ts := newHealSet(t, 4, 2)
	mustPut(t, ts.Set, "k", randomBytes(3000, 1))
	mustRemove(t, ts.shardFiles(t, 2, "k")[0])
	h := newTestHealer(t, HealerConfig{Set: ts.Set, Queue: q, ScanInterval: -1})
	h.Start()
	waitFor(t, func() bool { return q.Len() == 0 && h.Progress().Scanned == 2 })
	if p := h.Progress(); p.Healed != 1 || p.QueueDrops != 1 {
		t.Errorf("got healed %d, drops %d; want 1, 1", p.Healed, p.QueueDrops)
	}
	ts.checkWholeOnDisk(t, "k")
}

func TestSweepHealsOnlyThePrefix(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	for _, k := range []string{"a/1", "a/2", "b/1"} {
		mustPut(t, ts.Set, k, randomBytes(2000, 3))
		mustRemove(t, ts.shardFiles(t, 0, k)[0])
	}
	h := newTestHealer(t, HealerConfig{Set: ts.Set, Rate: 1000, ScanInterval: -1})
	h.Start()
	if err := h.Sweep("bkt", "a/"); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	waitFor(t, func() bool { return !h.Progress().Sweeping })
	if p := h.Progress(); p.Scanned != 2 || p.Healed != 2 {
		t.Errorf("got scanned %d, healed %d; want 2, 2", p.Scanned, p.Healed)
	}
	if got := len(ts.shardFiles(t, 0, "b/1")); got != 0 {
		t.Errorf("got %d shard files of b/1 on drive 0, want 0 (outside the sweep)", got)
	}
}

// stoppingCheckpoint is a file checkpoint that cancels the job after a
// number of saves.
type stoppingCheckpoint struct {
	Checkpoint
	mu     sync.Mutex
	saves  int
	stopAt int
	cancel context.CancelFunc
}

func (c *stoppingCheckpoint) Save(cp HealCheckpoint) error {
	err := c.Checkpoint.Save(cp)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saves++
	if c.saves == c.stopAt {
		c.cancel()
	}
	return err
}

func TestDriveHealJobResumesFromItsCheckpoint(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	keys := putMany(t, ts, 30)
	mustRemoveAll(t, filepath.Join(ts.dirs[3], "bkt")) // drive 3 replaced
	file := FileCheckpoint(filepath.Join(t.TempDir(), "heal.json"))

	ctx, cancel := context.WithCancel(context.Background())
	stop := &stoppingCheckpoint{Checkpoint: file, stopAt: 10, cancel: cancel}
	h := newTestHealer(t, HealerConfig{Set: ts.Set, ScanInterval: -1, CheckpointEvery: 1,
		RetryDelay: time.Millisecond})
	h.runJob(ctx, &driveJob{pos: 3, cp: stop})
	cp, ok, err := file.Load()
	if err != nil || !ok || cp.Done || cp.Bucket != "bkt" {
		t.Fatalf("got checkpoint %+v, %v, %v; want one halfway in bkt", cp, ok, err)
	}
	first := h.Progress().Scanned
	if first < 10 || first > 11 {
		t.Fatalf("got %d objects healed before the stop, want 10 or 11", first)
	}

	h2 := newTestHealer(t, HealerConfig{Set: ts.Set, ScanInterval: -1})
	j := &driveJob{pos: 3, cp: file}
	h2.runJob(context.Background(), j)
	p := j.progress()
	if p.State != JobDone || p.Total != 30 || p.Done != 30 || len(p.Failures) != 0 {
		t.Errorf("got %+v, want done with 30 of 30 and no failures", p)
	}
	if got, want := h2.Progress().Scanned, uint64(30-10); got != want {
		t.Errorf("got %d objects healed after resuming, want %d", got, want)
	}
	for _, k := range keys {
		ts.checkWholeOnDisk(t, k)
	}
	if cp, _, _ := file.Load(); !cp.Done {
		t.Errorf("got checkpoint %+v, want done", cp)
	}
}

func TestDriveHealJobListsWhatItCannotHeal(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	putMany(t, ts, 5)
	for _, i := range []int{0, 1} {
		mustRemove(t, ts.shardFiles(t, i, "k002")[0])
	}
	mustRemoveAll(t, filepath.Join(ts.dirs[3], "bkt"))
	h := newTestHealer(t, HealerConfig{Set: ts.Set, ScanInterval: -1, JobRetries: 1,
		RetryDelay: time.Millisecond})
	j := &driveJob{pos: 3, cp: FileCheckpoint(filepath.Join(t.TempDir(), "cp"))}
	h.runJob(context.Background(), j)

	p := j.progress()
	if p.State != JobFailed || len(p.Failures) != 1 || p.Failures[0].Key != "k002" {
		t.Fatalf("got state %s, failures %+v; want failed with k002 listed", p.State, p.Failures)
	}
	for _, k := range []string{"k000", "k001", "k003", "k004"} {
		ts.checkWholeOnDisk(t, k)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDriveHealJobFinishesWhileAnotherDriveIsDown(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	keys := putMany(t, ts, 6)
	mustRemoveAll(t, filepath.Join(ts.dirs[3], "bkt"))
	drives, err := OpenLocalDrives("", ts.dirs)
	if err != nil {
		t.Fatal(err)
	}
	drives[2] = OfflineDrive(ts.dirs[2], errors.New("unplugged"))
	degraded, err := New(Config{Drives: drives, Parity: 2, BlockSize: healBlock})
	if err != nil {
		t.Fatal(err)
	}
	h := newTestHealer(t, HealerConfig{Set: degraded, ScanInterval: -1,
		RetryDelay: time.Millisecond})
	j := &driveJob{pos: 3, cp: FileCheckpoint(filepath.Join(t.TempDir(), "cp"))}
	h.runJob(context.Background(), j)

	if p := j.progress(); p.State != JobDone || p.Done != 6 || len(p.Failures) != 0 {
		t.Fatalf("got %+v, want done with 6 objects and no failures", p)
	}
	for _, k := range keys {
		ts.checkWholeOnDisk(t, k)
	}
}

// TestUnhealedGoesDownWhenARetryHeals checks the two failure figures: a
// heal that fails (here on its lock, as while peers restart) counts in
// Failed for good and in Unhealed until a later heal of the key succeeds.
func TestUnhealedGoesDownWhenARetryHeals(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	putMany(t, ts, 2)
	var down sync.Mutex
	peersDown := true
	h := newTestHealer(t, HealerConfig{Set: ts.Set, ScanInterval: -1,
		Lock: func(ctx context.Context, bucket, key string) (func(), error) {
			down.Lock()
			defer down.Unlock()
			if peersDown {
				return nil, errors.New("too few nodes answer")
			}
			return func() {}, nil
		}})
	ctx := context.Background()
	for _, k := range []string{"k000", "k001"} {
		if _, err := h.Heal(ctx, "bkt", k); err == nil {
			t.Fatalf("heal of %s with its lock refused: no error", k)
		}
	}
	if p := h.Progress(); p.Failed != 2 || p.Unhealed != 2 {
		t.Fatalf("after two failed heals: failed %d, unhealed %d; want 2 and 2", p.Failed,
			p.Unhealed)
	}
	down.Lock()
	peersDown = false
	down.Unlock()
	if _, err := h.Heal(ctx, "bkt", "k000"); err != nil {
		t.Fatal(err)
	}
	if p := h.Progress(); p.Failed != 2 || p.Unhealed != 1 {
		t.Errorf("after k000 healed: failed %d, unhealed %d; want 2 (a counter) and 1",
			p.Failed, p.Unhealed)
	}
}
