package model

// MaxSetSize is the largest erasure set that storaged cuts a multi-server
// pool into.
const MaxSetSize = 16

// erasureSets returns how a pool's drives form erasure sets, by the rule
// storaged applies to a topology: one set of every drive on a single
// server; on several servers, the drives cut into the fewest equal sets of
// at most MaxSetSize drives. count is 0 when no such cut leaves sets of at
// least 2 drives.
//
// storaged cannot import this package (nor this one storaged), so the rule
// is written twice; storaged/cmd/storaged's setCount is the other half,
// and the two must agree.
func erasureSets(servers, drivesPerServer int) (count, size int) {
	n := servers * drivesPerServer
	if servers <= 1 {
		return 1, n
	}
	for k := 1; k <= n; k++ {
		if n%k == 0 && n/k <= MaxSetSize {
			if n/k < 2 {
				break
			}
			return k, n / k
		}
	}
	return 0, 0
}
