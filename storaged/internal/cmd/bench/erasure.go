package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/internal/highway"
)

// The erasure figures' geometry: that of a storaged with 4 drives and
// parity 2.
const (
	erasureDrives = 4
	erasureParity = 2
	erasureData   = erasureDrives - erasureParity
)

// goalErasure is the least share of bare reedsolomon's speed that the
// storage path should keep.
const goalErasure = 0.5

// erasureBucket is the bucket of the erasure figures' set.
const erasureBucket = "bench"

// degradedKey is the object read back with its data drives lost.
const degradedKey = "degraded"

// erasureNotes say what the erasure figures measure.
var erasureNotes = []string{
	"Strata: storaged/erasure's Set (2 data + 2 parity, 1 MiB blocks, a HighwayHash-256 per",
	"  shard block), through its exported API only. encode = Set.Put of 64 MiB objects;",
	"  reconstruct = reading a 64 MiB object back while both drives that hold its data shards",
	"  fail every read, so every block is rebuilt from parity (each parity record hash-checked).",
	"  The goal figures measure the storage path without the medium it stores to, as the",
	"  baseline measures reedsolomon without one: encode runs on drive.Memory drives whose",
	"  shard files count and drop their bytes (body reads, block framing, coding, hashing,",
	"  the writes to each drive, staging, metadata and commit all run); reconstruct reads",
	"  from drive.Memory drives. \"encode on memory drives\" adds a copy of 2x the bytes",
	"  into new memory; the \"on -memdir files\" figures run on drive.Local folders on -memdir",
	"  (tmpfs: no disk, but every write/fsync/rename call); the disk's own limit is measured",
	"  by the s3 and cluster groups against plain file I/O.",
	"baseline: bare reedsolomon (same geometry, default options) on the same 1 MiB blocks:",
	"  encode = split into 2 shards + Encode; reconstruct = Reconstruct data shards 0 and 1",
	"  from the 2 parity shards + join.",
	"hash: HighwayHash-256 of the 4 shards of every block (2x the object's bytes) on one",
	"  goroutine, as Put hashes them: storaged/internal/highway's Sums on the 8 shards of two",
	"  blocks at once, in one AVX-512 loop where the CPU has it. The \"one shard at a time\"",
	"  line is github.com/minio/highwayhash on each shard in turn, for comparison.",
	"file writes: per object, 4 files of half its bytes each (2x the object's bytes) on",
	"  -memdir, written in parallel, each synced and renamed: the file work of encode",
	"  without the coding, to tell coding costs from file costs.",
	"ceiling: the fastest any storage path could encode (or reconstruct) on this machine",
	"  while hashing what it must: the CPU time bare reedsolomon used (all its goroutines,",
	"  from getrusage) plus the hash figure's time, spread perfectly over GOMAXPROCS CPUs,",
	"  and never faster than bare reedsolomon alone. For reconstruct the hash time is that",
	"  of the \"parity shards\" hash line: the 2 parity records of each block, two blocks",
	"  at a time, as the read checks them. Its ratio is the best ratio reachable with this",
	"  hash: below the goal, the goal cannot be met here.",
	"All rates are MiB/s of object bytes; each run codes -erasure-mib MiB.",
}

// errLost is what a lost drive answers to every range read.
var errLost = errors.New("bench: drive lost on purpose, to measure reconstruction")

// tapDrive is a drive whose range reads are counted and can be made to
// fail, so that the benchmark can find and lose the drives that hold an
// object's data shards.
type tapDrive struct {
	erasure.Drive
	reads atomic.Int64
	lost  atomic.Bool
}

var _ erasure.Drive = (*tapDrive)(nil)

// ReadRange counts the read and fails it with errLost when the drive is
// lost.
func (d *tapDrive) ReadRange(ctx context.Context, vol, p string,
	offset, length int64) (io.ReadCloser, error) {
	d.reads.Add(1)
	if d.lost.Load() {
		return nil, errLost
	}
	return d.Drive.ReadRange(ctx, vol, p, offset, length)
}

// sinkDrive is a drive whose files keep none of the bytes written to them
// through CreateFile: they are counted in written and dropped, so that a
// committed shard file is empty. Every other operation (staging, meta
// files, commit renames) is the wrapped drive's own.
type sinkDrive struct {
	erasure.Drive
	written *atomic.Int64
}

// CreateFile opens a file that counts and drops what is written to it.
func (d sinkDrive) CreateFile(ctx context.Context, vol, p string) (drive.FileWriter, error) {
	w, err := d.Drive.CreateFile(ctx, vol, p)
	if err != nil {
		return nil, err
	}
	return sinkWriter{FileWriter: w, written: d.written}, nil
}

// sinkWriter counts and drops its writes; Commit and Abort are the
// wrapped writer's.
type sinkWriter struct {
	drive.FileWriter
	written *atomic.Int64
}

// Write counts p and keeps none of it.
func (w sinkWriter) Write(p []byte) (int, error) {
	w.written.Add(int64(len(p)))
	return len(p), nil
}

// erasureBench is the erasure figures' running state.
type erasureBench struct {
	dir      string   // the folder of the file drives and of the file-write figure
	sink     benchSet // on drive.Memory drives whose shard files keep nothing
	sunk     atomic.Int64
	mem      benchSet // on drive.Memory drives
	files    benchSet // on drive.Local folders under dir
	data     []byte   // the object every figure codes
	objects  int      // objects coded per run
	raw      *rawCoder
	buf      []byte // the copy buffer of reads
	hashSink byte   // keeps the hash figures' results alive
}

// runErasure measures the erasure figures on drives under cfg.memDir and
// removes them afterwards.
func runErasure(ctx context.Context, cfg config, log hclog.Logger) (figs []figure,
	notes []string, err error) {
	notes = erasureNotes
	if !isTmpfs(cfg.memDir) {
		notes = append(notes, fmt.Sprintf("NOTE: -memdir %s is %s, not tmpfs: the Strata "+
			"figures include its storage.", cfg.memDir, fsType(cfg.memDir)))
	}
	dir, err := os.MkdirTemp(cfg.memDir, "strata-bench-erasure-")
	if err != nil {
		return nil, nil, fmt.Errorf("making the erasure folder: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()

	b, err := newErasureBench(ctx, cfg, dir)
	if err != nil {
		return nil, nil, err
	}
	log.Info("measuring", "figures", "encode/reconstruct/hash", "MiB", cfg.erasureMiB,
		"runs", cfg.runs)
	figs, err = b.measure(ctx, cfg.runs)
	return figs, notes, err
}

// benchSet is an erasure set whose drives the benchmark can watch and
// lose.
type benchSet struct {
	set    *erasure.Set
	drives []*tapDrive
}

// newErasureBench opens a set on memory drives and one on four drive
// folders under dir, stores in each the object to be read degraded and
// loses its data drives, and checks that both sets and bare reedsolomon
// return the object's bytes.
func newErasureBench(ctx context.Context, cfg config, dir string) (*erasureBench, error) {
	b := &erasureBench{dir: dir, data: randomBytes(largeSize, 4),
		objects: cfg.erasureMiB / largeMiB, buf: make([]byte, erasure.DefaultBlockSize)}
	var err error
	if b.raw, err = newRawCoder(b.data); err != nil {
		return nil, err
	}
	if err := b.raw.check(b.data); err != nil {
		return nil, err
	}
	if b.sink.set, b.sink.drives, err = openSinkSet(ctx, &b.sunk); err != nil {
		return nil, err
	}
	if b.mem.set, b.mem.drives, err = openMemorySet(ctx); err != nil {
		return nil, err
	}
	if b.files.set, b.files.drives, err = openSet(ctx, dir); err != nil {
		return nil, err
	}
	for _, s := range []benchSet{b.mem, b.files} {
		if err := b.prepareDegraded(ctx, s); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// openMemorySet opens a set with parity 2 on four drive.Memory drives.
func openMemorySet(ctx context.Context) (*erasure.Set, []*tapDrive, error) {
	return tapSet(ctx, memoryDrives())
}

// openSinkSet opens a set with parity 2 on four drive.Memory drives whose
// shard files count their bytes in written and keep none.
func openSinkSet(ctx context.Context, written *atomic.Int64) (*erasure.Set, []*tapDrive, error) {
	ds := memoryDrives()
	for i, d := range ds {
		ds[i] = sinkDrive{Drive: d, written: written}
	}
	return tapSet(ctx, ds)
}

// memoryDrives returns the erasure figures' drives as drive.Memory.
func memoryDrives() []erasure.Drive {
	ds := make([]erasure.Drive, erasureDrives)
	for i := range ds {
		ds[i] = drive.NewMemory(fmt.Sprintf("memory%d", i+1), 1<<40)
	}
	return ds
}

// openSet formats four drives under dir, wraps them in tapDrives, and
// opens a set with parity 2 and its bucket.
func openSet(ctx context.Context, dir string) (*erasure.Set, []*tapDrive, error) {
	dirs := make([]string, erasureDrives)
	for i := range dirs {
		dirs[i] = filepath.Join(dir, fmt.Sprintf("drive%d", i+1))
	}
	ds, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the erasure drives: %w", err)
	}
	return tapSet(ctx, ds)
}

// tapSet wraps ds in tapDrives and opens a set with parity 2 over them,
// with the benchmark's bucket.
func tapSet(ctx context.Context, ds []erasure.Drive) (*erasure.Set, []*tapDrive, error) {
	taps := make([]*tapDrive, len(ds))
	drives := make([]erasure.Drive, len(ds))
	for i, d := range ds {
		taps[i] = &tapDrive{Drive: d}
		drives[i] = taps[i]
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: erasureParity})
	if err != nil {
		return nil, nil, fmt.Errorf("opening the erasure set: %w", err)
	}
	if err := set.MakeBucket(ctx, erasureBucket); err != nil {
		return nil, nil, fmt.Errorf("making the erasure bucket: %w", err)
	}
	return set, taps, nil
}

// prepareDegraded stores the degraded object, finds the drives that a
// healthy read of it reads from (those of its data shards), loses them,
// and checks that a read still returns the object's bytes.
func (b *erasureBench) prepareDegraded(ctx context.Context, s benchSet) error {
	if err := b.put(ctx, s, degradedKey); err != nil {
		return err
	}
	for _, d := range s.drives {
		d.reads.Store(0)
	}
	if _, err := b.read(ctx, s, &matcher{want: b.data}); err != nil {
		return fmt.Errorf("reading the object back: %w", err)
	}
	var data []*tapDrive
	for _, d := range s.drives {
		if d.reads.Load() > 0 {
			data = append(data, d)
		}
	}
	if len(data) != erasureData {
		return fmt.Errorf("a healthy read read from %d drives, want %d (the data shards)",
			len(data), erasureData)
	}
	for _, d := range data {
		d.lost.Store(true)
	}
	if err := b.reconstruct(ctx, s, &matcher{want: b.data}); err != nil {
		return fmt.Errorf("reading the object back with its data drives lost: %w", err)
	}
	return nil
}

// erasureSamples are one run's rates.
type erasureSamples struct {
	encode, rawEncode, reconstruct, rawReconstruct, hash, files float64
	memEncode, fileEncode, fileReconstruct, hashEach            float64
	hashParity                                                  float64
	// The CPU seconds bare reedsolomon used, and the wall seconds it
	// took, for the ceiling figures.
	rawEncodeCPU, rawEncodeWall, rawReconstructCPU, rawReconstructWall float64
	// hashWall and hashParityWall are the wall seconds of the hash figures
	// of all shards and of the parity shards (one goroutine: their CPU
	// time).
	hashWall, hashParityWall float64
	// sunk is the bytes the encode figure's drives were handed.
	sunk int64
}

// ceiling is the fastest rate, in MiB/s of mib MiB, at which a storage
// path could do bare reedsolomon's work (rawCPU CPU seconds, rawWall wall
// seconds) and hashShare of the hash figure's work (hashWall seconds on
// one goroutine), with the CPU work spread perfectly over cpus CPUs.
func ceiling(mib int, rawCPU, rawWall, hashWall, hashShare float64, cpus int) float64 {
	return float64(mib) / max(rawWall, (rawCPU+hashShare*hashWall)/float64(cpus))
}

// cpuSeconds is the CPU time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// measure runs the figures runs times and returns them.
func (b *erasureBench) measure(ctx context.Context, runs int) ([]figure, error) {
	work := fmt.Sprintf("%d x %d MiB", b.objects, largeMiB)
	enc := figure{name: "encode", unit: "MiB/s", work: work, goal: goalErasure}
	rec := figure{name: "reconstruct, 2 data shards lost", unit: "MiB/s", work: work,
		goal: goalErasure}
	memEnc := figure{name: "encode on memory drives", unit: "MiB/s", work: work}
	fileEnc := figure{name: "encode on -memdir files", unit: "MiB/s", work: work}
	fileRec := figure{name: "reconstruct on -memdir files", unit: "MiB/s", work: work}
	hash := figure{name: "hash: HighwayHash-256 of all shards", unit: "MiB/s", work: work}
	hashEach := figure{name: "hash: the same, one shard at a time", unit: "MiB/s", work: work}
	hashParity := figure{name: "hash: parity shards, two blocks at a time", unit: "MiB/s",
		work: work}
	files := figure{name: "file writes of 2x the bytes", unit: "MiB/s", work: work}
	encCeil := figure{name: "encode ceiling with this hash", unit: "MiB/s", work: work}
	recCeil := figure{name: "reconstruct ceiling with this hash", unit: "MiB/s", work: work}
	mib, cpus := b.objects*largeMiB, runtime.GOMAXPROCS(0)
	for r := range runs {
		s, err := b.run(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("erasure run %d: %w", r+1, err)
		}
		if want := int64(b.objects) * b.recordBytes(); s.sunk != want {
			return nil, fmt.Errorf("erasure run %d: the encode figure's drives were handed "+
				"%d bytes, want %d (every record of every block)", r+1, s.sunk, want)
		}
		enc.value, enc.baseline = append(enc.value, s.encode), append(enc.baseline, s.rawEncode)
		memEnc.value, memEnc.baseline = append(memEnc.value, s.memEncode), enc.baseline
		rec.value = append(rec.value, s.reconstruct)
		rec.baseline = append(rec.baseline, s.rawReconstruct)
		fileEnc.value = append(fileEnc.value, s.fileEncode)
		fileEnc.baseline = enc.baseline
		fileRec.value = append(fileRec.value, s.fileReconstruct)
		fileRec.baseline = rec.baseline
		hash.value = append(hash.value, s.hash)
		hashEach.value = append(hashEach.value, s.hashEach)
		hashParity.value = append(hashParity.value, s.hashParity)
		files.value = append(files.value, s.files)
		encCeil.value = append(encCeil.value,
			ceiling(mib, s.rawEncodeCPU, s.rawEncodeWall, s.hashWall, 1, cpus))
		encCeil.baseline = enc.baseline
		recCeil.value = append(recCeil.value,
			ceiling(mib, s.rawReconstructCPU, s.rawReconstructWall, s.hashParityWall, 1, cpus))
		recCeil.baseline = rec.baseline
	}
	return []figure{enc, rec, memEnc, fileEnc, fileRec, hash, hashEach, hashParity, files,
		encCeil, recCeil}, nil
}

// run measures one run of every erasure figure, the baseline first on
// even runs and second on odd ones.
func (b *erasureBench) run(ctx context.Context, r int) (erasureSamples, error) {
	var s erasureSamples
	enc, err := b.interleaved(r, b.raw.encodeOnce, func(i int) error {
		return b.put(ctx, b.sink, encodedKey(i))
	})
	if err != nil {
		return s, err
	}
	s.rawEncode, s.encode = enc.rates(b.objects)
	s.rawEncodeCPU, s.rawEncodeWall = enc.rawCPU, enc.rawWall
	rec, err := b.interleaved(r, b.raw.reconstructOnce, func(int) error {
		return b.reconstruct(ctx, b.mem, discard{})
	})
	if err != nil {
		return s, err
	}
	s.rawReconstruct, s.reconstruct = rec.rates(b.objects)
	s.rawReconstructCPU, s.rawReconstructWall = rec.rawCPU, rec.rawWall
	s.sunk = b.sunk.Swap(0)
	steps := []func() error{
		b.rated(&s.memEncode, func() error { return b.encodeAll(ctx, b.mem) }),
		b.rated(&s.fileEncode, func() error { return b.encodeAll(ctx, b.files) }),
		b.rated(&s.fileReconstruct, func() error { return b.reconstructAll(ctx, b.files) }),
		b.rated(&s.hash, b.cpuTimed(new(float64), &s.hashWall, b.hashAll)),
		b.rated(&s.hashEach, b.hashEachAll),
		b.rated(&s.hashParity, b.cpuTimed(new(float64), &s.hashParityWall, b.hashParityAll)),
		b.rated(&s.files, func() error { return b.writeFiles(ctx) }),
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return s, err
		}
	}
	return s, errors.Join(b.deleteEncoded(ctx, b.sink), b.deleteEncoded(ctx, b.mem),
		b.deleteEncoded(ctx, b.files), os.RemoveAll(b.filesDir()))
}

// pairTimes are the times of one figure and its baseline, object by
// object: wall and CPU seconds of bare reedsolomon, wall seconds of
// Strata.
type pairTimes struct {
	rawWall, rawCPU, wall float64
}

// rates returns the baseline's and Strata's rates over objects objects,
// in MiB/s of object bytes.
func (t pairTimes) rates(objects int) (raw, strata float64) {
	mib := float64(objects * largeMiB)
	return mib / t.rawWall, mib / t.wall
}

// interleaved codes b.objects objects with bare reedsolomon (raw) and
// with Strata, one object of each in turn, the one that goes first
// changing with every object and run r. On a shared machine a burst of
// other work then lands on both alike, as it would not if each coded all
// its objects in one stretch.
func (b *erasureBench) interleaved(r int, raw func() error,
	strata func(i int) error) (pairTimes, error) {
	var t pairTimes
	for i := range b.objects {
		steps := [2]func() error{
			func() error {
				c0, t0 := cpuSeconds(), time.Now()
				err := raw()
				t.rawWall += time.Since(t0).Seconds()
				t.rawCPU += cpuSeconds() - c0
				return err
			},
			func() error {
				d, err := timed(func() error { return strata(i) })
				t.wall += d.Seconds()
				return err
			},
		}
		if (r+i)%2 == 1 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return t, err
			}
		}
	}
	return t, nil
}

// rated returns a step that times fn and stores the rate, in MiB/s of
// object bytes, in out.
func (b *erasureBench) rated(out *float64, fn func() error) func() error {
	return func() error {
		d, err := timed(fn)
		*out = float64(b.objects*largeMiB) / d.Seconds()
		return err
	}
}

// cpuTimed returns fn measuring the CPU seconds the process used while it
// ran into cpu, and its wall seconds into wall.
func (b *erasureBench) cpuTimed(cpu, wall *float64, fn func() error) func() error {
	return func() error {
		c0, t0 := cpuSeconds(), time.Now()
		err := fn()
		*cpu, *wall = cpuSeconds()-c0, time.Since(t0).Seconds()
		return err
	}
}

// encodeAll stores the object b.objects times under distinct keys.
func (b *erasureBench) encodeAll(ctx context.Context, s benchSet) error {
	for i := range b.objects {
		if err := b.put(ctx, s, encodedKey(i)); err != nil {
			return err
		}
	}
	return nil
}

// deleteEncoded removes what encodeAll stored, untimed.
func (b *erasureBench) deleteEncoded(ctx context.Context, s benchSet) error {
	for i := range b.objects {
		if err := s.set.Delete(ctx, erasureBucket, encodedKey(i)); err != nil {
			return fmt.Errorf("deleting %s: %w", encodedKey(i), err)
		}
	}
	return nil
}

func encodedKey(i int) string { return fmt.Sprintf("encoded-%d", i) }

// reconstructAll reads the degraded object b.objects times.
func (b *erasureBench) reconstructAll(ctx context.Context, s benchSet) error {
	for range b.objects {
		if err := b.reconstruct(ctx, s, discard{}); err != nil {
			return err
		}
	}
	return nil
}

// reconstruct reads the degraded object into w and checks that the read
// found both data drives lost, so that every block was rebuilt.
func (b *erasureBench) reconstruct(ctx context.Context, s benchSet, w io.Writer) error {
	failures, err := b.read(ctx, s, w)
	if err != nil {
		return err
	}
	if len(failures) != erasureData {
		return fmt.Errorf("the degraded read met %d failed drives, want %d: it did not "+
			"reconstruct", len(failures), erasureData)
	}
	return nil
}

// put stores the object under key.
func (b *erasureBench) put(ctx context.Context, s benchSet, key string) error {
	_, err := s.set.Put(ctx, erasureBucket, key, bytes.NewReader(b.data), erasure.PutOptions{})
	if err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	return nil
}

// read copies the degraded object into w as a caller of io.Copy would
// (erasure.Reader's WriteTo hands w one decoded block at a time), and
// returns the drives that failed on the way. A *matcher w is checked for
// length.
func (b *erasureBench) read(ctx context.Context, s benchSet,
	w io.Writer) ([]erasure.DriveFailure, error) {
	o, err := s.set.Open(ctx, erasureBucket, degradedKey)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", degradedKey, err)
	}
	r, err := o.NewReader(ctx, 0, o.Info().Size)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", degradedKey, err)
	}
	defer r.Close()
	// io.CopyBuffer calls the reader's WriteTo; b.buf would serve only a
	// reader without one.
	if _, err := io.CopyBuffer(w, r, b.buf); err != nil {
		return nil, fmt.Errorf("reading %s: %w", degradedKey, err)
	}
	if m, ok := w.(*matcher); ok {
		if err := m.done(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", degradedKey, err)
		}
	}
	return r.Failures(), nil
}

// discard is an io.Writer that keeps nothing.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// hashAll hashes every shard of the object b.objects times, four at once.
func (b *erasureBench) hashAll() error {
	var sink byte
	for range b.objects {
		sink ^= b.raw.hash(b.data)
	}
	b.hashSink = sink
	return nil
}

// hashEachAll hashes every shard of the object b.objects times, one after
// the other.
func (b *erasureBench) hashEachAll() error {
	var sink byte
	for range b.objects {
		sink ^= b.raw.hashEach(b.data)
	}
	b.hashSink = sink
	return nil
}

// hashParityAll hashes the parity shards of every block of the object
// b.objects times, two blocks at a time.
func (b *erasureBench) hashParityAll() error {
	var sink byte
	for range b.objects {
		sink ^= b.raw.hashParity()
	}
	b.hashSink = sink
	return nil
}

// recordBytes is what Put hands the drives for one object: for every
// block, each shard's record of hash and shard.
func (b *erasureBench) recordBytes() int64 {
	blocks := int64(len(b.data) / blockSize)
	return blocks * erasureDrives * (highway.Size + shardSize)
}

// filesDir is the folder of the file-write figure.
func (b *erasureBench) filesDir() string { return filepath.Join(b.dir, "files") }

// writeFiles writes, for each object, four files of half its bytes each,
// in parallel, each synced and renamed: the file work of Put without the
// coding.
func (b *erasureBench) writeFiles(ctx context.Context) error {
	dir := b.filesDir()
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("making the file-write folder: %w", err)
	}
	half := len(b.data) / erasureData
	for i := range b.objects {
		err := forEach(ctx, erasureDrives, erasureDrives, func(_ context.Context, j int) error {
			part := b.data[(j%erasureData)*half:][:half]
			return writeDurably(dir, fmt.Sprintf("object-%d-shard-%d", i, j), part)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
