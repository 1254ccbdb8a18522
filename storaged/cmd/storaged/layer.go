package main

import (
	"fmt"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// openLayer builds the object layer: one erasure set over the drive
// directories, in the order given (the order is the set's layout and
// must stay the same across restarts). Drives that fail are reported at
// warn as objects are served from the others.
func openLayer(dirs []string, parity int, logger hclog.Logger) (object.Layer, error) {
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		return nil, fmt.Errorf("opening the drive directories: %w", err)
	}
	set, err := erasure.New(erasure.Config{
		Drives: drives,
		Parity: parity,
		OnDegraded: func(d erasure.Degraded) {
			logger.Warn("object served with failed drives", "bucket", d.Bucket, "key", d.Key,
				"failed_drives", failedDrives(d.Failures, dirs))
		},
	})
	if err != nil {
		return nil, fmt.Errorf("building the erasure set: %w", err)
	}
	return object.NewErasureLayer(set), nil
}

// failedDrives names the drive directories of failures.
func failedDrives(failures []erasure.DriveFailure, dirs []string) []string {
	out := make([]string, 0, len(failures))
	for _, f := range failures {
		name := fmt.Sprintf("#%d", f.Drive)
		if f.Drive >= 0 && f.Drive < len(dirs) {
			name = dirs[f.Drive]
		}
		out = append(out, name+": "+f.Err.Error())
	}
	return out
}
