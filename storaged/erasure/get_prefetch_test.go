package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests try to make a Reader return wrong bytes, or the wrong error,
// through its read-ahead of the next block's records (get_prefetch.go):
// ranges that start or end inside a pair of blocks, geometries on both
// sides of the prefetch conditions, corrupt records on either block of a
// pair, drives whose streams die between the two blocks, multipart objects
// whose parts restart the block numbers, and Close while a block is read
// ahead.

// cutDrive passes every call to its drive until armed; then the streams
// ReadRange returns go wrong once the drive has delivered budget bytes:
// they fail with errInjected, or end early when short is set. With once
// set only the first stream opened while armed goes wrong. delay slows
// every read of an armed drive.
type cutDrive struct {
	Drive
	mu     sync.Mutex
	armed  bool
	budget int64
	short  bool
	once   bool
	delay  time.Duration
	opened int // streams opened while armed
}

// arm starts the drive's failures after budget more bytes.
func (d *cutDrive) arm(budget int64, short, once bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.armed, d.budget, d.short, d.once = true, budget, short, once
}

func (d *cutDrive) ReadRange(ctx context.Context, vol, p string,
	off, length int64) (io.ReadCloser, error) {
	rc, err := d.Drive.ReadRange(ctx, vol, p, off, length)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.armed || d.once && d.opened > 0 {
		return rc, nil
	}
	d.opened++
	return &cutStream{ReadCloser: rc, d: d}, nil
}

// cutStream is a stream of a cutDrive that spends the drive's budget.
type cutStream struct {
	io.ReadCloser
	d *cutDrive
}

func (s *cutStream) Read(p []byte) (int, error) {
	s.d.mu.Lock()
	left, short, delay := s.d.budget, s.d.short, s.d.delay
	s.d.mu.Unlock()
	time.Sleep(delay)
	if left <= 0 {
		if short {
			return 0, io.EOF
		}
		return 0, errInjected
	}
	n, err := s.ReadCloser.Read(p[:min(int64(len(p)), left)])
	s.d.mu.Lock()
	s.d.budget -= int64(n)
	s.d.mu.Unlock()
	return n, err
}

// blockSet is a set of cut drives over local directories with a chosen
// block size.
type blockSet struct {
	*testSet
	cuts []*cutDrive
	bs   int64
}

// newBlockSet opens n fresh local drives, each behind a cutDrive, with the
// given parity and block size, and creates the bucket "bkt".
func newBlockSet(t *testing.T, n, parity int, blockSize int64) *blockSet {
	t.Helper()
	dirs := make([]string, n)
	root := t.TempDir()
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	locals, err := OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	cuts := make([]*cutDrive, n)
	drives := make([]Drive, n)
	for i, d := range locals {
		cuts[i] = &cutDrive{Drive: d}
		drives[i] = cuts[i]
	}
	log := &degradedLog{}
	s, err := New(Config{Drives: drives, Parity: parity, BlockSize: int(blockSize),
		OnDegraded: log.add})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	return &blockSet{testSet: &testSet{Set: s, dirs: dirs, degraded: log}, cuts: cuts,
		bs: blockSize}
}

// shardOf returns the drive that holds shard idx of key.
func (bs *blockSet) shardOf(t *testing.T, key string, idx int) (pos int, d *cutDrive) {
	t.Helper()
	o, err := bs.Open(context.Background(), "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	pos = o.shardDrive[idx]
	return pos, bs.cuts[pos]
}

// corruptAt flips ten bytes in the middle of the shard of block b's
// record, for shard idx of segment seg (a part, or 0) of key.
func corruptAt(t *testing.T, ts *testSet, key string, seg int, b int64, idx int) {
	t.Helper()
	o, err := ts.Open(context.Background(), "bkt", key)
	if err != nil {
		t.Fatal(err)
	}
	sg := o.meta.segments(o.dir)[seg]
	shard := sg.geo.shardLen(sg.geo.blockLen(b))
	off := sg.geo.recordOffset(b) + hashSize + shard/2 - 5
	files := filesNamed(t, ts.dirs[o.shardDrive[idx]], path.Base(sg.file))
	if len(files) != 1 {
		t.Fatalf("got shard files %v of segment %d, want one", files, seg)
	}
	flipBytes(t, files[0], max(off, hashSize), off+10)
}

// readSmall reads r to its end with Read and a small, odd buffer.
func readSmall(r *Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 4099)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// readBoth reads [off, off+n) of key twice, with Read and a small buffer
// and with io.Copy (WriteTo), and fails unless both give want.
func readBoth(t *testing.T, s *Set, key string, off, n int64, want []byte) {
	t.Helper()
	got, err := readSmall(newRangeReader(t, s, key, off, n))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Read [%d, %d): got %d bytes differing at %d, %v; want %d bytes",
			off, off+n, len(got), firstDiff(got, want), err, len(want))
	}
	var buf bytes.Buffer
	m, err := io.Copy(&buf, newRangeReader(t, s, key, off, n))
	if err != nil || m != n || !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("io.Copy [%d, %d): got %d bytes differing at %d, %v; want %d bytes",
			off, off+n, m, firstDiff(buf.Bytes(), want), err, len(want))
	}
}

// pairRanges returns ranges of an object of size bytes in blocks of bs
// that start and end on and inside blocks, and so on and inside the pairs
// of blocks whose records a reader checks together.
func pairRanges(size, bs int64) [][2]int64 {
	nb := ceilDiv(size, bs)
	last := (nb - 1) * bs
	out := [][2]int64{{0, size}, {1, size - 2}, {last, size - last}, {size - 1, 1}}
	for k := int64(1); k < nb; k++ {
		lo, n := k*bs, min(bs, size-k*bs) // block k
		mid := lo + n/2
		out = append(out,
			[2]int64{lo, n},                        // exactly block k
			[2]int64{lo - 5, mid - lo + 5},         // across the boundary into block k
			[2]int64{mid, size - mid},              // mid block k to the end
			[2]int64{lo - bs/2, mid - (lo - bs/2)}, // mid block k-1 to mid block k
			[2]int64{0, mid},                       // to mid block k
		)
	}
	return out
}

// prefetchGeometries are the shapes the tests store objects in: with two
// to four data shards a block's records and the next's fit one hashing
// pass, so the reader reads ahead; with six and eight they do not.
var prefetchGeometries = []struct{ drives, parity int }{
	{3, 1}, {4, 1}, {6, 2}, {8, 2}, {16, 8},
}

// TestPrefetchedRangesReturnTheObjectsBytes reads ranges of objects of one
// to five blocks, the last sometimes short, in every geometry and with
// shards just below and at the length from which the reader reads ahead.
func TestPrefetchedRangesReturnTheObjectsBytes(t *testing.T) {
	t.Parallel()
	for _, g := range prefetchGeometries {
		d := int64(g.drives - g.parity)
		for _, shard := range []int64{minParallelShard - 1, minParallelShard} {
			name := fmt.Sprintf("%d+%d with %d-byte shards", d, g.parity, shard)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				bs := d * shard
				ts := newBlockSet(t, g.drives, g.parity, bs)
				for i, size := range []int64{bs, 2 * bs, 3 * bs, 4*bs + 777, 5 * bs} {
					key := fmt.Sprintf("obj%d", i)
					data := randomBytes(size, uint64(100+i))
					mustPut(t, ts.Set, key, data)
					for _, rg := range pairRanges(size, bs) {
						readBoth(t, ts.Set, key, rg[0], rg[1], data[rg[0]:rg[0]+rg[1]])
					}
				}
			})
		}
	}
}

// block is one record of one shard: block b of shard idx.
type block struct {
	b   int64
	idx int
}

// everyBlock returns block b of shard idx for b in [0, n).
func everyBlock(n int64, idx int) []block {
	out := make([]block, n)
	for b := range out {
		out[b] = block{int64(b), idx}
	}
	return out
}

// corruptCase is a set of corrupt records and what a whole read of the
// object must do about them.
type corruptCase struct {
	name      string
	data, par int
	blocks    int64
	corrupt   []block
	failBlock int64 // the block whose read fails with ErrReadQuorum; -1: none
	failed    []int // the shards whose drives the reader reports, sorted
	tail      int64 // bytes of a short block after the full ones
}

var corruptCases = []corruptCase{
	{"2+1: block 1 of shard 0 and block 0 of shard 1 are two losses in block 1",
		2, 1, 4, []block{{1, 0}, {0, 1}}, 1, []int{0, 1}, 0},
	{"2+1: blocks 0 and 1 of shard 0",
		2, 1, 4, []block{{0, 0}, {1, 0}}, -1, []int{0}, 0},
	{"2+1: every block of shard 1",
		2, 1, 5, everyBlock(5, 1), -1, []int{1}, 0},
	{"2+1: parity read for block 0 is corrupt in block 1",
		2, 1, 4, []block{{0, 0}, {1, 2}}, 1, []int{0, 2}, 0},
	{"2+1: parity read for block 2 is corrupt in block 3, the last",
		2, 1, 4, []block{{2, 1}, {3, 2}}, 3, []int{1, 2}, 0},
	{"3+1: block 2 of shard 2 then block 3 of shard 0",
		3, 1, 5, []block{{2, 2}, {3, 0}}, 3, []int{0, 2}, 0},
	{"3+1: unread parity corrupt in every block",
		3, 1, 5, everyBlock(5, 3), -1, nil, 0},
	{"4+2: block 1 of shard 0 and block 0 of shard 1",
		4, 2, 6, []block{{1, 0}, {0, 1}}, -1, []int{0, 1}, 0},
	{"4+2: block 2 of shard 3 and block 1 of shard 2, an odd pair",
		4, 2, 6, []block{{2, 3}, {1, 2}}, -1, []int{2, 3}, 0},
	{"4+2: a data and the first parity record of block 0",
		4, 2, 6, []block{{0, 0}, {0, 4}}, -1, []int{0, 4}, 0},
	{"4+2: the parity read for block 0 is corrupt in block 1",
		4, 2, 6, []block{{0, 0}, {1, 4}}, -1, []int{0, 4}, 0},
	{"4+2: both parity records read for blocks 0 and 1 are corrupt in block 1",
		4, 2, 6, []block{{0, 0}, {1, 4}, {1, 5}}, 1, []int{0, 4, 5}, 0},
	{"4+2: every block of shard 0 and of the second parity shard",
		4, 2, 5, slices.Concat(everyBlock(5, 0), everyBlock(5, 5)), -1, []int{0}, 0},
	{"4+2: every block of shards 0 and 4, and the last block of shard 5",
		4, 2, 5, slices.Concat(everyBlock(5, 0), everyBlock(5, 4), []block{{4, 5}}),
		4, []int{0, 4, 5}, 0},
	{"4+2: the last block of shards 1 and 3",
		4, 2, 6, []block{{5, 1}, {5, 3}}, -1, []int{1, 3}, 0},
	{"4+2: block 3 of shard 0 and the short last block of shard 1",
		4, 2, 4, []block{{3, 0}, {4, 1}}, -1, []int{0, 1}, 1000},
	{"4+2: block 2 of shards 0 and 4, the short last block of shard 5",
		4, 2, 4, []block{{2, 0}, {2, 4}, {4, 5}}, 4, []int{0, 4, 5}, 1000},
	{"2+1: every block of shard 0 with a one-byte last block",
		2, 1, 3, everyBlock(4, 0), -1, []int{0}, 1},
	{"6+2: block 0 of shard 0 and block 1 of the parity that replaced it",
		6, 2, 4, []block{{0, 0}, {1, 6}}, -1, []int{0, 6}, 0},
	{"6+2: block 0 of shard 0, block 1 of parity shards 6 and 7",
		6, 2, 4, []block{{0, 0}, {1, 6}, {1, 7}}, 1, []int{0, 6, 7}, 0},
	{"8+8: records of six shards spread over three blocks",
		8, 8, 4, []block{{0, 0}, {0, 8}, {1, 9}, {2, 1}, {1, 10}, {3, 7}}, -1,
		[]int{0, 1, 7, 8, 9, 10}, 0},
}

// TestCorruptRecordsAroundAPrefetchAreFoundOnce reads whole objects whose
// records are corrupt on either block of a pair, on data and on parity
// shards, and checks the bytes, the error and the drives reported.
func TestCorruptRecordsAroundAPrefetchAreFoundOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range corruptCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bs := int64(tc.data) * minParallelShard
			ts := newBlockSet(t, tc.data+tc.par, tc.par, bs)
			data := randomBytes(tc.blocks*bs+tc.tail, 7)
			mustPut(t, ts.Set, "obj", data)
			for _, c := range tc.corrupt {
				corruptAt(t, ts.testSet, "obj", 0, c.b, c.idx)
			}
			for _, small := range []bool{true, false} {
				r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
				got, err := readWith(r, small)
				checkCorruptRead(t, ts, tc, got, err, data)
				checkFailed(t, ts, "obj", r.Failures(), tc.failed)
			}
		})
	}
}

// readWith reads r to its end with small Reads or with io.Copy.
func readWith(r *Reader, small bool) ([]byte, error) {
	if small {
		return readSmall(r)
	}
	var buf bytes.Buffer
	_, err := io.Copy(&buf, r)
	return buf.Bytes(), err
}

// checkCorruptRead checks a whole read of a corruptCase's object: every
// byte, or every byte before the block that cannot be rebuilt and an
// ErrReadQuorum that names that block.
func checkCorruptRead(t *testing.T, ts *blockSet, tc corruptCase, got []byte, err error,
	data []byte) {
	t.Helper()
	if tc.failBlock < 0 {
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("got %d bytes differing at %d, %v; want the object's %d", len(got),
				firstDiff(got, data), err, len(data))
		}
		return
	}
	wantErr := fmt.Sprintf("block %d of bkt/obj", tc.failBlock)
	if !errors.Is(err, ErrReadQuorum) || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("got error %v, want ErrReadQuorum for %q", err, wantErr)
	}
	want := data[:tc.failBlock*ts.bs]
	if !bytes.Equal(got, want) {
		t.Errorf("got %d bytes differing at %d before the error, want the %d before block %d",
			len(got), firstDiff(got, want), len(want), tc.failBlock)
	}
}

// checkFailed checks that the reader reported the drives of the shards
// want, once each.
func checkFailed(t *testing.T, ts *blockSet, key string, fails []DriveFailure, want []int) {
	t.Helper()
	var wantPos, gotPos []int
	for _, idx := range want {
		pos, _ := ts.shardOf(t, key, idx)
		wantPos = append(wantPos, pos)
	}
	for _, f := range fails {
		gotPos = append(gotPos, f.Drive)
	}
	slices.Sort(wantPos)
	slices.Sort(gotPos)
	if !slices.Equal(gotPos, wantPos) {
		t.Errorf("got failed drives %v, want %v (shards %v), once each", gotPos, wantPos, want)
	}
}

// TestAPrefetchAfterALargeReadUsesTheRangesBlocks corrupts a block outside
// a range and the block a range starts in, and checks that ranged reads
// starting and ending inside pairs never touch the first and replace the
// second.
func TestAPrefetchAfterALargeReadUsesTheRangesBlocks(t *testing.T) {
	t.Parallel()
	bs := int64(4 * minParallelShard)
	ts := newBlockSet(t, 6, 2, bs)
	data := randomBytes(6*bs, 8)
	mustPut(t, ts.Set, "obj", data)
	corruptAt(t, ts.testSet, "obj", 0, 1, 0) // before every range
	corruptAt(t, ts.testSet, "obj", 0, 5, 1) // after every range
	corruptAt(t, ts.testSet, "obj", 0, 3, 2) // the second block of the pair (2, 3)
	for _, rg := range [][2]int64{{2*bs + 3, bs}, {2 * bs, 3 * bs}, {bs*5/2 + 1, bs * 2},
		{4*bs - 1, 2}} {
		r := newRangeReader(t, ts.Set, "obj", rg[0], rg[1])
		got, err := readSmall(r)
		want := data[rg[0] : rg[0]+rg[1]]
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("range %v: got %d bytes differing at %d, %v; want %d", rg, len(got),
				firstDiff(got, want), err, len(want))
		}
		checkFailed(t, ts, "obj", r.Failures(), []int{2})
	}
}

// TestMultipartReadsAcrossPartsWithPrefetch reads ranges across the parts
// of an object whose parts restart the block numbers, with corrupt
// records at the end of one part and the start of the next.
func TestMultipartReadsAcrossPartsWithPrefetch(t *testing.T) {
	t.Parallel()
	bs := int64(2 * minParallelShard)
	ts := newBlockSet(t, 4, 2, bs)
	sizes := []int64{3 * bs, 2 * bs, 1, bs + 5, 4 * bs, bs}
	parts := make([][]byte, len(sizes))
	up := startUpload(t, ts.Set, "mp")
	for i, n := range sizes {
		parts[i] = randomBytes(n, uint64(200+i))
		mustPutPart(t, ts.Set, up.UploadID, i+1, parts[i])
	}
	assemble, _ := takeParts(1, 2, 3, 4, 5, 6)
	_, err := ts.CompleteUpload(context.Background(), "bkt", up.UploadID,
		CompleteOptions{Assemble: assemble})
	if err != nil {
		t.Fatalf("CompleteUpload: %v", err)
	}
	whole := slices.Concat(parts...)
	corruptAt(t, ts.testSet, "mp", 0, 2, 0) // last block of part 1
	corruptAt(t, ts.testSet, "mp", 1, 0, 1) // first block of part 2
	corruptAt(t, ts.testSet, "mp", 4, 1, 1) // block 1 of part 5, prefetched with block 0
	var ranges [][2]int64
	var start int64
	for _, n := range sizes[:len(sizes)-1] {
		start += n
		ranges = append(ranges, [2]int64{start - bs - 1, min(3*bs, int64(len(whole))-start+bs+1)},
			[2]int64{start - 1, 2})
	}
	ranges = append(ranges, [2]int64{0, int64(len(whole))}, [2]int64{bs / 2, int64(len(whole)) - bs})
	for _, rg := range ranges {
		readBoth(t, ts.Set, "mp", rg[0], rg[1], whole[rg[0]:rg[0]+rg[1]])
	}
	r := newRangeReader(t, ts.Set, "mp", 0, int64(len(whole)))
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	checkFailed(t, ts, "mp", r.Failures(), []int{0, 1})
}

// TestAStreamThatDiesBetweenBlocksIsReplaced makes the stream of shard 0
// fail, or end early, at every interesting point of the first blocks: in
// block 0's record, at its end (so that the read of block 1 with block 0
// fails), inside block 1's and so on; either for good or only the first
// stream. Every byte must come back, and a drive that stays broken must
// be reported once.
func TestAStreamThatDiesBetweenBlocksIsReplaced(t *testing.T) {
	t.Parallel()
	bs := int64(2 * minParallelShard)
	rec := int64(hashSize + minParallelShard)
	budgets := []int64{0, 1, rec / 2, rec - 1, rec, rec + 1, 2*rec - 1, 2 * rec, 3*rec + 7,
		4 * rec}
	for _, short := range []bool{false, true} {
		for _, once := range []bool{false, true} {
			name := fmt.Sprintf("short %v, once %v", short, once)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				for _, budget := range budgets {
					checkCutRead(t, bs, budget, short, once)
				}
			})
		}
	}
}

// checkCutRead stores a five-block object in a 2+1 set, arms shard 0's
// drive with budget, and reads the object.
func checkCutRead(t *testing.T, bs, budget int64, short, once bool) {
	t.Helper()
	ts := newBlockSet(t, 3, 1, bs)
	data := randomBytes(5*bs, 9)
	mustPut(t, ts.Set, "obj", data)
	_, d := ts.shardOf(t, "obj", 0)
	d.arm(budget, short, once)
	r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
	got, err := readSmall(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("budget %d: got %d bytes differing at %d, %v; want the object's %d", budget,
			len(got), firstDiff(got, data), err, len(data))
	}
	if !once {
		checkFailed(t, ts, "obj", r.Failures(), []int{0})
	}
	for _, f := range r.Failures() {
		// A stream that ends on a record boundary is io.EOF to io.ReadFull.
		want := errors.Is(f.Err, errInjected)
		if short {
			want = errors.Is(f.Err, io.ErrUnexpectedEOF) || errors.Is(f.Err, io.EOF)
		}
		if !want {
			t.Errorf("budget %d: got failure %v, want the injected one", budget, f.Err)
		}
	}
}

// TestTwoStreamsDyingBeyondParityFailAtTheRightBlock arms both data
// drives of a 2+1 set to fail after some bytes and checks that a read
// returns exactly the blocks before the first one that lacks two shards,
// then ErrReadQuorum for that block, whether its records died while read
// ahead with the block before or in their own turn.
func TestTwoStreamsDyingBeyondParityFailAtTheRightBlock(t *testing.T) {
	t.Parallel()
	bs := int64(2 * minParallelShard)
	rec := int64(hashSize + minParallelShard)
	cases := []struct {
		name      string
		budgets   [2]int64 // of shards 0 and 1
		failBlock int64
	}{
		{"both die in block 1, read ahead with block 0", [2]int64{rec + rec/2, rec + 1}, 1},
		{"both die in block 2, read in its turn", [2]int64{2*rec + 1, 3*rec - 1}, 2},
		{"both die in block 3, read ahead with block 2", [2]int64{3*rec + 9, 3*rec + 9}, 3},
		// A record read ahead is kept when another shard's read ahead
		// fails, so no record is read twice: a read gets as far as the
		// drives' bytes allow.
		{"shard 0 dies reading ahead block 1, shard 1 in block 2",
			[2]int64{rec + 1, 2*rec + 1}, 2},
		{"shard 1 dies reading ahead block 3, shard 0 in block 4",
			[2]int64{4*rec + 1, 3*rec + 1}, 4},
		{"shard 0 dies in block 1 and shard 1 in block 3", [2]int64{rec + 1, 3*rec + 1}, 3},
		{"shard 1 dies in block 3 and shard 0 in block 4",
			[2]int64{4*rec + rec/2, 3*rec + rec/2}, 4},
		{"shard 1 dies in block 3, shard 0 never", [2]int64{5 * rec, 3*rec + 1}, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newBlockSet(t, 3, 1, bs)
			data := randomBytes(5*bs, 10)
			mustPut(t, ts.Set, "obj", data)
			for idx, budget := range tc.budgets {
				_, d := ts.shardOf(t, "obj", idx)
				d.arm(budget, false, false)
			}
			r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
			got, err := readSmall(r)
			checkCorruptRead(t, ts, corruptCase{failBlock: tc.failBlock}, got, err, data)
		})
	}
}

// TestCloseWhileABlockIsReadAheadReturns closes readers of slow drives
// after their first bytes, while the next block and the records after it
// are being read, and checks that Close returns and that the bytes read
// before were the object's.
func TestCloseWhileABlockIsReadAheadReturns(t *testing.T) {
	t.Parallel()
	bs := int64(2 * minParallelShard)
	ts := newBlockSet(t, 3, 1, bs)
	data := randomBytes(6*bs, 11)
	mustPut(t, ts.Set, "obj", data)
	for _, d := range ts.cuts {
		d.arm(1<<40, false, false)
		d.mu.Lock()
		d.delay = 2 * time.Millisecond
		d.mu.Unlock()
	}
	for _, first := range []int{1, 4099, int(bs) - 1, int(bs), int(bs) + 1} {
		o, err := ts.Open(context.Background(), "bkt", "obj")
		if err != nil {
			t.Fatal(err)
		}
		r, err := o.NewReader(context.Background(), 0, int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, first)
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, data[:first]) {
			t.Fatalf("first %d bytes: got %v, differing at %d", first, err,
				firstDiff(got, data))
		}
		closed := make(chan error, 1)
		go func() { closed <- r.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Errorf("Close after %d bytes: got %v, want nil", first, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("Close after %d bytes did not return in 30s", first)
		}
	}
}

// TestReadAfterCloseFailsWithBytesPending closes a reader in the middle of
// a block and checks what errReaderClosed promises: Read after Close
// returns it, not the rest of the block decoded before.
func TestReadAfterCloseFailsWithBytesPending(t *testing.T) {
	t.Parallel()
	bs := int64(2 * minParallelShard)
	ts := newBlockSet(t, 3, 1, bs)
	data := randomBytes(3*bs, 13)
	mustPut(t, ts.Set, "obj", data)
	for _, first := range []int64{0, 1, bs - 1, bs, bs + 1} {
		r := newRangeReader(t, ts.Set, "obj", 0, int64(len(data)))
		if _, err := io.CopyN(io.Discard, r, first); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		buf := make([]byte, 10)
		if n, err := r.Read(buf); n != 0 || !errors.Is(err, errReaderClosed) {
			t.Errorf("Read after Close after %d bytes: got %d bytes (the object's: %v), %v; "+
				"want 0 and errReaderClosed", first, n,
				bytes.Equal(buf[:n], data[first:first+int64(n)]), err)
		}
	}
}

// TestACanceledReadStopsAtABlockBoundary cancels a read's context after
// its first block and checks that the reader returns no byte of a later
// block and an error wrapping context.Canceled.
func TestACanceledReadStopsAtABlockBoundary(t *testing.T) {
	t.Parallel()
	bs := int64(4 * minParallelShard)
	ts := newBlockSet(t, 6, 2, bs)
	data := randomBytes(6*bs, 12)
	mustPut(t, ts.Set, "obj", data)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o, err := ts.Open(ctx, "bkt", "obj")
	if err != nil {
		t.Fatal(err)
	}
	r, err := o.NewReader(ctx, 0, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make([]byte, bs)
	if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, data[:bs]) {
		t.Fatalf("block 0: got %v, differing at %d", err, firstDiff(got, data))
	}
	cancel()
	rest, err := io.ReadAll(r)
	if !errors.Is(err, context.Canceled) || len(rest) != 0 {
		t.Errorf("after cancel: got %d bytes and %v, want none and context.Canceled",
			len(rest), err)
	}
}

// TestConcurrentReadersOfOneObjectKeepTheirOwnPrefetch reads overlapping
// ranges of one object with a corrupt record on several readers at once;
// each reader's read-ahead state is its own.
func TestConcurrentReadersOfOneObjectKeepTheirOwnPrefetch(t *testing.T) {
	t.Parallel()
	bs := int64(3 * minParallelShard)
	ts := newBlockSet(t, 4, 1, bs)
	data := randomBytes(7*bs+123, 14)
	mustPut(t, ts.Set, "obj", data)
	corruptAt(t, ts.testSet, "obj", 0, 3, 1)
	ranges := [][2]int64{{0, int64(len(data))}, {bs + 1, 3 * bs}, {3*bs - 1, 2}, {2 * bs, 4 * bs},
		{5*bs + 7, 2*bs + 100}, {bs / 2, 6 * bs}}
	var wg sync.WaitGroup
	errs := make([]error, len(ranges))
	for i, rg := range ranges {
		wg.Go(func() {
			got, err := readRange(ts.Set, "obj", rg[0], rg[1])
			want := data[rg[0] : rg[0]+rg[1]]
			if err != nil || !bytes.Equal(got, want) {
				errs[i] = fmt.Errorf("range %v: got %d bytes differing at %d, %v; want %d", rg,
					len(got), firstDiff(got, want), err, len(want))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}
