package durability

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sys/unix"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
	"github.com/strata-storage/strata/storaged/s3api"
)

// The failure matrix's workload: a pool of keys, all written first, then
// a bounded mix of PUTs, GETs and DELETEs on them while a fault is on.
const (
	poolKeys    = 40  // keys the workload works on
	mixedOps    = 150 // operations run while the fault is injected
	opsInFlight = 8   // operations at once
	faultAfter  = 40  // operations done before the fault is injected
	// flipAfter is faultAfter of the byte flips, late enough that some
	// damaged keys are not written again before healing.
	flipAfter = 100
	// flippedKept and flippedRewritten are how many keys the byte flips
	// damage among those the rest of the workload leaves alone, and
	// among those it writes again.
	flippedKept, flippedRewritten = 6, 3
	sweepTimeout                  = 45 * time.Second
)

// mixSizes are the object sizes of the failure matrix: 1 KiB to 3 MiB,
// around the 1 MiB erasure block.
var mixSizes = []int{1 << 10, 1500, 4096, 20_000, 65_535, 300_000, 1<<20 - 1, 1<<20 + 1,
	2_500_000, 3 << 20}

// When a read happens, for read's reports.
const (
	duringFault  = "during the fault"
	afterHealing = "after healing"
)

// healArgs make healing fast and leave it to the test: a high heal rate,
// and no background scanner, so that a sweep the test asks for, the
// queue fed by reads and drive heal jobs do all the healing.
var healArgs = []string{"--heal-rate", "5000", "--scan-interval", "0"}

// outcome is what a read of a key may find: nothing, or bytes of a size
// and SHA-256.
type outcome struct {
	absent bool
	size   int
	sum    [sha256.Size]byte
}

func (o outcome) String() string {
	if o.absent {
		return "absent"
	}
	return fmt.Sprintf("%d bytes %x", o.size, o.sum[:4])
}

// keyModel is what one key may hold, given the writes made to it. Its
// lock is held for the whole of one operation on the key, so that the
// operations on a key never overlap and each one's effect is known.
type keyModel struct {
	mu      sync.Mutex
	version int
	// outcomes are what a read may find: exactly one after an
	// acknowledged write, more after writes that failed (each of which
	// may or may not have taken effect).
	outcomes []outcome
}

// acked records an acknowledged write: from now on a read finds o.
func (k *keyModel) acked(o outcome) { k.outcomes = []outcome{o} }

// unacked records a write that failed: a read may find o too.
func (k *keyModel) unacked(o outcome) {
	if !slices.Contains(k.outcomes, o) {
		k.outcomes = append(k.outcomes, o)
	}
}

// model is every key of a workload. The map is fixed once built.
type model struct {
	keys  []string
	byKey map[string]*keyModel
}

// newModel returns a model of keys prefix-N, none of them written yet.
func newModel(prefix string, n int) *model {
	m := &model{byKey: map[string]*keyModel{}}
	for i := range n {
		key := fmt.Sprintf("%s-%03d", prefix, i)
		m.keys = append(m.keys, key)
		m.byKey[key] = &keyModel{outcomes: []outcome{{absent: true}}}
	}
	return m
}

// tally counts what a case saw. It is safe for concurrent use.
type tally struct {
	mu sync.Mutex
	// acked and unacked count the writes (PUT, DELETE) acknowledged or
	// failed; reads the GETs answered, unavailable those that failed
	// during the fault.
	acked, unacked, reads, unavailable int
	// lost counts reads of keys that should exist but were absent or
	// failed, corrupt reads with bytes no write produced.
	lost, corrupt int
	// objects counts the keys that exist after healing; unhealed those
	// without a full set of good shards on disk, stale the drives that
	// still hold a key that reads as absent.
	objects, unhealed, stale int
	// damaged counts keys whose shard files a fault damaged and that
	// stayed so until healing; healed is what the nodes report healed;
	// sweeps is how many heal sweeps ran.
	damaged, sweeps int
	healed          uint64
	problems        []string
}

// add runs f under the tally's lock.
func (ty *tally) add(f func(ty *tally)) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	f(ty)
}

// problem records a finding.
func (ty *tally) problem(format string, args ...any) {
	ty.add(func(ty *tally) { ty.problems = append(ty.problems, fmt.Sprintf(format, args...)) })
}

// liveNodes are the nodes the workload may send requests to. It is safe
// for concurrent use.
type liveNodes struct {
	mu   sync.Mutex
	down map[int]bool
	n    int
}

// newLiveNodes returns n nodes, all live.
func newLiveNodes(n int) *liveNodes { return &liveNodes{down: map[int]bool{}, n: n} }

// setDown takes node i out of the live nodes (down) or puts it back.
func (ln *liveNodes) setDown(i int, down bool) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.down[i] = down
}

// pick returns the live node for request seq, spreading requests over them.
func (ln *liveNodes) pick(seq int) int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	var up []int
	for i := range ln.n {
		if !ln.down[i] {
			up = append(up, i)
		}
	}
	return up[seq%len(up)]
}

// opKind is the kind of one workload operation.
type opKind int

const (
	opPut opKind = iota
	opGet
	opDelete
)

// mixedOp is one operation of the workload.
type mixedOp struct {
	kind opKind
	key  string
	size int
}

// mixedWorkload returns n operations on the keys: about half PUTs of new
// versions, a third GETs, the rest DELETEs; the same for the same seed.
func mixedWorkload(keys []string, n int, seed uint64) []mixedOp {
	rng := rand.New(rand.NewPCG(seed, 0x5742a7a))
	ops := make([]mixedOp, n)
	for i := range ops {
		op := mixedOp{key: keys[rng.IntN(len(keys))], size: mixSizes[rng.IntN(len(mixSizes))]}
		switch r := rng.IntN(100); {
		case r < 50:
			op.kind = opPut
		case r < 83:
			op.kind = opGet
		default:
			op.kind = opDelete
		}
		ops[i] = op
	}
	return ops
}

// seedOps PUTs every key once.
func seedOps(keys []string) []mixedOp {
	ops := make([]mixedOp, len(keys))
	for i, key := range keys {
		ops[i] = mixedOp{kind: opPut, key: key, size: mixSizes[i%len(mixSizes)]}
	}
	return ops
}

// runner runs workload operations against a tenant and records them in a
// model and a tally.
type runner struct {
	c    *testcluster.Cluster
	m    *model
	live *liveNodes
	ty   *tally
}

// run runs ops, inFlight at a time, and closes reached (when not nil)
// once after operations have finished.
func (r *runner) run(ops []mixedOp, inFlight, after int, reached chan<- struct{}) {
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range inFlight {
		wg.Go(func() {
			for i := range next {
				r.do(i, ops[i])
				mu.Lock()
				done++
				if done == after && reached != nil {
					close(reached)
				}
				mu.Unlock()
			}
		})
	}
	for i := range ops {
		next <- i
	}
	close(next)
	wg.Wait()
}

// do runs one operation under its key's lock.
func (r *runner) do(seq int, op mixedOp) {
	k := r.m.byKey[op.key]
	k.mu.Lock()
	defer k.mu.Unlock()
	node := r.live.pick(seq)
	switch op.kind {
	case opPut:
		k.version++
		data := body(op.key, k.version, op.size)
		r.write(k, outcome{size: len(data), sum: sha256.Sum256(data)},
			put(r.c.S3(node), bucket, op.key, data))
	case opDelete:
		r.write(k, outcome{absent: true}, deleteKey(r.c.S3(node), bucket, op.key))
	default:
		r.read(k, op.key, node, duringFault)
	}
}

// write records the end of a PUT or DELETE whose effect is o.
func (r *runner) write(k *keyModel, o outcome, err error) {
	if err != nil {
		k.unacked(o)
		r.ty.add(func(ty *tally) { ty.unacked++ })
		return
	}
	k.acked(o)
	r.ty.add(func(ty *tally) { ty.acked++ })
}

// read GETs key through node and checks that it holds one of the
// outcomes the model allows. A GET that fails (other than 404) counts as
// unavailable while a fault is on, since the node may be the one killed,
// and as lost otherwise.
func (r *runner) read(k *keyModel, key string, node int, when string) (outcome, bool) {
	got, err := readOutcome(r.c.S3(node), bucket, key)
	switch {
	case err != nil && when != duringFault:
		r.ty.add(func(ty *tally) { ty.lost++ })
		r.ty.problem("%s via node %d %s: %v", key, node, when, err)
		return got, false
	case err != nil:
		r.ty.add(func(ty *tally) { ty.unavailable++ })
		return got, false
	}
	r.ty.add(func(ty *tally) { ty.reads++ })
	if slices.Contains(k.outcomes, got) {
		return got, true
	}
	r.ty.add(func(ty *tally) {
		if got.absent {
			ty.lost++
		} else {
			ty.corrupt++
		}
	})
	r.ty.problem("%s via node %d %s: read %v, want one of %v", key, node, when, got,
		k.outcomes)
	return got, false
}

// readOutcome GETs key and returns what it holds; a 404 is absent.
func readOutcome(c *s3.Client, bucket, key string) (outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if httpStatus(err) == http.StatusNotFound {
		return outcome{absent: true}, nil
	}
	if err != nil {
		return outcome{}, err
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return outcome{}, fmt.Errorf("reading %s after %d bytes: %w", key, n, err)
	}
	o := outcome{size: int(n)}
	copy(o.sum[:], h.Sum(nil))
	return o, nil
}

// deleteKey DELETEs key through c.
func deleteKey(c *s3.Client, bucket, key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	return err
}

// shape is a tenant shape of the failure matrix.
type shape struct {
	name                  string
	nodes, drives, parity int
}

// faultRun is one case of the matrix while it runs.
type faultRun struct {
	t     *testing.T
	c     *testcluster.Cluster
	shape shape
	r     *runner
	ops   []mixedOp // the workload run while the fault is on
}

// fault is a failure injected while the workload runs. inject starts it;
// end stops it and starts whatever healing the fault needs before the
// sweep that every case runs.
type fault struct {
	name      string
	multiNode bool // only for tenants of several nodes
	// after is how many operations finish before inject; faultAfter
	// when zero.
	after       int
	inject, end func(f *faultRun)
}

// victimDrives are the drives a drive fault hits: one drive of a
// one-node tenant, two drives on two nodes otherwise. Either leaves a
// write quorum.
func (f *faultRun) victimDrives() [][2]int {
	if f.shape.nodes == 1 {
		return [][2]int{{0, 1}}
	}
	return [][2]int{{1, 0}, {2, 1}}
}

// faults is the fault column of the matrix.
func faults() []fault {
	return []fault{
		{name: "a SIGKILL of one node", multiNode: true,
			inject: func(f *faultRun) { f.kill(3) },
			end:    func(f *faultRun) { f.restart(3) }},
		{name: "a SIGKILL of two nodes (parity's worth of drives)", multiNode: true,
			inject: func(f *faultRun) { f.kill(3); f.kill(2) },
			end:    func(f *faultRun) { f.restart(2); f.restart(3) }},
		{name: "a drive directory removed", inject: removeDrive, end: replaceDrive},
		{name: "a drive made unwritable", inject: freezeDrives, end: thawDrives},
		{name: "bytes flipped in stored shards", after: flipAfter, inject: flipShards,
			end: func(*faultRun) {}},
	}
}

// kill SIGKILLs node i, after taking it out of the workload's nodes.
func (f *faultRun) kill(i int) {
	f.r.live.setDown(i, true)
	f.c.Kill(f.t, i)
}

// restart starts node i again and gives it back to the workload.
func (f *faultRun) restart(i int) {
	f.c.Restart(f.t, i)
	f.r.live.setDown(i, false)
}

// removeDrive removes the first victim drive's directory, rm -rf, under
// the running node.
func removeDrive(f *faultRun) {
	v := f.victimDrives()[0]
	dir := f.c.Nodes[v[0]].Drives[v[1]]
	var err error
	for range 20 { // the node may create files in it meanwhile
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	f.t.Fatalf("removing drive %s: %v", dir, err)
}

// replaceDrive restarts the node of the removed drive (SIGTERM), which
// finds the drive folder empty (it makes it again), formats it and heals
// every object onto it in a drive heal job; it waits for that job to
// finish.
func replaceDrive(f *faultRun) {
	node := f.victimDrives()[0][0]
	f.r.live.setDown(node, true)
	f.c.Stop(f.t, node)
	f.restart(node)
	st := waitDriveJobsDone(f.t, f.c, node, 1)
	if failures := jobFailures(st); len(failures) > 0 {
		f.t.Errorf("drive heal job of the replaced drive: got failures %v, want none", failures)
	}
}

// freezeDrives makes the victim drives unwritable while their nodes run:
// every directory of the drive refuses new entries, renames and removals.
// As root, chmod does not stop writes, so the immutable attribute
// (chattr +i, FS_IMMUTABLE_FL) is set on each directory instead; other
// users get chmod 0500. Files and directories stay readable.
func freezeDrives(f *faultRun) {
	for _, v := range f.victimDrives() {
		dir := f.c.Nodes[v[0]].Drives[v[1]]
		f.t.Cleanup(func() { _ = walkDirs(dir, thawDir) })
		if err := walkDirs(dir, freezeDir); err != nil {
			f.t.Fatalf("making drive %s unwritable: %v", dir, err)
		}
	}
}

// thawDrives makes the victim drives writable again.
func thawDrives(f *faultRun) {
	for _, v := range f.victimDrives() {
		dir := f.c.Nodes[v[0]].Drives[v[1]]
		if err := walkDirs(dir, thawDir); err != nil {
			f.t.Fatalf("making drive %s writable again: %v", dir, err)
		}
	}
}

// walkDirs calls fn on dir and then on every directory under it, each
// before listing it, so that a frozen directory's listing is final.
func walkDirs(dir string, fn func(string) error) error {
	if err := fn(dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := walkDirs(filepath.Join(dir, e.Name()), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// fsImmutable is FS_IMMUTABLE_FL of linux/fs.h.
const fsImmutable = 0x10

// freezeDir makes one directory refuse changes to its entries.
func freezeDir(dir string) error {
	if os.Geteuid() != 0 {
		return os.Chmod(dir, 0o500)
	}
	return setImmutable(dir, true)
}

// thawDir undoes freezeDir.
func thawDir(dir string) error {
	if os.Geteuid() != 0 {
		return os.Chmod(dir, 0o755)
	}
	return setImmutable(dir, false)
}

// setImmutable sets or clears a file's immutable attribute.
func setImmutable(name string, on bool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return fmt.Errorf("reading the attributes of %s: %w", name, err)
	}
	if on {
		flags |= fsImmutable
	} else {
		flags &^= fsImmutable
	}
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags)); err != nil {
		return fmt.Errorf("setting the attributes of %s: %w", name, err)
	}
	return nil
}

// flipShards flips a byte in stored shard files of keys that hold one
// acknowledged version: in one drive's file for half of them, in
// parity's worth of drives' files (the most a read can do without) for
// the others. It damages keys that the rest of the workload does not
// write, so that their damage stays until healing, and keys that it
// does, so that writes over damaged shards happen too. Each key's lock
// is held meanwhile, so no operation of the workload runs on it.
func flipShards(f *faultRun) {
	rng := rand.New(rand.NewPCG(7, uint64(f.shape.nodes)))
	later := writtenFrom(f.ops, flipAfter-opsInFlight)
	var kept, rewritten []string
	for _, key := range f.r.m.keys {
		if later[key] {
			rewritten = append(rewritten, key)
		} else {
			kept = append(kept, key)
		}
	}
	damaged := flipSome(f, kept, flippedKept, rng)
	flipSome(f, rewritten, flippedRewritten, rng)
	if damaged == 0 {
		f.t.Fatal("no key to damage that the workload leaves alone until healing")
	}
	f.r.ty.add(func(ty *tally) { ty.damaged = damaged })
}

// flipSome damages up to n of keys and returns how many it damaged.
func flipSome(f *faultRun, keys []string, n int, rng *rand.Rand) int {
	flipped := 0
	for _, key := range keys {
		if flipped == n {
			break
		}
		if flipKey(f, key, flipsFor(flipped, f.shape.parity), rng) {
			flipped++
		}
	}
	return flipped
}

// flipsFor returns how many drives' shard files flipSome damages for its
// flipped-th key: one drive for every other key, parity's worth for the
// others.
func flipsFor(flipped, parity int) int { return 1 + (flipped%2)*(parity-1) }

// checkFlips refuses to damage n shard files of one object of the given
// parity unless healing can undo it: an object with more than parity
// corrupt shards has fewer good ones than a read needs, so it is lost by
// construction, whatever storaged does, and a case that did so would
// blame healing for the test's own damage.
func checkFlips(n, parity int) error {
	if n < 1 || n > parity {
		return fmt.Errorf("flipping bytes in %d drives' shard files of an object of parity %d: "+
			"want 1 to %d, the most that healing can rebuild", n, parity, parity)
	}
	return nil
}

// flipKey damages n drives' shard files of key when it holds one
// acknowledged version, under its lock, and reports whether it did.
func flipKey(f *faultRun, key string, n int, rng *rand.Rand) bool {
	if err := checkFlips(n, f.shape.parity); err != nil {
		f.t.Fatal(err)
	}
	k := f.r.m.byKey[key]
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.outcomes) != 1 || k.outcomes[0].absent {
		return false
	}
	flipKeyShards(f.t, allDrives(f.c), key, n, rng)
	return true
}

// writtenFrom returns the keys that the operations from index i on PUT
// or DELETE.
func writtenFrom(ops []mixedOp, i int) map[string]bool {
	out := map[string]bool{}
	for _, op := range ops[i:] {
		if op.kind != opGet {
			out[op.key] = true
		}
	}
	return out
}

// flipKeyShards inverts one byte, at a random place, of the current
// shard file of key on n drives, in place, as bit rot would. It logs the
// drives it picked, so that a failed case shows which damage was the
// test's own.
func flipKeyShards(t *testing.T, drives []string, key string, n int, rng *rand.Rand) {
	t.Helper()
	picked := rng.Perm(len(drives))[:n]
	names := make([]string, n)
	for j, i := range picked {
		names[j] = driveName(drives[i])
	}
	t.Logf("flipping a byte of %s's shard file on drives %v", key, names)
	for _, i := range picked {
		m, err := readDiskMeta(drives[i], bucket, key)
		if err != nil {
			t.Fatalf("flipping bytes of %s on %s: %v", key, drives[i], err)
		}
		name := filepath.Join(drives[i], bucket, objectDirOf(key), m.DataDir, "shards")
		if err := flipByte(name, rng); err != nil {
			t.Fatal(err)
		}
	}
	if r := checkObjectShards(drives, bucket, key); r.valid != len(drives)-n {
		t.Fatalf("%s: got %d good shard files after flipping bytes in %d, want %d", key,
			r.valid, n, len(drives)-n)
	}
}

// driveName names a drive folder (…/node-N/drives/dM) as node-N/dM.
func driveName(dir string) string {
	return filepath.Base(filepath.Dir(filepath.Dir(dir))) + "/" + filepath.Base(dir)
}

// flipByte inverts one byte of a file at a random offset.
func flipByte(name string, rng *rand.Rand) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return fmt.Errorf("flipping a byte of %s (%d bytes): %w", name, st.Size(), err)
	}
	b := make([]byte, 1)
	off := rng.Int64N(st.Size())
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	b[0] ^= 0xff
	_, err = f.WriteAt(b, off)
	return err
}

// TestFailureMatrix runs each fault on each tenant shape under a mixed
// workload: a pool of keys is written, then PUTs, GETs and DELETEs run
// eight at a time while the fault is injected. Once the fault ends and
// healing has run, every key must read back as its last acknowledged
// write (or, after writes that failed, as one of the versions it may
// hold, whole), every object must have a full set of good shards on
// every drive folder, checked on disk, and no deleted key may linger on
// any drive. It prints one line per case; lost and corrupt must be 0.
func TestFailureMatrix(t *testing.T) {
	shapes := []shape{
		{name: "4×2 parity 4", nodes: 4, drives: 2, parity: 4},
		{name: "1×4 parity 2", nodes: 1, drives: 4, parity: 2},
	}
	seed := uint64(0)
	for _, sh := range shapes {
		for _, ft := range faults() {
			if ft.multiNode && sh.nodes == 1 {
				continue
			}
			seed++
			name := fmt.Sprintf("%s keeps every acknowledged write through %s", sh.name, ft.name)
			t.Run(name, func(t *testing.T) { runFaultCase(t, sh, ft, seed) })
		}
	}
}

// runFaultCase is one case of the matrix.
func runFaultCase(t *testing.T, sh shape, ft fault, seed uint64) {
	start := time.Now()
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: sh.nodes,
		DrivesPerNode: sh.drives, Parity: sh.parity, Args: healArgs})
	createBucket(t, c)
	f := &faultRun{t: t, c: c, shape: sh, r: &runner{c: c, m: newModel("mix", poolKeys),
		live: newLiveNodes(sh.nodes), ty: &tally{}}}
	f.r.run(seedOps(f.r.m.keys), opsInFlight, 0, nil)
	if f.r.ty.unacked > 0 {
		t.Fatalf("with every drive up: got %d failed PUTs of %d, want none", f.r.ty.unacked,
			poolKeys)
	}

	reached := make(chan struct{})
	workDone := make(chan struct{})
	f.ops = mixedWorkload(f.r.m.keys, mixedOps, seed)
	go func() {
		defer close(workDone)
		f.r.run(f.ops, opsInFlight, cmp.Or(ft.after, faultAfter), reached)
	}()
	<-reached
	ft.inject(f)
	<-workDone
	ft.end(f)

	f.r.ty.sweeps = healBySweeps(t, c, 0)
	checkAfterHealing(t, f)
	reportCase(t, sh, ft, f.r.ty, time.Since(start))
	if t.Failed() {
		logTails(t, c)
	}
}

// logTails prints the last lines above debug level of every node's log,
// for a failed case.
func logTails(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	for _, n := range c.Nodes {
		b, _ := os.ReadFile(filepath.Join(n.Dir, "storaged.log"))
		var lines []string
		for line := range strings.Lines(string(b)) {
			if !strings.Contains(line, `"@level":"debug"`) {
				lines = append(lines, line)
			}
		}
		t.Logf("%s's log ends:\n%s", n.Name, strings.Join(lines[max(0, len(lines)-15):], ""))
	}
}

// createBucket creates the bucket of the tests through node 0.
func createBucket(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err := c.S3(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
}

// maxSweeps bounds the heal sweeps of one case.
const maxSweeps = 3

// healBySweeps runs heal sweeps of the bucket through node i until
// healing fails nothing during one, as an operator would, and returns how
// many it ran. A sweep fails a key whose namespace lock a killed node held
// until that lock expires, and a heal that the reads queued during the
// fault may still fail while the sweep runs.
func healBySweeps(t *testing.T, c *testcluster.Cluster, i int) int {
	t.Helper()
	c.WaitDrivesOnline(t, i)
	for n := 1; ; n++ {
		before := healFailed(t, c, i)
		sweepAndWait(t, c, i)
		st, err := healStatus(c, i)
		if err != nil {
			t.Fatalf("heal status of node %d: %v", i, err)
		}
		if st.Failed == before.Failed {
			return n
		}
		t.Logf("healing failed %d objects during sweep %d: %v", st.Failed-before.Failed, n,
			newFailures(before, st))
		if n == maxSweeps {
			t.Errorf("got %d heal sweeps with failures, want a clean one", n)
			return n
		}
	}
}

// healFailed returns node i's heal status, for its failure count.
func healFailed(t *testing.T, c *testcluster.Cluster, i int) s3api.HealStatus {
	t.Helper()
	st, err := healStatus(c, i)
	if err != nil {
		t.Fatalf("heal status of node %d: %v", i, err)
	}
	return st
}

// newFailures lists the failures in after that are not in before.
func newFailures(before, after s3api.HealStatus) []string {
	seen := map[string]bool{}
	for _, s := range before.Sets {
		for _, f := range s.RecentFailures {
			seen[f.Key+": "+f.Error] = true
		}
	}
	var out []string
	for _, s := range after.Sets {
		for _, f := range s.RecentFailures {
			if k := f.Key + ": " + f.Error; !seen[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

// sweepAndWait asks node i for a heal sweep of the bucket and waits until
// it has finished.
func sweepAndWait(t *testing.T, c *testcluster.Cluster, i int) {
	t.Helper()
	status, b, err := adminRequest(c, i, http.MethodPost, "bucket="+bucket)
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("POST /strata/admin/heal: got %d %s, %v; want 202", status, b, err)
	}
	deadline := time.Now().Add(sweepTimeout)
	for {
		st, err := healStatus(c, i)
		if err == nil && !sweeping(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("heal sweep on node %d not done within %s: %v", i, sweepTimeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sweeping reports whether any set of a status still sweeps.
func sweeping(st s3api.HealStatus) bool {
	for _, s := range st.Sets {
		if s.Sweeping {
			return true
		}
	}
	return false
}

// checkAfterHealing reads every key back through every node in turn and
// checks each one's shard files on every drive folder.
func checkAfterHealing(t *testing.T, f *faultRun) {
	t.Helper()
	drives := allDrives(f.c)
	for i, key := range f.r.m.keys {
		k := f.r.m.byKey[key]
		got, ok := f.r.read(k, key, i%len(f.c.Nodes), afterHealing)
		if !ok {
			continue // counted as lost or corrupt
		}
		if got.absent {
			checkGone(f.r.ty, drives, key)
			continue
		}
		f.r.ty.add(func(ty *tally) { ty.objects++ })
		checkFullShards(f.r.ty, drives, key)
	}
	healed := healedTotal(f.c)
	f.r.ty.add(func(ty *tally) {
		ty.healed = healed
		if len(ty.problems) > 0 {
			slices.Sort(ty.problems)
			t.Errorf("problems found:\n%s", strings.Join(ty.problems, "\n"))
		}
	})
}

// checkFullShards demands a good meta file and good shard files of the
// same version of key on every drive.
func checkFullShards(ty *tally, drives []string, key string) {
	r := checkObjectShards(drives, bucket, key)
	dirs := map[string]bool{}
	for _, d := range drives {
		if m, err := readDiskMeta(d, bucket, key); err == nil {
			dirs[m.DataDir] = true
		}
	}
	if r.valid == len(drives) && len(dirs) == 1 {
		return
	}
	ty.add(func(ty *tally) { ty.unhealed++ })
	ty.problem("%s: %d of %d drives hold good shards, of %d versions: %v", key, r.valid,
		len(drives), len(dirs), r.problems)
}

// checkGone demands that no drive still hold a meta file of a key that
// reads as absent.
func checkGone(ty *tally, drives []string, key string) {
	for _, d := range drives {
		_, err := readDiskMeta(d, bucket, key)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		ty.add(func(ty *tally) { ty.stale++ })
		ty.problem("%s reads as absent but %s still holds its meta file (%v)", key, d, err)
	}
}

// healedTotal adds up the objects every running node reports healed.
func healedTotal(c *testcluster.Cluster) uint64 {
	var n uint64
	for i := range c.Nodes {
		if st, err := healStatus(c, i); err == nil {
			n += st.Healed
		}
	}
	return n
}

// reportCase prints the case's line and fails it on any loss.
func reportCase(t *testing.T, sh shape, ft fault, ty *tally, took time.Duration) {
	t.Helper()
	t.Logf("shape=%q fault=%q objects=%d acknowledged=%d unacknowledged=%d healed=%d "+
		"lost=%d corrupt=%d unhealed=%d stale=%d reads=%d unavailable=%d sweeps=%d "+
		"damaged=%d in %s", sh.name, ft.name, ty.objects, ty.acked, ty.unacked, ty.healed,
		ty.lost, ty.corrupt, ty.unhealed, ty.stale, ty.reads, ty.unavailable, ty.sweeps,
		ty.damaged, took.Round(time.Second))
	if ty.healed < uint64(ty.damaged) {
		t.Errorf("got %d objects healed, want at least the %d left damaged", ty.healed,
			ty.damaged)
	}
	if ty.lost != 0 || ty.corrupt != 0 || ty.unhealed != 0 || ty.stale != 0 {
		t.Errorf("got lost=%d corrupt=%d unhealed=%d stale=%d, want all 0", ty.lost,
			ty.corrupt, ty.unhealed, ty.stale)
	}
}

// TestFlipsStayWithinParity checks the rule the byte flips of the matrix
// keep: healing can rebuild an object that lost up to parity shards, so a
// case may damage that many and no more. A draft of the matrix flipped
// parity+1 drives of every key; its objects were lost before healing
// started, and the case failed with more corrupt shards than healing
// could do without.
func TestFlipsStayWithinParity(t *testing.T) {
	tests := []struct {
		name      string
		n, parity int
		wantErr   bool
	}{
		{name: "one drive of a parity-2 object may be damaged", n: 1, parity: 2},
		{name: "parity's worth of drives may be damaged", n: 4, parity: 4},
		{name: "one drive more than parity is refused", n: 5, parity: 4, wantErr: true},
		{name: "three drives of a parity-2 object are refused", n: 3, parity: 2, wantErr: true},
		{name: "no drive at all is refused", n: 0, parity: 2, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkFlips(tc.n, tc.parity); (err != nil) != tc.wantErr {
				t.Errorf("checkFlips(%d, %d): got %v, want error %t", tc.n, tc.parity, err,
					tc.wantErr)
			}
		})
	}
	t.Run("the matrix damages one drive, then parity's worth, and never more", func(t *testing.T) {
		for _, parity := range []int{1, 2, 4} {
			for flipped := range flippedKept {
				n := flipsFor(flipped, parity)
				want := 1
				if flipped%2 == 1 {
					want = parity
				}
				if n != want || checkFlips(n, parity) != nil {
					t.Errorf("flipsFor(%d, %d): got %d drives, want %d, within parity", flipped,
						parity, n, want)
				}
			}
		}
	})
}
