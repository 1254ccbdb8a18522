package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/lifecycle"
	"github.com/strata-storage/strata/storaged/object"
)

// Environment fallbacks of the lifecycle flags.
const (
	envLifecycleInterval = "STORAGED_LIFECYCLE_INTERVAL"
	envLifecycleRate     = "STORAGED_LIFECYCLE_RATE"
)

// lifecycleOptions are the validated lifecycle flags.
type lifecycleOptions struct {
	// interval is the pause between passes; negative turns them off.
	interval time.Duration
	// rate is the versions per second a pass examines.
	rate float64
}

// checkLifecycle validates --lifecycle-interval and --lifecycle-rate.
func checkLifecycle(interval, rate string) (lifecycleOptions, error) {
	opts := lifecycleOptions{interval: lifecycle.DefaultInterval, rate: lifecycle.DefaultRate}
	var errs []error
	if rate != "" {
		r, err := strconv.ParseFloat(rate, 64)
		if err != nil || r <= 0 {
			errs = append(errs, fmt.Errorf("--lifecycle-rate %q: give a positive number of "+
				"object versions per second, e.g. 500", rate))
		}
		opts.rate = r
	}
	if interval != "" {
		d, err := time.ParseDuration(interval)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("--lifecycle-interval %q: give a duration such "+
				"as 1h, or 0 to turn lifecycle expiration off", interval))
		}
		opts.interval = d
		if d == 0 {
			opts.interval = -1
		}
	}
	return opts, errors.Join(errs...)
}

// lifecycleRunsHere reports whether this node runs the lifecycle worker:
// a single node does, and of a tenant's nodes only the first of the
// topology, so that two nodes never expire the same objects at once.
func lifecycleRunsHere(opts options) bool {
	c := opts.cluster
	return c == nil || len(c.topology.nodes) == 0 || c.topology.nodes[0].Name == c.topology.self
}

// startLifecycle starts the lifecycle worker over layer when this node
// runs it and the layer keeps lifecycle configurations, and returns what
// stops it.
func startLifecycle(opts options, layer object.Layer, logger hclog.Logger) func() {
	if opts.lifecycle.interval < 0 || !lifecycleRunsHere(opts) {
		return func() {}
	}
	w, err := lifecycle.New(lifecycle.Config{Layer: layer, Interval: opts.lifecycle.interval,
		Rate: opts.lifecycle.rate, OnPass: logPass(logger)})
	if err != nil {
		logger.Warn("lifecycle expiration is off", "error", err)
		return func() {}
	}
	w.Start()
	return func() { _ = w.Close() }
}

// logPass returns an OnPass that logs what each pass did: at info when it
// deleted something, at debug otherwise, and its failures at warn.
func logPass(logger hclog.Logger) func(lifecycle.Stats, error) {
	return func(st lifecycle.Stats, err error) {
		fields := []any{"buckets", st.Buckets, "scanned", st.Scanned, "expired", st.Expired,
			"noncurrent_removed", st.NoncurrentRemoved, "markers_removed", st.MarkersRemoved,
			"uploads_aborted", st.UploadsAborted}
		switch {
		case err != nil:
			logger.Warn("lifecycle pass failed in part", append(fields, "error", err)...)
		case st.Expired+st.NoncurrentRemoved+st.MarkersRemoved+st.UploadsAborted > 0:
			logger.Info("lifecycle pass done", fields...)
		default:
			logger.Debug("lifecycle pass done", fields...)
		}
	}
}
