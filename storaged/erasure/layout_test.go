package erasure

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDistributionIsARotatingPermutation(t *testing.T) {
	t.Parallel()
	starts := map[int]bool{}
	for i := range 64 {
		key := fmt.Sprintf("key-%d", i)
		dist := distribution("bkt", key, 4)
		if !slices.Equal(dist, distribution("bkt", key, 4)) {
			t.Fatalf("got two distributions for %s, want one stable one", key)
		}
		sorted := slices.Sorted(slices.Values(dist))
		if !slices.Equal(sorted, []int{0, 1, 2, 3}) {
			t.Fatalf("got %v for %s, want a permutation of the shards", dist, key)
		}
		starts[slices.Index(dist, 0)] = true
	}
	if len(starts) != 4 {
		t.Errorf("got shard 0 on drives %v over 64 keys, want all four drives used", starts)
	}
}

func TestObjectDirIsSafeForAnyKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "/", "//a", "../..", strings.Repeat("x", 1024)} {
		dir := objectDir(key)
		if !isObjectDir(dir+"/") || strings.ContainsAny(dir, "/.") {
			t.Errorf("got directory %q for key %q, want 64 hex digits", dir, key)
		}
	}
	if isObjectDir("not-hex/") || isObjectDir(objectDir("a")) {
		t.Errorf("isObjectDir accepted a name that is not an object directory with slash")
	}
}

func TestGeometry(t *testing.T) {
	t.Parallel()
	g := geometry{data: 3, blockSize: 10, size: 25}
	tests := []struct {
		name      string
		got, want int64
	}{
		{"three blocks", g.blocks(), 3},
		{"the last block holds the rest", g.blockLen(2), 5},
		{"full shards round up", g.shardLen(10), 4},
		{"the third record starts after two full ones", g.recordOffset(2), 2 * (hashSize + 4)},
		{"the last record is short", g.recordEnd(2), 2*(hashSize+4) + hashSize + 2},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestMetaChecksumCatchesChanges(t *testing.T) {
	t.Parallel()
	key := []byte(hashKey)
	m := fileMeta{
		Version: metaVersion, Key: "k", Size: 5, ModTime: time.Now().UTC(), DataDir: "D",
		Erasure: erasureMeta{Data: 2, Parity: 2, BlockSize: 16, Distribution: []int{1, 2, 3, 0}},
	}
	b, err := encodeMeta(m.forDrive(2), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeMeta(b, key, objectDir("k"), 2); err != nil {
		t.Fatalf("decoding what was encoded: %v", err)
	}

	tests := []struct {
		name string
		b    []byte
		dir  string
		pos  int
	}{
		{"a flipped byte fails the checksum", flipped(b, len(b)-3), objectDir("k"), 2},
		{"a meta file in another key's directory is rejected", b, objectDir("other"), 2},
		{"a meta file on another drive position is rejected", b, objectDir("k"), 1},
		{"a file without a checksum line is rejected", []byte("{}"), objectDir("k"), 2},
	}
	for _, tt := range tests {
		if _, err := decodeMeta(tt.b, key, tt.dir, tt.pos); !errors.Is(err, errCorruptMeta) {
			t.Errorf("%s: got error %v, want errCorruptMeta", tt.name, err)
		}
	}
}

func flipped(b []byte, i int) []byte {
	c := slices.Clone(b)
	c[i] ^= 1
	return c
}

func TestHashKeyHasTheLengthHighwayHashNeeds(t *testing.T) {
	t.Parallel()
	if len(hashKey) != 32 {
		t.Fatalf("got a %d-byte key, want 32", len(hashKey))
	}
}
