package kms

import "time"

// Policy says when a key needs a new version.
type Policy struct {
	// Period is how long a version serves before the next is made; zero
	// means no automatic rotation.
	Period time.Duration
	// Generation is the key's rotation generation: a value above the one
	// the newest version was made for asks for a new version now.
	Generation int64
}

// rotationDue reports whether m needs a new version under p at now and,
// when it does not, when the next one is due (zero when none is planned).
func rotationDue(m *material, p Policy, now time.Time) (bool, time.Time) {
	newest := m.newest()
	switch {
	case newest == nil:
		return true, time.Time{}
	case p.Generation > m.RotationGeneration:
		return true, time.Time{}
	case p.Period <= 0:
		return false, time.Time{}
	}
	next := newest.Created.Add(p.Period)
	if !now.Before(next) {
		return true, time.Time{}
	}
	return false, next
}
