package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/erasure"
)

// envDriveCheckInterval is the environment fallback of
// --drive-check-interval.
const envDriveCheckInterval = "STORAGED_DRIVE_CHECK_INTERVAL"

// minDriveCheckInterval bounds how often the drive monitor may look, so
// that its cost stays one stat per drive every so often.
const minDriveCheckInterval = 100 * time.Millisecond

// checkDriveCheckInterval validates --drive-check-interval: a duration of
// at least minDriveCheckInterval, erasure.DefaultDriveCheckInterval when
// empty, or 0 (returned as -1) to turn the monitor off.
func checkDriveCheckInterval(v string) (time.Duration, error) {
	if v == "" {
		return erasure.DefaultDriveCheckInterval, nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case err == nil && d == 0:
		return -1, nil
	case err != nil || d < minDriveCheckInterval:
		return 0, fmt.Errorf("--drive-check-interval %q: give a duration of at least %s, "+
			"such as 5s (the default), or 0 to stop watching the drives", v,
			minDriveCheckInterval)
	}
	return d, nil
}

// watchDrives starts the monitor of this node's drives of sets, whose
// healers h holds in the same order, checking every interval (not at all
// when it is zero or negative): a drive wiped or replaced by an empty one
// is formatted again and gets a drive heal job, as at start.
func (h *healing) watchDrives(sets []healSet, interval time.Duration,
	logger hclog.Logger) error {
	if interval <= 0 {
		return nil
	}
	built := make([]*erasure.Set, len(sets))
	for i, hs := range sets {
		built[i] = hs.set
	}
	m, err := erasure.NewDriveMonitor(erasure.DriveMonitorConfig{Sets: built,
		Interval: interval, OnChange: h.onDriveChange(sets, logger)})
	if err != nil {
		return fmt.Errorf("watching the drives: %w", err)
	}
	h.monitor = m
	m.Start()
	return nil
}

// onDriveChange returns the drive monitor's OnChange: it logs each change
// and queues a drive heal job for a drive formatted again.
func (h *healing) onDriveChange(sets []healSet, logger hclog.Logger) func(erasure.DriveChange) {
	return func(c erasure.DriveChange) {
		name := sets[c.Set].name
		switch c.Event {
		case erasure.DriveFormatted:
			logger.Info("formatted a wiped or replaced drive again", "set", name,
				"drive", c.Drive, "position", c.Position)
			if c.Err != nil {
				logger.Warn("could not put every bucket back on a formatted drive",
					"set", name, "drive", c.Drive, "error", c.Err)
			}
			h.queueFormatted(name, c, logger)
		case erasure.DriveForeign:
			logger.Error("drive holds another drive's format; serving it as offline",
				"set", name, "drive", c.Drive, "error", c.Err)
		case erasure.DriveUnreadable:
			logger.Warn("cannot check a drive's format; leaving the drive as it is",
				"set", name, "drive", c.Drive, "error", c.Err)
		case erasure.DriveBack:
			logger.Info("drive answers with its own format again", "set", name,
				"drive", c.Drive)
		}
	}
}

// queueFormatted queues the drive heal job of a drive formatted again,
// with a fresh checkpoint, as queueDriveJobs does for a fresh drive at
// start.
func (h *healing) queueFormatted(name string, c erasure.DriveChange, logger hclog.Logger) {
	cp := erasure.FileCheckpoint(filepath.Join(c.Drive, healCheckpointPath))
	if _, err := queueDriveJob(h.healers[c.Set], c.Position, cp, true); err != nil {
		logger.Warn("cannot heal a drive", "set", name, "drive", c.Drive, "error", err)
		return
	}
	logger.Info("healing a new or replaced drive", "set", name, "drive", c.Drive,
		"resumed", false)
}

// latestDriveJobs keeps the last job of each drive position, in the order
// asked for: a drive formatted again gets a job that supersedes the one
// it had, and status and metrics show each drive once.
func latestDriveJobs(jobs []erasure.DriveHealProgress) []erasure.DriveHealProgress {
	last := map[int]int{}
	for i, j := range jobs {
		last[j.Position] = i
	}
	out := jobs[:0:0]
	for i, j := range jobs {
		if last[j.Position] == i {
			out = append(out, j)
		}
	}
	return out
}
