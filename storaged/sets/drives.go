package sets

import (
	"context"

	"github.com/strata-storage/strata/storaged/object"
)

var _ object.DriveReporter = (*Layers)(nil)

// DriveStates implements object.DriveReporter: the drives of every set
// that reports them, in set order.
func (l *Layers) DriveStates(ctx context.Context) []object.DriveState {
	var out []object.DriveState
	for _, s := range l.sets {
		if r, ok := s.(object.DriveReporter); ok {
			out = append(out, r.DriveStates(ctx)...)
		}
	}
	return out
}
