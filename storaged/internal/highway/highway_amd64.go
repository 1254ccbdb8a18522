package highway

import "golang.org/x/sys/cpu"

// haveVector says whether update4 can run: it needs AVX-512 F, and BW for
// its 512-bit byte shuffles (cpu checks that the OS saves the registers).
var haveVector = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// vectorState is four states as update4 keeps them: by pair of inputs
// (one pair in each set of registers), then by field (v0, v1, mul0,
// mul1), then by input within the pair, then by lane.
type vectorState [2][4][2][4]uint64

// update4 mixes the first n bytes of a, b, c and d, n a positive multiple
// of 32, into the four states of s.
//
//go:noescape
func update4(s *vectorState, a, b, c, d *byte, n int)

// updateGroup mixes the first n bytes of each input, n a positive multiple
// of packetSize that none is shorter than, into its state.
func updateGroup(states *[group]state, inputs *[group][]byte, n int) {
	var vs vectorState
	for i := range states {
		pair, in := i/2, i%2
		vs[pair][0][in] = states[i].v0
		vs[pair][1][in] = states[i].v1
		vs[pair][2][in] = states[i].mul0
		vs[pair][3][in] = states[i].mul1
	}
	update4(&vs, &inputs[0][0], &inputs[1][0], &inputs[2][0], &inputs[3][0], n)
	for i := range states {
		pair, in := i/2, i%2
		states[i] = state{v0: vs[pair][0][in], v1: vs[pair][1][in],
			mul0: vs[pair][2][in], mul1: vs[pair][3][in]}
	}
}
