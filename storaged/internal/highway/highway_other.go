//go:build !amd64

package highway

// haveVector is false: only amd64 has the vector loop.
const haveVector = false

// updateGroup mixes the first n bytes of each input into its state, in Go.
// Sums does not call it here; the tests do, to check state's update.
func updateGroup(states *[group]state, inputs *[group][]byte, n int) {
	for i := range states {
		for off := 0; off < n; off += packetSize {
			states[i].update((*[packetSize]byte)(inputs[i][off:]))
		}
	}
}
