package pools

import (
	"context"
)

// PoolStatus is one pool as the admin endpoint reports it.
type PoolStatus struct {
	Name, ID     string
	Sets, Drives int
	// Space is the pool's measured space; SpaceErr says why it is not.
	Space    Space
	SpaceErr error
	// Decommission is the drain's progress; nil for a pool in service.
	Decommission *DrainStatus
}

// Status reports every pool. The node that runs the drain reports its
// counters; another node tells only whether the pool still holds
// anything (draining) or not (done), with -1 for the counts.
func (l *Layers) Status(ctx context.Context) []PoolStatus {
	out := make([]PoolStatus, len(l.pools))
	for i, p := range l.pools {
		out[i] = PoolStatus{Name: p.Name, ID: p.ID, Sets: p.Sets, Drives: p.Drives}
		out[i].Space, out[i].SpaceErr = l.space.of(ctx, i)
		if d := l.drains[i]; d != nil {
			st := l.drainStatus(ctx, i, d)
			out[i].Decommission = &st
		}
	}
	return out
}

// drainStatus returns pool i's drain status as this node knows it.
func (l *Layers) drainStatus(ctx context.Context, i int, d *drainState) DrainStatus {
	st, running := d.status()
	if running {
		return st
	}
	st = DrainStatus{State: DrainDraining, Runner: l.runner, ObjectsLeft: -1, UploadsLeft: -1}
	if objects, uploads := l.count(ctx, i, 1); objects == 0 && uploads == 0 {
		st.State = DrainDone
	}
	return st
}
