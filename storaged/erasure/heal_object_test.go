package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/minio/highwayhash"
)

// healBlock is the block size of the healing tests: small, so that
// objects of a few KiB span several blocks.
const healBlock = 1024

// newHealSet opens n fresh local drives with a small block size and
// creates the bucket "bkt".
func newHealSet(t testing.TB, n, parity int) *testSet {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	s, err := New(Config{Drives: drives, Parity: parity, BlockSize: healBlock})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	return &testSet{Set: s, dirs: dirs, degraded: &degradedLog{}}
}

// objectPath returns the directory of key in bucket "bkt" on drive i.
func (ts *testSet) objectPath(i int, key string) string {
	return filepath.Join(ts.dirs[i], "bkt", objectDir(key))
}

// diskMeta reads and decodes drive i's meta file of key straight from disk.
func (ts *testSet) diskMeta(t testing.TB, i int, key string) (*fileMeta, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ts.objectPath(i, key), metaFile))
	if err != nil {
		return nil, err
	}
	return decodeMeta(b, []byte(hashKey), objectDir(key), i)
}

// checkWholeOnDisk reads every drive's meta file and shard files of key
// from disk and fails unless every drive holds the same versions, each
// shard file of each version with the right length and every record's
// hash right, and no data directory that no version names.
func (ts *testSet) checkWholeOnDisk(t testing.TB, key string) {
	t.Helper()
	var want string
	for i := range ts.dirs {
		m, err := ts.diskMeta(t, i, key)
		if err != nil {
			t.Errorf("drive %d: meta of %s: %v", i, key, err)
			continue
		}
		if want == "" {
			want = m.signature()
		}
		if got := m.signature(); got != want {
			t.Errorf("drive %d: versions of %s: got %s, want %s", i, key, got, want)
		}
		ts.checkShardsOnDisk(t, i, key, m)
	}
}

// checkShardsOnDisk checks drive i's shard files of every version of m,
// and that the object directory holds nothing else.
func (ts *testSet) checkShardsOnDisk(t testing.TB, i int, key string, m *fileMeta) {
	t.Helper()
	dir := ts.objectPath(i, key)
	for _, v := range m.versions() {
		if v.DeleteMarker {
			continue
		}
		for _, seg := range v.segments(objectDir(key)) {
			rel, _ := filepath.Rel(objectDir(key), filepath.FromSlash(seg.file))
			if err := checkShardBytes(filepath.Join(dir, rel), seg.geo); err != nil {
				t.Errorf("drive %d: %s: %v", i, key, err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("drive %d: %v", i, err)
	}
	named := map[string]bool{metaFile: true}
	for _, d := range m.dataDirs() {
		named[d] = true
	}
	for _, e := range entries {
		if !named[e.Name()] {
			t.Errorf("drive %d: %s holds %s, which no version names", i, key, e.Name())
		}
	}
}

// checkShardBytes checks a shard file's length and every record's hash.
func checkShardBytes(name string, g geometry) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if got, want := int64(len(b)), fileLen(g); got != want {
		return fmt.Errorf("%s: got %d bytes, want %d", name, got, want)
	}
	var off int64
	for blk := range g.blocks() {
		end := off + hashSize + g.shardLen(g.blockLen(blk))
		sum := highwayhash.Sum(b[off+hashSize:end], []byte(hashKey))
		if !bytes.Equal(sum[:], b[off:off+hashSize]) {
			return fmt.Errorf("%s: block %d: got a bad hash, want a good one", name, blk)
		}
		off = end
	}
	return nil
}

// shardFiles returns drive i's shard files of key (object and parts).
func (ts *testSet) shardFiles(t testing.TB, i int, key string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(ts.objectPath(i, key), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != metaFile {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatalf("walking drive %d: %v", i, err)
	}
	sort.Strings(out)
	return out
}

// copyTree copies the directory src to dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

// whileDown runs change while drive i "is down": the drive's copy of key
// is saved before and put back after, so that it misses the change.
func (ts *testSet) whileDown(t testing.TB, i int, key string, change func()) {
	t.Helper()
	saved := filepath.Join(t.TempDir(), "saved")
	copyTree(t, ts.objectPath(i, key), saved)
	change()
	if err := os.RemoveAll(ts.objectPath(i, key)); err != nil {
		t.Fatal(err)
	}
	copyTree(t, saved, ts.objectPath(i, key))
}

func TestHealObjectRepairsEveryDrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := randomBytes(5*healBlock+300, 7)
	cases := []struct {
		name   string
		damage func(t *testing.T, ts *testSet)
		// healed is the drive that healing must report healed.
		healed int
	}{
		{"a deleted shard file is rebuilt", func(t *testing.T, ts *testSet) {
			mustRemove(t, ts.shardFiles(t, 1, "k")[0])
		}, 1},
		{"a flipped byte in a shard block is rebuilt", func(t *testing.T, ts *testSet) {
			f := ts.shardFiles(t, 2, "k")[0]
			flipBytes(t, f, hashSize+healBlock/2+40, hashSize+healBlock/2+41)
		}, 2},
		{"a removed meta file is written again", func(t *testing.T, ts *testSet) {
			mustRemove(t, filepath.Join(ts.objectPath(0, "k"), metaFile))
		}, 0},
		{"a corrupt meta file is written again", func(t *testing.T, ts *testSet) {
			flipBytes(t, filepath.Join(ts.objectPath(3, "k"), metaFile), 80, 81)
		}, 3},
		{"a whole object directory is rebuilt", func(t *testing.T, ts *testSet) {
			mustRemoveAll(t, ts.objectPath(1, "k"))
		}, 1},
		{"a stale older version is replaced and its data removed", func(t *testing.T,
			ts *testSet) {
			ts.whileDown(t, 3, "k", func() { mustPut(t, ts.Set, "k", randomBytes(3000, 8)) })
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newHealSet(t, 4, 2)
			mustPut(t, ts.Set, "k", data)
			tc.damage(t, ts)

			res, err := ts.HealObject(ctx, "bkt", "k")
			if err != nil {
				t.Fatalf("HealObject: %v", err)
			}
			for i, d := range res.Drives {
				want := HealOK
				if i == tc.healed {
					want = HealHealed
				}
				if d.State != want {
					t.Errorf("drive %d: got %s (%v), want %s", i, d.State, d.Err, want)
				}
			}
			ts.checkWholeOnDisk(t, "k")
			again, err := ts.HealObject(ctx, "bkt", "k")
			if err != nil || again.Healed() || again.Failed() {
				t.Errorf("second heal: got healed %v, failed %v, err %v; want nothing to do",
					again.Healed(), again.Failed(), err)
			}
		})
	}
}

func TestHealObjectRepairsPartsVersionsAndDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, ts *testSet) (key string, wantRemoved bool)
	}{
		{"a multipart object's missing part file is rebuilt", func(t *testing.T,
			ts *testSet) (string, bool) {
			up := startUpload(t, ts.Set, "mp")
			mustPutPart(t, ts.Set, up.UploadID, 1, randomBytes(2500, 1))
			mustPutPart(t, ts.Set, up.UploadID, 2, randomBytes(1800, 2))
			assemble, _ := takeParts(1, 2)
			_, err := ts.CompleteUpload(
				ctx,
				"bkt",
				up.UploadID,
				CompleteOptions{Assemble: assemble},
			)
			if err != nil {
				t.Fatalf("CompleteUpload: %v", err)
			}
			files := ts.shardFiles(t, 2, "mp")
			mustRemove(t, files[len(files)-1])
			flipBytes(t, ts.shardFiles(t, 0, "mp")[0], 10, 11)
			return "mp", false
		}},
		{"versions and a delete marker come back on a drive that lost them", func(t *testing.T,
			ts *testSet) (string, bool) {
			for i := range 3 {
				_, err := ts.Put(ctx, "bkt", "v", bytes.NewReader(randomBytes(1500, uint64(i))),
					PutOptions{Mode: VersionsEnabled})
				if err != nil {
					t.Fatal(err)
				}
			}
			ts.whileDown(t, 1, "v", func() {
				_, err := ts.DeleteVersion(ctx, "bkt", "v", DeleteOptions{Mode: VersionsEnabled})
				if err != nil {
					t.Fatal(err)
				}
			})
			mustRemoveAll(t, ts.objectPath(2, "v"))
			return "v", false
		}},
		{"a version deleted while a drive was down stays deleted", func(t *testing.T,
			ts *testSet) (string, bool) {
			var ids []string
			for i := range 2 {
				info, err := ts.Put(ctx, "bkt", "d", bytes.NewReader(randomBytes(1500, uint64(i))),
					PutOptions{Mode: VersionsEnabled})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, info.VersionID)
			}
			ts.whileDown(t, 3, "d", func() {
				_, err := ts.DeleteVersion(ctx, "bkt", "d", DeleteOptions{Versioned: true,
					VersionID: ids[0]})
				if err != nil {
					t.Fatal(err)
				}
			})
			return "d", false
		}},
		{"a key deleted while a drive was down is removed from it", func(t *testing.T,
			ts *testSet) (string, bool) {
			mustPut(t, ts.Set, "gone", randomBytes(1500, 3))
			ts.whileDown(t, 0, "gone", func() {
				if err := ts.Delete(ctx, "bkt", "gone"); err != nil {
					t.Fatal(err)
				}
			})
			return "gone", true
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newHealSet(t, 4, 2)
			key, removed := tc.run(t, ts)
			res, err := ts.HealObject(ctx, "bkt", key)
			if err != nil {
				t.Fatalf("HealObject: %v", err)
			}
			if !res.Healed() || res.Failed() || res.Removed != removed {
				t.Fatalf("got healed %v, failed %v, removed %v; want true, false, %v",
					res.Healed(), res.Failed(), res.Removed, removed)
			}
			if removed {
				checkGone(t, ts, key)
				return
			}
			ts.checkWholeOnDisk(t, key)
		})
	}
}

// checkGone fails unless no drive holds key.
func checkGone(t *testing.T, ts *testSet, key string) {
	t.Helper()
	for i := range ts.dirs {
		if _, err := os.Stat(ts.objectPath(i, key)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("drive %d: got %s present (%v), want it removed", i, key, err)
		}
	}
}

func TestHealObjectBelowReadQuorumChangesNothing(t *testing.T) {
	t.Parallel()
	ts := newHealSet(t, 4, 2)
	mustPut(t, ts.Set, "k", randomBytes(4*healBlock, 9))
	for _, i := range []int{0, 1, 2} {
		flipBytes(t, ts.shardFiles(t, i, "k")[0], 5, 6)
	}
	before := snapshot(t, ts.dirs)

	res, err := ts.HealObject(context.Background(), "bkt", "k")
	if !errors.Is(err, ErrUnhealable) || !errors.Is(err, ErrReadQuorum) {
		t.Fatalf("got error %v, want ErrUnhealable and ErrReadQuorum", err)
	}
	if res.Healed() {
		t.Errorf("got a drive healed, want none")
	}
	if after := snapshot(t, ts.dirs); !equalSnapshots(before, after) {
		t.Errorf("got the drives changed, want them as they were")
	}
}

// snapshot returns the content of every file under the directories.
func snapshot(t *testing.T, dirs []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustRemove(t testing.TB, name string) {
	t.Helper()
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}

func mustRemoveAll(t testing.TB, name string) {
	t.Helper()
	if err := os.RemoveAll(name); err != nil {
		t.Fatal(err)
	}
}
