package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

// openLayer builds the object layer: one erasure set over the drive
// directories, in the order given (the order is the set's layout and
// must stay the same across restarts), and its healing. REDUCED_REDUNDANCY
// objects get rrsParity (0: parity). Drives that fail are reported at warn
// as objects are served from the others, and the objects queued for
// healing.
func openLayer(dirs []string, parity, rrsParity int, heal healOptions,
	logger hclog.Logger) (object.Layer, *healing, error) {
	hs := healSet{name: "0", queue: erasure.NewHealQueue(0), scan: true, dirs: dirs,
		fresh: make([]bool, len(dirs))}
	for i, dir := range dirs {
		hs.fresh[i] = isFresh(dir)
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the drive directories: %w", err)
	}
	drives = erasure.MonitorLocalDrives(drives) // formatted again if wiped while running
	hs.set, err = erasure.New(erasure.Config{
		Drives: drives,
		Parity: parity,
		OnDegraded: degradedTo(func(d erasure.Degraded) {
			logger.Warn("drives failed on an object; it is queued for healing",
				"bucket", d.Bucket, "key", d.Key, "failed_drives", failedDrives(d.Failures, dirs))
		}, hs.queue),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("building the erasure set: %w", err)
	}
	healBuckets(hs.set, logger)
	h, err := startHealing([]healSet{hs}, heal, nil, logger.Named("heal"))
	if err != nil {
		return nil, nil, err
	}
	layer, err := newSetLayer(hs.set, rrsParity)
	if err != nil {
		return nil, nil, err
	}
	return layer, h, nil
}

// newSetLayer returns the object layer of one erasure set, whose
// REDUCED_REDUNDANCY objects get rrsParity (0: the set's parity).
func newSetLayer(set *erasure.Set, rrsParity int) (*object.ErasureLayer, error) {
	l, err := object.NewErasureLayerFromConfig(object.ErasureConfig{Set: set,
		ReducedRedundancyParity: rrsParity})
	if err != nil {
		return nil, fmt.Errorf("building the object layer: %w", err)
	}
	return l, nil
}

// healBuckets puts back the buckets that replaced (empty) drives lack, so
// that new objects get all their shards again. It logs what it could not
// do and goes on: the set still serves on quorum.
func healBuckets(set *erasure.Set, logger hclog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	healed, err := set.HealBuckets(ctx)
	if len(healed) > 0 {
		logger.Info("recreated buckets on replaced drives", "buckets", healed)
	}
	if err != nil {
		logger.Warn("could not recreate every bucket on replaced drives", "error", err)
	}
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
