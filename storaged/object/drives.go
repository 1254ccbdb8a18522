package object

import (
	"context"

	"github.com/strata-storage/strata/storaged/erasure"
)

// DriveState is whether one drive answers; see erasure.DriveState.
type DriveState = erasure.DriveState

// DriveReporter is a Layer that can say which of its drives answer, for
// the health endpoint that the control plane reads.
type DriveReporter interface {
	// DriveStates reports every drive the layer stores on.
	DriveStates(ctx context.Context) []DriveState
}

var _ DriveReporter = (*ErasureLayer)(nil)

// DriveStates implements DriveReporter.
func (l *ErasureLayer) DriveStates(ctx context.Context) []DriveState {
	return l.set.DriveStates(ctx)
}
