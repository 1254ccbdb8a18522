package highway

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/minio/highwayhash"
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

// checkSums fails t unless Sums gives, for each input, the library's sum.
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

// TestUpdateGroupMatchesUpdate checks the vector loop, where there is one,
// against state's update packet by packet, on four different inputs.
func TestUpdateGroupMatchesUpdate(t *testing.T) {
	data := randomInputs(6, group, 40*packetSize, 0)
	key := (*[KeySize]byte)(testKey(2))
	var got, want [group]state
	var inputs [group][]byte
	for i := range got {
		got[i], want[i] = newState(key), newState(key)
		inputs[i] = data[i]
		for off := 0; off < len(data[i]); off += packetSize {
			want[i].update((*[packetSize]byte)(data[i][off:]))
		}
	}
	updateGroup(&got, &inputs, len(data[0]))
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("input %d: state %+v, want %+v", i, got[i], want[i])
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

// BenchmarkSums compares Sums on four shard-sized inputs with the library
// hashing them one after the other.
func BenchmarkSums(b *testing.B) {
	const size = 512 << 10
	data := randomInputs(7, group, size, 0)
	key := testKey(3)
	b.Run("library one at a time", func(b *testing.B) {
		b.SetBytes(group * size)
		for b.Loop() {
			for _, d := range data {
				highwayhash.Sum(d, key)
			}
		}
	})
	b.Run("Sums", func(b *testing.B) {
		sums := make([][Size]byte, group)
		b.SetBytes(group * size)
		for b.Loop() {
			Sums(sums, data, key)
		}
	})
}
