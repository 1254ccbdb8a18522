package highway

import "golang.org/x/sys/cpu"

// haveVector says whether the vector loops can run: they need AVX-512 F,
// and BW for their 512-bit byte shuffles (cpu checks that the OS saves the
// registers).
var haveVector = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// vectorState is eight states as the vector loops keep them: by pair of
// inputs (one pair in each set of registers), then by field (v0, v1, mul0,
// mul1), then by input within the pair, then by lane.
type vectorState [group / 2][4][2][4]uint64

// update4 mixes the first n bytes of the inputs p[0] to p[3], n a positive
// multiple of 32, into the first four states of s.
//
//go:noescape
func update4(s *vectorState, p *[group]*byte, n int)

// update8 is update4 for all eight inputs and states.
//
//go:noescape
func update8(s *vectorState, p *[group]*byte, n int)

// updateGroup mixes the first n bytes of the first used inputs, n a
// positive multiple of packetSize that none is shorter than, into their
// states: with update4 when there are at most four, else update8.
func updateGroup(states *[group]state, inputs *[group][]byte, used, n int) {
	var vs vectorState
	var p [group]*byte
	for i := range used {
		pair, in := i/2, i%2
		vs[pair][0][in] = states[i].v0
		vs[pair][1][in] = states[i].v1
		vs[pair][2][in] = states[i].mul0
		vs[pair][3][in] = states[i].mul1
		p[i] = &inputs[i][0]
	}
	if used <= group/2 {
		update4(&vs, &p, n)
	} else {
		update8(&vs, &p, n)
	}
	for i := range used {
		pair, in := i/2, i%2
		states[i] = state{v0: vs[pair][0][in], v1: vs[pair][1][in],
			mul0: vs[pair][2][in], mul1: vs[pair][3][in]}
	}
}
