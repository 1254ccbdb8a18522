package highway

import (
	"encoding/binary"
	"math/bits"
)

// packetSize is the length of the packets HighwayHash consumes.
const packetSize = 32

// state is HighwayHash's state for one input: four 64-bit lanes each of
// v0, v1, mul0 and mul1.
type state struct {
	v0, v1, mul0, mul1 [4]uint64
}

// The initial values of mul0 and mul1, fixed by HighwayHash.
var (
	init0 = [4]uint64{0xdbe6d5d5fe4cce2f, 0xa4093822299f31d0, 0x13198a2e03707344, 0x243f6a8885a308d3}
	init1 = [4]uint64{0x3bd39e10cb0ef593, 0xc0acf169b5f18a8c, 0xbe5466cf34e90c6c, 0x452821e638d01377}
)

// newState returns the state that starts a hash under key.
func newState(key *[KeySize]byte) state {
	s := state{mul0: init0, mul1: init1}
	for i := range 4 {
		k := binary.LittleEndian.Uint64(key[8*i:])
		s.v0[i] = init0[i] ^ k
		s.v1[i] = init1[i] ^ bits.RotateLeft64(k, 32)
	}
	return s
}

// update mixes one packet into s.
func (s *state) update(p *[packetSize]byte) {
	for i := range 4 {
		s.v1[i] += s.mul0[i] + binary.LittleEndian.Uint64(p[8*i:])
		s.mul0[i] ^= (s.v1[i] & 0xffffffff) * (s.v0[i] >> 32)
		s.v0[i] += s.mul1[i]
		s.mul1[i] ^= (s.v0[i] & 0xffffffff) * (s.v1[i] >> 32)
	}
	zipperAdd(&s.v0, &s.v1)
	zipperAdd(&s.v1, &s.v0)
}

// zipper is HighwayHash's byte shuffle of each pair of lanes: byte i of
// the result is byte zipper[i] of the pair, the lanes taken little-endian
// one after the other.
var zipper = [16]byte{3, 12, 2, 5, 14, 1, 15, 0, 11, 4, 10, 13, 9, 6, 8, 7}

// zipperAdd adds the zipper shuffle of src's lane pairs to dst's.
func zipperAdd(dst, src *[4]uint64) {
	for pair := 0; pair < 4; pair += 2 {
		var in, out [16]byte
		binary.LittleEndian.PutUint64(in[:], src[pair])
		binary.LittleEndian.PutUint64(in[8:], src[pair+1])
		for i, from := range zipper {
			out[i] = in[from]
		}
		dst[pair] += binary.LittleEndian.Uint64(out[:])
		dst[pair+1] += binary.LittleEndian.Uint64(out[8:])
	}
}

// tail mixes in the input's last bytes, 1 to 31 of them, as HighwayHash
// does: their count goes into the state, and they are placed in one packet
// in its own way rather than zero-padded.
func (s *state) tail(rest []byte) {
	n := len(rest)
	for i := range 4 {
		s.v0[i] += uint64(n)<<32 + uint64(n)
		lo := bits.RotateLeft32(uint32(s.v1[i]), n)
		hi := bits.RotateLeft32(uint32(s.v1[i]>>32), n)
		s.v1[i] = uint64(hi)<<32 | uint64(lo)
	}
	var p [packetSize]byte
	whole := n &^ 3
	copy(p[:], rest[:whole])
	switch odd := n & 3; {
	case n >= 16:
		copy(p[28:], rest[n-4:])
	case odd != 0:
		p[16] = rest[whole]
		p[17] = rest[whole+odd>>1]
		p[18] = rest[n-1]
	}
	s.update(&p)
}

// sum finishes the hash: ten more updates with packets made from v0, then
// each half of the state reduced to 128 bits.
func (s *state) sum() [Size]byte {
	for range 10 {
		var p [packetSize]byte
		for i, lane := range [4]uint64{s.v0[2], s.v0[3], s.v0[0], s.v0[1]} {
			binary.LittleEndian.PutUint64(p[8*i:], bits.RotateLeft64(lane, 32))
		}
		s.update(&p)
	}
	var out [Size]byte
	for half := range 2 {
		lo, hi := 2*half, 2*half+1
		m1, m0 := reduce(s.v1[hi]+s.mul1[hi], s.v1[lo]+s.mul1[lo],
			s.v0[hi]+s.mul0[hi], s.v0[lo]+s.mul0[lo])
		binary.LittleEndian.PutUint64(out[16*half:], m0)
		binary.LittleEndian.PutUint64(out[16*half+8:], m1)
	}
	return out
}

// reduce is HighwayHash's reduction of the 256 bits a3:a2:a1:a0, the top
// two bits of a3 dropped, to the 128 bits m1:m0.
func reduce(a3, a2, a1, a0 uint64) (m1, m0 uint64) {
	a3 &= 1<<62 - 1
	m1 = a1 ^ (a3<<1 | a2>>63) ^ (a3<<2 | a2>>62)
	m0 = a0 ^ a2<<1 ^ a2<<2
	return m1, m0
}
