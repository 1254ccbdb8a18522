// Package highway computes HighwayHash-256 sums of several inputs at once.
//
// Its sums are those of github.com/minio/highwayhash, which it calls for
// one input at a time where it has nothing faster. HighwayHash's update
// step is a chain of dependent adds, multiplies and byte shuffles, so
// hashing one input leaves the CPU's vector units waiting on that chain.
// On amd64 CPUs with AVX-512 (F and BW) Sums therefore runs up to eight
// inputs of the same length through one loop, two per 512-bit register and
// up to four independent chains: four inputs hash about four times the
// bytes per CPU second of one input at a time, eight about six times
// (BenchmarkSums). The loop covers only the
// whole 32-byte packets; the key setup, the last partial packet and the
// finalization are the plain Go of state.go, which the tests check against
// the library for every length up to several packets and for every
// grouping of inputs.
//
// The erasure layer hashes every shard of every block it writes and every
// record it reads, always in groups of equal length, which is what Sums is
// for.
package highway

import (
	"fmt"

	"github.com/minio/highwayhash"
)

// Size is the length of a sum.
const Size = highwayhash.Size

// KeySize is the length of a key.
const KeySize = 32

// group is how many inputs the vector loops hash at once, at most.
const group = 8

// Width is how many inputs of one length Sums hashes together at most:
// callers that can hand it that many at once get the most from it.
const Width = group

// Sum returns the HighwayHash-256 of data under key, which must be KeySize
// bytes long.
func Sum(data, key []byte) [Size]byte {
	return highwayhash.Sum(data, key)
}

// Sums sets sums[i] to the HighwayHash-256 of data[i] under key, for every
// i. key must be KeySize bytes long and sums as long as data. Inputs of
// equal length that follow one another are hashed together, up to eight at
// a time, where the CPU can.
func Sums(sums [][Size]byte, data [][]byte, key []byte) {
	if len(key) != KeySize {
		panic(fmt.Sprintf("highway: a key of %d bytes, want %d", len(key), KeySize))
	}
	if len(sums) != len(data) {
		panic(fmt.Sprintf("highway: %d sums for %d inputs", len(sums), len(data)))
	}
	for i := 0; i < len(data); {
		n := 1
		for n < group && i+n < len(data) && len(data[i+n]) == len(data[i]) {
			n++
		}
		sumGroup(sums[i:i+n], data[i:i+n], key)
		i += n
	}
}

// minVector is the input length from which the vector loop beats the
// library: below it, the Go finalization of each sum costs more than the
// loop saves (BenchmarkSumsSmallShards).
const minVector = 8 << 10

// sumGroup hashes one to eight inputs of one length: with a vector loop
// when the CPU has them and there are several long inputs; else each with
// the library. A group of one would leave three of four lanes idle.
func sumGroup(sums [][Size]byte, data [][]byte, key []byte) {
	if !haveVector || len(data) == 1 || len(data[0]) < minVector {
		for i, d := range data {
			sums[i] = highwayhash.Sum(d, key)
		}
		return
	}
	vectorSums(sums, data, key)
}

// vectorSums hashes one to eight inputs of one length, at least one
// packet long, with a vector loop: their whole packets in it, the rest in
// state's Go. The loops take four inputs or eight; a repeat of the last
// input fills the lanes of missing ones.
func vectorSums(sums [][Size]byte, data [][]byte, key []byte) {
	whole := len(data[0]) &^ (packetSize - 1)
	used := group / 2
	if len(data) > used {
		used = group
	}
	var states [group]state
	var lanes [group][]byte
	for i := range used {
		states[i] = newState((*[KeySize]byte)(key))
		lanes[i] = data[min(i, len(data)-1)]
	}
	updateGroup(&states, &lanes, used, whole)
	for i, d := range data {
		if rest := d[whole:]; len(rest) > 0 {
			states[i].tail(rest)
		}
		sums[i] = states[i].sum()
	}
}
