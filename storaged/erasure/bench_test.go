package erasure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/klauspost/reedsolomon"

	"github.com/strata-storage/strata/storaged/drive"
)

// The benchmarks compare this package's block path (split, encode, hash,
// frame; verify, reconstruct, join) with bare reedsolomon on the same 2+2
// geometry and 1 MiB blocks, and the whole Put/Get path on local drives
// with writing the same bytes to plain files.

const (
	benchData   = 2
	benchParity = 2
	benchBytes  = 8 * mib
)

// newBenchCodec returns a codec for the benchmark geometry.
func newBenchCodec(b *testing.B) *codec {
	enc, err := reedsolomon.New(benchData, benchParity)
	if err != nil {
		b.Fatal(err)
	}
	return &codec{enc: enc, data: benchData, parity: benchParity, key: []byte(hashKey)}
}

// rawShards allocates bare shards for one block.
func rawShards() [][]byte {
	shards := make([][]byte, benchData+benchParity)
	for i := range shards {
		shards[i] = make([]byte, DefaultBlockSize/benchData)
	}
	return shards
}

func BenchmarkEncode(b *testing.B) {
	data := randomBytes(benchBytes, 11)
	b.Run("reedsolomon", func(b *testing.B) {
		c := newBenchCodec(b)
		shards := rawShards()
		b.SetBytes(benchBytes)
		for b.Loop() {
			for off := 0; off < benchBytes; off += DefaultBlockSize {
				block := data[off : off+DefaultBlockSize]
				for i := range benchData {
					copy(shards[i], block[i*len(shards[i]):])
				}
				if err := c.enc.Encode(shards); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("strata", func(b *testing.B) {
		c := newBenchCodec(b)
		f := newFrames(benchData+benchParity, DefaultBlockSize/benchData)
		b.SetBytes(benchBytes)
		for b.Loop() {
			for off := 0; off < benchBytes; off += DefaultBlockSize {
				if err := c.encode(data[off:off+DefaultBlockSize], f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func BenchmarkDecodeWithTwoDataShardsLost(b *testing.B) {
	data := randomBytes(DefaultBlockSize, 12)
	b.Run("reedsolomon", func(b *testing.B) {
		c := newBenchCodec(b)
		shards := rawShards()
		for i := range benchData {
			copy(shards[i], data[i*len(shards[i]):])
		}
		if err := c.enc.Encode(shards); err != nil {
			b.Fatal(err)
		}
		parity := [][]byte{bytes.Clone(shards[2]), bytes.Clone(shards[3])}
		out := make([]byte, 0, DefaultBlockSize)
		b.SetBytes(benchBytes)
		for b.Loop() {
			for range benchBytes / DefaultBlockSize {
				shards[0], shards[1] = shards[0][:0], shards[1][:0]
				copy(shards[2], parity[0])
				copy(shards[3], parity[1])
				if err := c.enc.ReconstructData(shards); err != nil {
					b.Fatal(err)
				}
				out = append(append(out[:0], shards[0]...), shards[1]...)
			}
		}
	})
	b.Run("strata", func(b *testing.B) {
		c := newBenchCodec(b)
		f := newFrames(benchData+benchParity, DefaultBlockSize/benchData)
		if err := c.encode(data, f); err != nil {
			b.Fatal(err)
		}
		stored := [][]byte{bytes.Clone(f.recs[2]), bytes.Clone(f.recs[3])}
		present := []bool{false, false, true, true}
		out := make([]byte, 0, DefaultBlockSize)
		b.SetBytes(benchBytes)
		for b.Loop() {
			for range benchBytes / DefaultBlockSize {
				f.resize(DefaultBlockSize / benchData)
				// What the reader does: each drive's record is read on
				// its own goroutine, then the records are verified while
				// the block is decoded from them.
				parallel(len(stored), len(stored[0]), func(j int) {
					copy(f.recs[2+j], stored[j])
				})
				checked := make(chan []bool, 1)
				go func() { checked <- c.verifyAll(f.recs[2:]) }()
				if _, err := c.decode(f, present, DefaultBlockSize, out); err != nil {
					b.Fatal(err)
				}
				for _, ok := range <-checked {
					if !ok {
						b.Error("hash mismatch")
					}
				}
			}
		}
	})
}

func BenchmarkPutGet(b *testing.B) {
	data := randomBytes(benchBytes, 13)
	b.Run("plain files with fsync", func(b *testing.B) {
		dirs := benchDirs(b)
		b.SetBytes(benchBytes)
		for i := 0; b.Loop(); i++ {
			writePlain(b, dirs, fmt.Sprint(i), data)
		}
	})
	b.Run("strata put", func(b *testing.B) {
		ts := newTestSet(b, benchData+benchParity, benchParity)
		b.SetBytes(benchBytes)
		for i := 0; b.Loop(); i++ {
			mustPut(b, ts.Set, fmt.Sprint(i), data)
		}
	})
	b.Run("strata get", func(b *testing.B) {
		ts := newTestSet(b, benchData+benchParity, benchParity)
		mustPut(b, ts.Set, "obj", data)
		b.SetBytes(benchBytes)
		for b.Loop() {
			readDiscard(b, ts.Set, "obj")
		}
	})
}

// benchDirs makes one directory per benchmark drive.
func benchDirs(b *testing.B) []string {
	dirs := make([]string, benchData+benchParity)
	for i := range dirs {
		dirs[i] = filepath.Join(b.TempDir(), fmt.Sprint(i))
		if err := os.Mkdir(dirs[i], 0o755); err != nil {
			b.Fatal(err)
		}
	}
	return dirs
}

// writePlain writes what a 2+2 set writes, data/2 bytes to each directory,
// in parallel, each file synced: the floor of the Put path.
func writePlain(b *testing.B, dirs []string, name string, data []byte) {
	var wg sync.WaitGroup
	for i, dir := range dirs {
		part := data[(i%benchData)*len(data)/benchData:][:len(data)/benchData]
		wg.Go(func() {
			f, err := os.Create(filepath.Join(dir, name))
			if err == nil {
				_, err = f.Write(part)
			}
			if err == nil {
				err = f.Sync()
			}
			if err == nil {
				err = f.Close()
			}
			if err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}

// readDiscard reads a whole object into io.Discard.
func readDiscard(b *testing.B, s *Set, key string) {
	ctx := context.Background()
	o, err := s.Open(ctx, "bkt", key)
	if err != nil {
		b.Fatal(err)
	}
	r, err := o.NewReader(ctx, 0, o.Info().Size)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		b.Fatal(err)
	}
	_ = r.Close()
}

// BenchmarkPutSmall puts 4 KiB objects on a 2+2 set: the cost of a small
// Put is its file-system work (creates, renames, syncs), not its coding.
func BenchmarkPutSmall(b *testing.B) {
	data := randomBytes(4<<10, 14)
	ts := newTestSet(b, benchData+benchParity, benchParity)
	for i := 0; b.Loop(); i++ {
		mustPut(b, ts.Set, fmt.Sprint(i), data)
	}
}

// BenchmarkPutGetMemory is BenchmarkPutGet on drive.Memory drives: the
// coding, hashing and framing of the storage path without a file system,
// as `make bench` measures it beside bare reedsolomon.
func BenchmarkPutGetMemory(b *testing.B) {
	data := randomBytes(benchBytes, 15)
	b.Run("put", func(b *testing.B) {
		ts := newTestSetOver(b, memoryDrives(), benchParity)
		b.SetBytes(benchBytes)
		for b.Loop() {
			mustPut(b, ts.Set, "obj", data)
		}
	})
	b.Run("get", func(b *testing.B) {
		ts := newTestSetOver(b, memoryDrives(), benchParity)
		mustPut(b, ts.Set, "obj", data)
		b.SetBytes(benchBytes)
		for b.Loop() {
			readDiscard(b, ts.Set, "obj")
		}
	})
}

// memoryDrives returns the benchmark geometry's drives in memory.
func memoryDrives() []Drive {
	ds := make([]Drive, benchData+benchParity)
	for i := range ds {
		ds[i] = drive.NewMemory(fmt.Sprintf("memory%d", i), 1<<40)
	}
	return ds
}
