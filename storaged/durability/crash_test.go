package durability

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

// The crash test's workload.
const (
	crashLoops       = 16  // PUT loops at once
	crashKeysPerLoop = 6   // keys each loop owns and overwrites in turn
	crashPuts        = 300 // PUTs at most, over all loops
)

// afterCrash is when the crash test's first reads happen, for read's
// reports.
const afterCrash = "after the crash, before healing"

// crashRun is the crash test while it runs.
type crashRun struct {
	t      *testing.T
	r      *runner
	killAt int64 // acknowledged PUTs before every node is killed
	issued atomic.Int64
	acked  atomic.Int64
	killed atomic.Bool
	// reached is closed once killAt PUTs are acknowledged.
	reached chan struct{}
	once    sync.Once
}

// TestCrashKeepsAcknowledgedPuts runs 16 loops of PUTs (new keys and
// overwrites) against a tenant of 4 nodes × 2 drives with parity 4,
// SIGKILLs all four nodes at a random moment in the middle, and starts
// them again. On start every drive's temporary folder must be empty (the
// staged leftovers of the interrupted PUTs removed); every acknowledged
// PUT must read back exactly; a key whose last PUT was cut off must read
// as absent or as the old or the new content, whole. Then healing must
// leave every object with a full set of good shards on disk.
func TestCrashKeepsAcknowledgedPuts(t *testing.T) {
	start := time.Now()
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4, Args: healArgs})
	createBucket(t, c)
	seed := uint64(time.Now().UnixNano())
	killAt := crashPuts/3 + rand.New(rand.NewPCG(seed, 0)).IntN(crashPuts/3)
	t.Logf("seed %d: every node is killed after %d acknowledged PUTs", seed, killAt)
	cr := &crashRun{t: t, killAt: int64(killAt), reached: make(chan struct{}),
		r: &runner{c: c, m: newModel("crash", crashLoops*crashKeysPerLoop),
			live: newLiveNodes(len(c.Nodes)), ty: &tally{}}}

	cr.putAndKill()
	leftovers := countTemporary(t, allDrives(c))

	restarted := time.Now()
	c.RestartAll(t)
	checkTemporaryEmpty(t, allDrives(c), restarted)
	ambiguous := cr.readAll()
	f := &faultRun{t: t, c: c, shape: shape{name: "4×2 parity 4", nodes: 4, drives: 2,
		parity: 4}, r: cr.r}
	f.r.ty.sweeps = healBySweeps(t, c, 0)
	checkAfterHealing(t, f)
	cr.report(leftovers, ambiguous, time.Since(start))
}

// putAndKill runs the PUT loops, SIGKILLs every node once killAt PUTs are
// acknowledged, and waits for the loops to end.
func (cr *crashRun) putAndKill() {
	var wg sync.WaitGroup
	for loop := range crashLoops {
		wg.Go(func() { cr.putLoop(loop) })
	}
	loopsDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(loopsDone)
	}()
	select {
	case <-cr.reached:
	case <-loopsDone:
		cr.t.Fatalf("the PUT loops ended after %d acknowledged PUTs, want %d before the kill",
			cr.acked.Load(), cr.killAt)
	}
	cr.killed.Store(true)
	for i := range cr.r.c.Nodes {
		cr.r.c.Kill(cr.t, i)
	}
	<-loopsDone
}

// putLoop PUTs the loop's keys in turn, a new version each time, until
// the budget of PUTs is spent or the nodes are killed. A PUT that fails
// before the kill is an error of the test.
func (cr *crashRun) putLoop(loop int) {
	c := cr.r.c
	for i := 0; ; i++ {
		if cr.killed.Load() || cr.issued.Add(1) > crashPuts {
			return
		}
		key := cr.r.m.keys[loop*crashKeysPerLoop+i%crashKeysPerLoop]
		k := cr.r.m.byKey[key]
		k.mu.Lock()
		k.version++
		data := body(key, k.version, mixSizes[(loop+i)%len(mixSizes)])
		err := put(c.S3(loop%len(c.Nodes)), bucket, key, data)
		cr.r.write(k, outcome{size: len(data), sum: sha256.Sum256(data)}, err)
		k.mu.Unlock()
		if err != nil {
			if !cr.killed.Load() {
				cr.t.Errorf("PUT %s via node %d before the crash: %v", key, loop%len(c.Nodes), err)
			}
			return
		}
		if cr.acked.Add(1) == cr.killAt {
			cr.once.Do(func() { close(cr.reached) })
		}
	}
}

// ambiguity counts how the keys whose last PUT was cut off read back.
type ambiguity struct{ keys, asNew, asOld, absent int }

// readAll reads every key back, right after the restart, and counts how
// the keys whose last PUT was cut off read.
func (cr *crashRun) readAll() ambiguity {
	var a ambiguity
	for i, key := range cr.r.m.keys {
		k := cr.r.m.byKey[key]
		got, ok := cr.r.read(k, key, i%len(cr.r.c.Nodes), afterCrash)
		if !ok || len(k.outcomes) == 1 {
			continue
		}
		a.keys++
		switch {
		case got.absent:
			a.absent++
		case got == k.outcomes[len(k.outcomes)-1]:
			a.asNew++
		default:
			a.asOld++
		}
		k.acked(got) // once read, a key must keep what it showed
	}
	return a
}

// report prints the test's counts and fails it on any loss.
func (cr *crashRun) report(leftovers int, a ambiguity, took time.Duration) {
	ty := cr.r.ty
	cr.t.Logf("crash: %d PUTs acknowledged, %d cut off by the kill; %d keys, %d objects "+
		"after healing; %v; %d staged leftovers removed on start; healed=%d lost=%d "+
		"corrupt=%d unhealed=%d stale=%d, in %s", ty.acked, ty.unacked, len(cr.r.m.keys),
		ty.objects, a, leftovers, ty.healed, ty.lost, ty.corrupt, ty.unhealed, ty.stale,
		took.Round(time.Second))
	if ty.lost != 0 || ty.corrupt != 0 || ty.unhealed != 0 || ty.stale != 0 {
		cr.t.Errorf("got lost=%d corrupt=%d unhealed=%d stale=%d, want all 0", ty.lost,
			ty.corrupt, ty.unhealed, ty.stale)
	}
	if int64(ty.acked) < cr.killAt {
		cr.t.Errorf("got %d PUTs acknowledged, want at least the %d before the kill", ty.acked,
			cr.killAt)
	}
}

// temporaryDir is a drive's folder of temporary files (see storaged/drive),
// and stagingDir the staging volume inside it.
const (
	temporaryDir = ".strata.sys/tmp"
	stagingDir   = "staging"
)

// countTemporary counts the files and folders under the drives'
// temporary folders, besides the staging volume's folder itself.
func countTemporary(t *testing.T, drives []string) int {
	t.Helper()
	n := 0
	for _, d := range drives {
		root := filepath.Join(d, temporaryDir)
		err := filepath.WalkDir(root, func(p string, _ os.DirEntry, err error) error {
			if err == nil && p != root && p != filepath.Join(root, stagingDir) {
				n++
			}
			return err
		})
		if err != nil {
			t.Fatalf("walking %s: %v", root, err)
		}
	}
	return n
}

// checkTemporaryEmpty demands that each drive's temporary folder hold the
// empty staging volume and nothing written before restarted: the crash's
// leftovers are gone, while the restarted nodes may already be writing.
func checkTemporaryEmpty(t *testing.T, drives []string, restarted time.Time) {
	t.Helper()
	for _, d := range drives {
		var found []string
		root := filepath.Join(d, temporaryDir)
		_ = filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
			switch {
			case err != nil:
				found = append(found, err.Error())
			case p == root || p == filepath.Join(root, stagingDir):
			case p == filepath.Join(root, stagingDir, "retired"):
				// Data that changes of the restarted nodes removed, kept
				// for reads in flight: opening a drive empties staging,
				// so none of it is the crash's, whatever its times.
				return filepath.SkipDir
			case writtenSince(e, restarted):
				// A write of the restarted node (healing starts at once),
				// not a leftover of the crash.
			default:
				found = append(found, strings.TrimPrefix(p, root+"/"))
			}
			return nil
		})
		if len(found) > 0 {
			slices.Sort(found)
			t.Errorf("%s after the restart: got %d leftovers %v, want none", root, len(found),
				found[:min(len(found), 10)])
		}
	}
}

// writtenSince reports whether e was modified at or after t; an entry
// gone before it could be looked at counts as such.
func writtenSince(e os.DirEntry, t time.Time) bool {
	info, err := e.Info()
	return err != nil || !info.ModTime().Before(t)
}

// String makes an ambiguity readable in logs.
func (a ambiguity) String() string {
	return fmt.Sprintf("%d cut-off keys: %d new, %d old, %d absent", a.keys, a.asNew, a.asOld,
		a.absent)
}
