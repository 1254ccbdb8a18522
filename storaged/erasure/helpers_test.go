package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

const mib = 1 << 20

// testSet is a set over fresh local drives, with what tests inspect.
type testSet struct {
	*Set
	dirs     []string
	degraded *degradedLog
}

// newTestSet opens n fresh local drives with the given parity and creates
// the bucket "bkt".
func newTestSet(t testing.TB, n, parity int) *testSet {
	t.Helper()
	dirs := make([]string, n)
	root := t.TempDir()
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	ts := newTestSetOver(t, drives, parity)
	ts.dirs = dirs
	return ts
}

// newTestSetOver builds a set over the given drives and creates "bkt" if
// they do not hold it yet.
func newTestSetOver(t testing.TB, drives []Drive, parity int) *testSet {
	t.Helper()
	log := &degradedLog{}
	s, err := New(Config{Drives: drives, Parity: parity, OnDegraded: log.add})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = s.MakeBucket(context.Background(), "bkt")
	if err != nil && !errors.Is(err, ErrBucketExists) {
		t.Fatalf("MakeBucket: %v", err)
	}
	return &testSet{Set: s, degraded: log}
}

// degradedLog collects OnDegraded reports.
type degradedLog struct {
	mu     sync.Mutex
	drives map[int]bool
}

func (l *degradedLog) add(d Degraded) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.drives == nil {
		l.drives = map[int]bool{}
	}
	for _, f := range d.Failures {
		l.drives[f.Drive] = true
	}
}

// reported returns the drive positions reported so far, sorted.
func (l *degradedLog) reported() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int
	for d := range l.drives {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// expireRetired removes the retired data of every drive of s, as the
// first change after RetireFor does.
func expireRetired(s *Set) {
	later := s.now().Add(s.retireFor + 2*time.Minute)
	for pos, d := range s.drives {
		s.purgeRetired(context.Background(), pos, d, later)
	}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int64, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// mustPut stores data or fails the test.
func mustPut(t testing.TB, s *Set, key string, data []byte) ObjectInfo {
	t.Helper()
	info, err := s.Put(context.Background(), "bkt", key, bytes.NewReader(data), PutOptions{})
	if err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
	return info
}

// readRange reads [off, off+n) of an object, returning what was read before
// any error.
func readRange(s *Set, key string, off, n int64) ([]byte, error) {
	ctx := context.Background()
	o, err := s.Open(ctx, "bkt", key)
	if err != nil {
		return nil, err
	}
	r, err := o.NewReader(ctx, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// readAll reads a whole object.
func readAll(s *Set, key string) ([]byte, error) {
	info, err := s.Stat(context.Background(), "bkt", key)
	if err != nil {
		return nil, err
	}
	return readRange(s, key, 0, info.Size)
}

// filesNamed returns every file under root whose name is name.
func filesNamed(t testing.TB, root, name string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == name {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	return out
}

// flipBytes inverts bytes [from, to) of a file (to < 0: to the end).
func flipBytes(t testing.TB, name string, from, to int64) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if to < 0 || to > int64(len(b)) {
		to = int64(len(b))
	}
	for i := from; i < to; i++ {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// leftovers lists the files on a drive directory other than the format
// file and volume markers.
func leftovers(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if !d.IsDir() && name != "format.json" && name != ".strata.volume" {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	return out
}

// errInjected is the failure a faultyDrive injects.
var errInjected = errors.New("injected drive failure")

// faultyDrive wraps a drive and fails the operations named in ops while
// armed. writeBudget, when positive, lets that many bytes through a shard
// writer before its writes fail.
type faultyDrive struct {
	Drive
	ops         map[string]bool
	armed       atomic.Bool
	writeBudget int64
}

func newFaulty(d Drive, ops ...string) *faultyDrive {
	f := &faultyDrive{Drive: d, ops: map[string]bool{}}
	for _, op := range ops {
		f.ops[op] = true
	}
	f.armed.Store(true)
	return f
}

func (f *faultyDrive) fails(op string) bool { return f.armed.Load() && f.ops[op] }

func (f *faultyDrive) CreateFile(ctx context.Context, vol, p string) (drive.FileWriter, error) {
	if f.fails("CreateFile") {
		return nil, errInjected
	}
	w, err := f.Drive.CreateFile(ctx, vol, p)
	if err != nil {
		return nil, err
	}
	return &faultyWriter{FileWriter: w, d: f, budget: f.writeBudget}, nil
}

func (f *faultyDrive) WriteFile(ctx context.Context, vol, p string, data []byte) error {
	if f.fails("WriteFile") {
		return errInjected
	}
	return f.Drive.WriteFile(ctx, vol, p, data)
}

func (f *faultyDrive) Rename(ctx context.Context, sv, sp, dv, dp string) error {
	if f.fails("Rename") || f.fails("RenameMeta") && strings.HasSuffix(dp, "/"+metaFile) {
		return errInjected
	}
	return f.Drive.Rename(ctx, sv, sp, dv, dp)
}

func (f *faultyDrive) ReadFile(ctx context.Context, vol, p string) ([]byte, error) {
	if f.fails("ReadFile") {
		return nil, errInjected
	}
	return f.Drive.ReadFile(ctx, vol, p)
}

func (f *faultyDrive) MakeVolume(ctx context.Context, vol string) error {
	if f.fails("MakeVolume") {
		return errInjected
	}
	return f.Drive.MakeVolume(ctx, vol)
}

// faultyWriter fails writes once its drive's budget is spent, and commits
// while the drive fails "Commit".
type faultyWriter struct {
	drive.FileWriter
	d      *faultyDrive
	budget int64
}

func (w *faultyWriter) Write(p []byte) (int, error) {
	if w.d.fails("Write") {
		if w.budget <= 0 {
			return 0, errInjected
		}
		w.budget -= int64(len(p))
	}
	return w.FileWriter.Write(p)
}

func (w *faultyWriter) Commit() error {
	if w.d.fails("Commit") {
		_ = w.FileWriter.Abort()
		return errInjected
	}
	return w.FileWriter.Commit()
}

// failingReader returns n bytes of data and then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// firstDiff returns the first offset where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
