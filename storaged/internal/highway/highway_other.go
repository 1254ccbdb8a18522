//go:build !amd64

package highway

// haveVector is false: only amd64 has the vector loop.
const haveVector = false

// updateGroup mixes the first n bytes of the first used inputs into their
// states, in Go. Sums does not call it here; the tests do, to check
// state's update.
func updateGroup(states *[group]state, inputs *[group][]byte, used, n int) {
	for i := range used {
		for off := 0; off < n; off += packetSize {
			states[i].update((*[packetSize]byte)(inputs[i][off:]))
		}
	}
}
