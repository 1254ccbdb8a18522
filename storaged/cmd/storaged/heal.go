package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/s3api"
)

// Environment fallbacks of the healing flags.
const (
	envHealRate     = "STORAGED_HEAL_RATE"
	envScanInterval = "STORAGED_SCAN_INTERVAL"
)

// Healing defaults and names.
const (
	defaultScanInterval = time.Hour
	// healCheckpointPath is where a drive heal job keeps its checkpoint,
	// inside the drive directory's system folder, which drive.Open makes.
	healCheckpointPath = ".strata.sys/heal-checkpoint.json"
	// healRetryDelay is the pause before a drive heal job tries again,
	// e.g. while the other nodes of a tenant are still starting.
	healRetryDelay = 2 * time.Second
)

// healOptions are the validated healing flags.
type healOptions struct {
	// rate is the objects per second the scanner checks.
	rate float64
	// scanInterval is the pause between scanner cycles; negative turns
	// the scanner off.
	scanInterval time.Duration
	// driveCheck is the pause between two checks of the local drives'
	// formats (--drive-check-interval); negative or zero turns them off.
	driveCheck time.Duration
}

// checkHeal validates --heal-rate and --scan-interval.
func checkHeal(rate, interval string) (healOptions, error) {
	opts := healOptions{rate: erasure.DefaultHealRate, scanInterval: defaultScanInterval}
	var errs []error
	if rate != "" {
		r, err := strconv.ParseFloat(rate, 64)
		if err != nil || r <= 0 {
			errs = append(errs, fmt.Errorf("--heal-rate %q: give a positive number of "+
				"objects per second, e.g. 100", rate))
		}
		opts.rate = r
	}
	if interval != "" {
		d, err := time.ParseDuration(interval)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("--scan-interval %q: give a duration such as 1h, "+
				"or 0 to turn the scanner off", interval))
		}
		opts.scanInterval = d
		if d == 0 {
			opts.scanInterval = -1
		}
	}
	return opts, errors.Join(errs...)
}

// healSet is one erasure set to heal and what this node knows of it.
type healSet struct {
	name  string
	set   *erasure.Set
	queue *erasure.HealQueue
	// scan is true when this node runs the set's scanner.
	scan bool
	// dirs are, by position, the directories of this node's drives of the
	// set ("" for the other nodes' drives), fresh those that had no
	// format file when the node started.
	dirs  []string
	fresh []bool
}

// healing is the healers of this node's erasure sets; it implements
// s3api.HealControl.
type healing struct {
	names   []string
	healers []*erasure.Healer
	// monitor formats again and heals drives wiped while the node runs.
	monitor *erasure.DriveMonitor
}

var _ s3api.HealControl = (*healing)(nil)

// startHealing starts a healer per set, with a drive heal job for each of
// this node's drives that is new (replaced) or whose job did not finish.
func startHealing(sets []healSet, opts healOptions,
	lock func(context.Context, string, string) (func(), error),
	logger hclog.Logger) (*healing, error) {
	h := &healing{}
	for _, hs := range sets {
		interval := opts.scanInterval
		if !hs.scan {
			interval = -1
		}
		hl, err := erasure.NewHealer(erasure.HealerConfig{Set: hs.set, Queue: hs.queue,
			Rate: opts.rate, ScanInterval: interval, Lock: lock, RetryDelay: healRetryDelay})
		if err != nil {
			h.close()
			return nil, fmt.Errorf("set %s: %w", hs.name, err)
		}
		h.names, h.healers = append(h.names, hs.name), append(h.healers, hl)
		queueDriveJobs(hl, hs, logger)
		hl.Start()
	}
	if err := h.watchDrives(sets, opts.driveCheck, logger); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// queueDriveJobs queues a heal job for each of the set's local drives that
// is fresh or has a job to resume. A set whose drives are all on this node
// and all fresh is a new store, with nothing to heal. A node cannot tell
// that of a set spread over nodes (its fresh drives may be a replaced
// node's), so there the jobs run and find nothing on a new store.
func queueDriveJobs(hl *erasure.Healer, hs healSet, logger hclog.Logger) {
	if newStore(hs) {
		return
	}
	for i, dir := range hs.dirs {
		if dir == "" {
			continue
		}
		cp := erasure.FileCheckpoint(filepath.Join(dir, healCheckpointPath))
		queued, err := queueDriveJob(hl, i, cp, hs.fresh[i])
		switch {
		case err != nil:
			logger.Warn("cannot heal a drive", "set", hs.name, "drive", dir, "error", err)
		case queued:
			logger.Info("healing a new or replaced drive", "set", hs.name, "drive", dir,
				"resumed", !hs.fresh[i])
		}
	}
}

// newStore reports whether every drive of the set is this node's and fresh.
func newStore(hs healSet) bool {
	for i, dir := range hs.dirs {
		if dir == "" || !hs.fresh[i] {
			return false
		}
	}
	return true
}

// queueDriveJob queues the job of drive pos when it is fresh or its
// checkpoint says its job did not finish, and reports whether it did.
func queueDriveJob(hl *erasure.Healer, pos int, cp erasure.Checkpoint, fresh bool) (bool, error) {
	if !fresh {
		saved, ok, err := cp.Load()
		if err != nil || !ok || saved.Done {
			return false, err
		}
	} else if err := cp.Save(erasure.HealCheckpoint{}); err != nil {
		return false, err
	}
	return true, hl.HealDrive(pos, cp)
}

// HealStatus implements s3api.HealControl.
func (h *healing) HealStatus() []s3api.SetHealStatus {
	out := make([]s3api.SetHealStatus, len(h.healers))
	for i, hl := range h.healers {
		out[i] = s3api.SetHealStatus{Set: h.names[i], HealProgress: hl.Progress()}
		out[i].Drives = latestDriveJobs(out[i].Drives)
	}
	return out
}

// StartHeal implements s3api.HealControl: a sweep on every set.
func (h *healing) StartHeal(bucket, prefix string) error {
	var errs []error
	for _, hl := range h.healers {
		if err := hl.Sweep(bucket, prefix); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == len(h.healers) {
		return errors.Join(errs...)
	}
	return nil
}

// close stops the drive monitor and every healer.
func (h *healing) close() {
	if h.monitor != nil {
		_ = h.monitor.Close()
	}
	for _, hl := range h.healers {
		_ = hl.Close()
	}
}

// isFresh reports whether a drive directory has no format file yet: a new
// or replaced drive.
func isFresh(dir string) bool {
	_, err := drive.ReadFormat(dir)
	return errors.Is(err, drive.ErrUnformatted)
}

// degradedTo returns an OnDegraded that logs with log and queues the
// object for healing.
func degradedTo(log func(erasure.Degraded), q *erasure.HealQueue) func(erasure.Degraded) {
	return func(d erasure.Degraded) {
		log(d)
		q.Add(d)
	}
}

// withAdmin puts the admin and metrics endpoints in front of the S3
// handler.
func (s *store) withAdmin(next http.Handler) http.Handler {
	h, ok := next.(*s3api.Handler)
	if !ok {
		return next
	}
	cfg := s3api.AdminConfig{S3: h, NoMetrics: s.noMetrics, Collectors: s.collectors}
	if s.heal != nil {
		cfg.Heal = s.heal
	}
	if s.pools != nil {
		cfg.Pools = poolControl{s.pools}
	}
	a, err := s3api.NewAdmin(cfg)
	if err != nil {
		return next
	}
	return a
}

// freshLocalDrives returns, by path, whether each of this node's drives
// has no format file yet. It must run before the drives are opened.
func freshLocalDrives(topo *topology) map[string]bool {
	out := map[string]bool{}
	for _, dir := range topo.localDrives() {
		out[dir] = isFresh(dir)
	}
	return out
}

// clusterHealSets describes the topology's sets for startHealing. A set's
// scanner runs on the node of its first drive, so that each set is
// scanned once across the tenant.
func clusterHealSets(topo *topology, built []*erasure.Set, queues []*erasure.HealQueue,
	fresh map[string]bool) []healSet {
	out := make([]healSet, len(built))
	for i, sl := range topo.sets {
		hs := healSet{name: sl.id, set: built[i], queue: queues[i],
			scan: sl.drives[0].node == topo.self, dirs: make([]string, len(sl.drives)),
			fresh: make([]bool, len(sl.drives))}
		for j, ref := range sl.drives {
			if ref.node == topo.self {
				hs.dirs[j], hs.fresh[j] = ref.path, fresh[ref.path]
			}
		}
		out[i] = hs
	}
	return out
}

// newHealQueues returns one heal queue per set.
func newHealQueues(n int) []*erasure.HealQueue {
	out := make([]*erasure.HealQueue, n)
	for i := range out {
		out[i] = erasure.NewHealQueue(0)
	}
	return out
}
