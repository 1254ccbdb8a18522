package erasure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/klauspost/reedsolomon"
	"github.com/minio/highwayhash"
)

// TestShardFilesKeepTheirFormat pins the on-disk format of shard files:
// for every block, in order, a record of the HighwayHash-256 of the shard
// followed by the shard, where data shard i holds bytes [i*sl, (i+1)*sl)
// of the block, zero-padded, and the parity shards are reedsolomon's. The
// expected files are built here from the two libraries alone.
func TestShardFilesKeepTheirFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		blockSize int
		size      int64
	}{
		{"small blocks that do not split evenly, a short last block", 1000, 2401},
		{"default blocks, a short last block", 0, DefaultBlockSize + 12345},
		{"an object smaller than a shard packet", 0, 7},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const drives, parity = 5, 2
			dirs := make([]string, drives)
			for j := range dirs {
				dirs[j] = filepath.Join(t.TempDir(), fmt.Sprint(j))
			}
			ds, err := OpenLocalDrives("", dirs)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Config{Drives: ds, Parity: parity, BlockSize: tc.blockSize})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MakeBucket(context.Background(), "bkt"); err != nil {
				t.Fatal(err)
			}
			data := randomBytes(tc.size, uint64(31+i))
			mustPut(t, s, "obj", data)
			o, err := s.Open(context.Background(), "bkt", "obj")
			if err != nil {
				t.Fatal(err)
			}
			e := o.meta.Erasure
			want := expectedShardFiles(t, data, e.Data, e.Parity, int(e.BlockSize))
			for pos, dir := range dirs {
				files := filesNamed(t, dir, shardFile)
				if len(files) != 1 {
					t.Fatalf("drive %d: got shard files %v, want one", pos, files)
				}
				got, err := os.ReadFile(files[0])
				if err != nil {
					t.Fatal(err)
				}
				w := want[e.Distribution[pos]]
				if !bytes.Equal(got, w) {
					t.Errorf("drive %d, shard %d: got %d bytes differing at %d, want %d bytes",
						pos, e.Distribution[pos], len(got), firstDiff(got, w), len(w))
				}
			}
		})
	}
}

// expectedShardFiles builds each shard index's file for data, block by
// block, with reedsolomon and highwayhash directly.
func expectedShardFiles(t *testing.T, data []byte, d, p, blockSize int) [][]byte {
	t.Helper()
	enc, err := reedsolomon.New(d, p)
	if err != nil {
		t.Fatal(err)
	}
	files := make([][]byte, d+p)
	for off := 0; off < len(data); off += blockSize {
		block := data[off:min(off+blockSize, len(data))]
		sl := (len(block) + d - 1) / d
		shards := make([][]byte, d+p)
		for i := range shards {
			shards[i] = make([]byte, sl)
			if i < d && i*sl < len(block) {
				copy(shards[i], block[i*sl:])
			}
		}
		if err := enc.Encode(shards); err != nil {
			t.Fatal(err)
		}
		for i, sh := range shards {
			sum := highwayhash.Sum(sh, []byte(hashKey))
			files[i] = append(append(files[i], sum[:]...), sh...)
		}
	}
	return files
}

// TestFillLaysOutBlocksAsEncodeDoes reads bodies of awkward lengths, one
// byte per Read, straight into frames, and checks each block's shards and
// the end-of-body errors against layout on the same bytes.
func TestFillLaysOutBlocksAsEncodeDoes(t *testing.T) {
	t.Parallel()
	const d, blockSize = 3, 100
	c := &codec{data: d}
	for _, size := range []int64{1, 2, 99, 100, 101, 250, 300} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			t.Parallel()
			body := randomBytes(size, uint64(size))
			r := iotest.OneByteReader(bytes.NewReader(body))
			got, want := newFrames(d, blockSize/d+1), newFrames(d, blockSize/d+1)
			for off := int64(0); ; off += blockSize {
				n, err := c.fill(r, got, blockSize)
				wantN := min(blockSize, max(size-off, 0))
				wantErr := error(nil)
				switch {
				case wantN == 0:
					wantErr = io.EOF
				case wantN < blockSize:
					wantErr = io.ErrUnexpectedEOF
				}
				if n != wantN || err != wantErr {
					t.Fatalf("block at %d: got %d bytes and %v, want %d and %v",
						off, n, err, wantN, wantErr)
				}
				if n == 0 {
					return
				}
				c.layout(body[off:off+n], want)
				for i := range d {
					if !bytes.Equal(got.shards[i], want.shards[i]) {
						t.Errorf("block at %d, shard %d: got %x, want %x",
							off, i, got.shards[i], want.shards[i])
					}
				}
			}
		})
	}
}
