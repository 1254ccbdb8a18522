package highway

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/minio/highwayhash"
	"golang.org/x/sys/unix"
)

// testKey is a key with no pattern in it.
func testKey(seed uint64) []byte {
	key := make([]byte, KeySize)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return key
}

// randomInputs returns n inputs of length size each, cut at offset from a
// larger buffer so that they do not start on an aligned address.
func randomInputs(seed uint64, n, size, offset int) [][]byte {
	r := rand.New(rand.NewPCG(seed, 11))
	data := make([][]byte, n)
	for i := range data {
		buf := make([]byte, offset+size)
		for j := range buf {
			buf[j] = byte(r.Uint32())
		}
		data[i] = buf[offset:]
	}
	return data
}

// checkSums fails t unless Sums gives, for each input, the library's sum,
// and so does the vector loop, where the CPU has it, on every input at
// least a packet long, whatever its length (Sums leaves short inputs and
// lone ones to the library).
func checkSums(t *testing.T, data [][]byte, key []byte) {
	t.Helper()
	sums := make([][Size]byte, len(data))
	Sums(sums, data, key)
	for i, d := range data {
		if want := highwayhash.Sum(d, key); sums[i] != want {
			t.Fatalf("input %d of %d (%d bytes): sum %x, the library's %x",
				i, len(data), len(d), sums[i], want)
		}
	}
	if !haveVector {
		return
	}
	for i := 0; i < len(data); {
		n := 1
		for n < group && i+n < len(data) && len(data[i+n]) == len(data[i]) {
			n++
		}
		if len(data[i]) >= packetSize {
			vectorSums(sums[i:i+n], data[i:i+n], key)
			for j := i; j < i+n; j++ {
				if want := highwayhash.Sum(data[j], key); sums[j] != want {
					t.Fatalf("vector loop, input %d of %d (%d bytes): sum %x, the "+
						"library's %x", j, len(data), len(data[j]), sums[j], want)
				}
			}
		}
		i += n
	}
}

// TestSumsMatchesLibraryForEveryLength covers every length up to nine
// packets, so every partial-packet case, with one to four inputs at once
// (a group of fewer than four repeats an input in the vector loop).
func TestSumsMatchesLibraryForEveryLength(t *testing.T) {
	for size := range 9*packetSize + 1 {
		for n := 1; n <= group; n++ {
			checkSums(t, randomInputs(uint64(size), n, size, size%7), testKey(uint64(n)))
		}
	}
}

// TestSumsMatchesLibraryForLargeInputs covers shard-sized inputs and
// groups that are not a multiple of four, or that mix lengths.
func TestSumsMatchesLibraryForLargeInputs(t *testing.T) {
	for _, size := range []int{1 << 10, 64<<10 + 5, 349526, 512 << 10} {
		for _, n := range []int{1, 2, 3, 5, 8, 9} {
			t.Run(fmt.Sprintf("%d inputs of %d bytes", n, size), func(t *testing.T) {
				checkSums(t, randomInputs(uint64(size+n), n, size, 3), testKey(9))
			})
		}
	}
	mixed := append(randomInputs(1, 3, 4096, 0), randomInputs(2, 2, 4000, 1)...)
	mixed = append(mixed, randomInputs(3, 1, 0, 0)...)
	mixed = append(mixed, randomInputs(4, 3, 4096, 2)...)
	checkSums(t, mixed, testKey(10))
}

// TestSumsDoesNotChangeItsInputs: the inputs are the caller's shards.
func TestSumsDoesNotChangeItsInputs(t *testing.T) {
	data := randomInputs(5, 4, 8192, 0)
	want := randomInputs(5, 4, 8192, 0)
	Sums(make([][Size]byte, 4), data, testKey(1))
	for i := range data {
		if string(data[i]) != string(want[i]) {
			t.Fatalf("input %d changed", i)
		}
	}
}

// TestUpdateGroupMatchesUpdate checks the vector loops, where there are
// any, against state's update packet by packet, on four and on eight
// different inputs.
func TestUpdateGroupMatchesUpdate(t *testing.T) {
	data := randomInputs(6, group, 40*packetSize, 0)
	key := (*[KeySize]byte)(testKey(2))
	for _, used := range []int{group / 2, group} {
		var got, want [group]state
		var inputs [group][]byte
		for i := range used {
			got[i], want[i] = newState(key), newState(key)
			inputs[i] = data[i]
			for off := 0; off < len(data[i]); off += packetSize {
				want[i].update((*[packetSize]byte)(data[i][off:]))
			}
		}
		updateGroup(&got, &inputs, used, len(data[0]))
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%d inputs, input %d: state %+v, want %+v", used, i, got[i], want[i])
			}
		}
	}
}

// TestSumsRefusesMisuse: a wrong key length or a sums slice of the wrong
// length is a programming error, reported at once.
func TestSumsRefusesMisuse(t *testing.T) {
	for name, call := range map[string]func(){
		"short key": func() { Sums(make([][Size]byte, 1), [][]byte{nil}, make([]byte, 16)) },
		"too few sums": func() {
			Sums(make([][Size]byte, 1), [][]byte{nil, nil}, testKey(1))
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			call()
		})
	}
}

// TestSumsMatchesLibraryAroundBigLengths covers lengths one short of, at
// and one past large powers of two, where the vector loop ends exactly on
// or just before the last byte.
func TestSumsMatchesLibraryAroundBigLengths(t *testing.T) {
	for _, base := range []int{32 << 10, 256 << 10, 1 << 20} {
		for _, size := range []int{base - 1, base, base + 1, base + 31, base + 33} {
			t.Run(fmt.Sprintf("4 inputs of %d bytes", size), func(t *testing.T) {
				checkSums(t, randomInputs(uint64(size), group, size, size%5), testKey(11))
			})
		}
	}
}

// TestSumsMatchesLibraryOnSharedMemory: inputs may be the same slice or
// overlap; Sums only reads them.
func TestSumsMatchesLibraryOnSharedMemory(t *testing.T) {
	buf := randomInputs(12, 1, 4096+8, 0)[0]
	for _, size := range []int{32, 33, 100, 1000, 4096} {
		one := buf[:size]
		checkSums(t, [][]byte{one, one, one, one, one}, testKey(12))
		overlapping := [][]byte{buf[:size], buf[1 : size+1], buf[2 : size+2], buf[7 : size+7]}
		checkSums(t, overlapping, testKey(13))
		checkSums(t, [][]byte{one, buf[1 : size+1], one, buf[:size-1], one}, testKey(14))
	}
}

// TestSumsMatchesLibraryWhenLengthsChange covers groups of five to nine
// inputs whose lengths change at every position, or every other, with
// empty and nil inputs among them.
func TestSumsMatchesLibraryWhenLengthsChange(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 3))
	for n := 5; n <= 9; n++ {
		for trial := range 40 {
			data := make([][]byte, n)
			for i := range data {
				switch size := r.IntN(5 * packetSize); {
				case trial%4 == 1 && i%2 == 1:
					data[i] = randomInputs(uint64(trial*n+i), 1, len(data[i-1]), i)[0]
				case size < 10:
					data[i] = []byte{}
				case size < 20:
					data[i] = nil
				default:
					data[i] = randomInputs(uint64(trial*n+i), 1, size, i)[0]
				}
			}
			checkSums(t, data, testKey(uint64(trial)))
		}
	}
}

// TestSumsMatchesLibraryOnExtremeBytes: keys and inputs of all zeros or
// all ones drive every add to its carry limits.
func TestSumsMatchesLibraryOnExtremeBytes(t *testing.T) {
	fill := func(size int, b byte) []byte {
		out := make([]byte, size)
		for i := range out {
			out[i] = b
		}
		return out
	}
	for _, k := range []byte{0x00, 0xff, 0x80} {
		for _, size := range []int{31, 32, 63, 64, 1000, 8192 + 17} {
			for _, b := range []byte{0x00, 0xff} {
				data := [][]byte{fill(size, b), fill(size, b), fill(size, ^b), fill(size, b)}
				checkSums(t, data, fill(KeySize, k))
			}
		}
	}
}

// guarded maps pages of memory with one inaccessible page before and after
// them, and returns the accessible part; reading beyond it faults.
func guarded(t *testing.T, pages int) []byte {
	t.Helper()
	ps := os.Getpagesize()
	m, err := unix.Mmap(-1, 0, (pages+2)*ps, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mapping %d pages: %v", pages+2, err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	for _, g := range [][]byte{m[:ps], m[(pages+1)*ps:]} {
		if err := unix.Mprotect(g, unix.PROT_NONE); err != nil {
			t.Fatalf("protecting a guard page: %v", err)
		}
	}
	return m[ps : (pages+1)*ps]
}

// TestSumsReadsNoByteOutsideItsInputs puts every input flush against an
// inaccessible page, after its end or before its start: a read outside
// the input crashes the test.
func TestSumsReadsNoByteOutsideItsInputs(t *testing.T) {
	ps := os.Getpagesize()
	sizes := []int{1, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097, 2*ps - 1, 2 * ps}
	for _, size := range sizes {
		data := make([][]byte, 0, 2*group)
		for i := range 2 * group {
			mem := guarded(t, 2)
			for j := range mem {
				mem[j] = byte(i*31 + j*7)
			}
			if i%2 == 0 {
				data = append(data, mem[len(mem)-size:])
			} else {
				data = append(data, mem[:size])
			}
		}
		checkSums(t, data, testKey(uint64(size)))
		checkSums(t, data[:3], testKey(uint64(size)))
	}
}

// TestSumsWritesOnlyItsSums: callers pass a window of a larger sums slice,
// so the sums around it must stay as they were.
func TestSumsWritesOnlyItsSums(t *testing.T) {
	var sentinel [Size]byte
	for i := range sentinel {
		sentinel[i] = 0xa5
	}
	for _, n := range []int{1, 3, 4, 5, 9} {
		all := make([][Size]byte, n+2)
		for i := range all {
			all[i] = sentinel
		}
		data := randomInputs(uint64(n), n, 200, 1)
		Sums(all[1:n+1:n+1], data, testKey(16))
		if all[0] != sentinel || all[n+1] != sentinel {
			t.Fatalf("%d inputs: sums outside the window changed: %x, %x", n, all[0], all[n+1])
		}
	}
}

// TestSumsIsSafeConcurrently runs Sums on several goroutines at once, each
// with its own inputs and key, and checks every result (run with -race).
func TestSumsIsSafeConcurrently(t *testing.T) {
	const goroutines, rounds = 8, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*rounds)
	for g := range goroutines {
		wg.Go(func() {
			for round := range rounds {
				size := 1000 + 97*g + 13*round
				data := randomInputs(uint64(g*rounds+round), 1+round%6, size, g%3)
				key := testKey(uint64(g))
				sums := make([][Size]byte, len(data))
				Sums(sums, data, key)
				for i, d := range data {
					if want := highwayhash.Sum(d, key); sums[i] != want {
						errs <- fmt.Sprintf("goroutine %d round %d input %d: sum %x, want %x",
							g, round, i, sums[i], want)
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzSums checks Sums against the library on any input, cut into up to
// five pieces of one length and one of another.
func FuzzSums(f *testing.F) {
	f.Add([]byte("strata"), uint8(3), uint8(0))
	f.Add(make([]byte, 300), uint8(4), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, pieces, seed uint8) {
		n := int(pieces%5) + 1
		size := len(b) / (n + 1)
		data := make([][]byte, 0, n+1)
		for i := range n {
			data = append(data, b[i*size:(i+1)*size])
		}
		data = append(data, b[n*size:])
		checkSums(t, data, testKey(uint64(seed)))
	})
}

// FuzzSumsAnyKey checks Sums against the library under any key: the
// first 32 bytes are the key, the rest four inputs of one length and a
// fifth of another.
func FuzzSumsAnyKey(f *testing.F) {
	f.Add(make([]byte, KeySize+4*packetSize+1))
	f.Add(append(testKey(1), randomInputs(8, 1, 700, 0)[0]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < KeySize {
			return
		}
		key, rest := b[:KeySize], b[KeySize:]
		size := len(rest) / 5
		data := make([][]byte, 0, 5)
		for i := range 4 {
			data = append(data, rest[i*size:(i+1)*size])
		}
		checkSums(t, append(data, rest[4*size:]), key)
	})
}

// BenchmarkSums compares Sums on four and on eight shard-sized inputs
// with the library hashing them one after the other.
func BenchmarkSums(b *testing.B) {
	const size = 512 << 10
	key := testKey(3)
	for _, n := range []int{group / 2, group} {
		data := randomInputs(7, n, size, 0)
		b.Run(fmt.Sprintf("%d inputs/library one at a time", n), func(b *testing.B) {
			b.SetBytes(int64(n * size))
			for b.Loop() {
				for _, d := range data {
					highwayhash.Sum(d, key)
				}
			}
		})
		b.Run(fmt.Sprintf("%d inputs/Sums", n), func(b *testing.B) {
			sums := make([][Size]byte, n)
			b.SetBytes(int64(n * size))
			for b.Loop() {
				Sums(sums, data, key)
			}
		})
	}
}

// BenchmarkSumsSmallShards compares Sums with the library one input at a
// time on the shards of small objects and of last blocks, and on a group
// of one, where the vector loop has less to win than the Go finalization
// and the unused lanes cost.
func BenchmarkSumsSmallShards(b *testing.B) {
	key := testKey(4)
	for _, shape := range []struct{ n, size int }{{4, 256}, {4, 4096}, {1, 64 << 10}} {
		data := randomInputs(8, shape.n, shape.size, 0)
		name := fmt.Sprintf("%d inputs of %d bytes", shape.n, shape.size)
		b.Run(name+"/library one at a time", func(b *testing.B) {
			b.SetBytes(int64(shape.n * shape.size))
			for b.Loop() {
				for _, d := range data {
					highwayhash.Sum(d, key)
				}
			}
		})
		b.Run(name+"/Sums", func(b *testing.B) {
			sums := make([][Size]byte, shape.n)
			b.SetBytes(int64(shape.n * shape.size))
			for b.Loop() {
				Sums(sums, data, key)
			}
		})
	}
}
