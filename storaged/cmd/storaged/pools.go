package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/pools"
	"github.com/strata-storage/strata/storaged/s3api"
	"github.com/strata-storage/strata/storaged/sets"
)

// syncTimeout bounds one attempt to put the buckets on every pool.
const syncTimeout = 30 * time.Second

// poolsOver returns the object layer of the topology: one sets layer per
// pool over the pool's built sets, and the pools layer over them, whose
// changes hold namespace locks across the tenant's nodes.
func poolsOver(topo *topology, built []*erasure.Set, locker sets.Locker,
	rrsParity int) (*pools.Layers, error) {
	cfg := pools.Config{Locker: locker, DrainRunner: topo.drainRunner()}
	for _, p := range topo.pools {
		layer, err := layerOver(built[p.first:p.end], locker, rrsParity)
		if err != nil {
			return nil, err
		}
		cfg.Pools = append(cfg.Pools, pools.Pool{Name: p.name, ID: p.id, Layer: layer,
			Decommission: p.decommission, Space: poolSpace(built[p.first:p.end]),
			Sets: p.end - p.first, Drives: p.drives})
	}
	return pools.New(cfg)
}

// poolSpace returns the measure of a pool's space: the sum over the
// drives that answer; an error only when none does.
func poolSpace(built []*erasure.Set) func(ctx context.Context) (pools.Space, error) {
	return func(ctx context.Context) (pools.Space, error) {
		var sp pools.Space
		var errs []error
		for _, s := range built {
			for _, u := range s.Usage(ctx) {
				if u.Err != nil {
					errs = append(errs, u.Err)
					continue
				}
				sp.Total, sp.Free = sp.Total+u.Total, sp.Free+u.Free
			}
		}
		if sp.Total == 0 && len(errs) > 0 {
			return sp, errors.Join(errs...)
		}
		return sp, nil
	}
}

// startPools puts every bucket on every pool (a pool added to a running
// tenant has none), retrying until it succeeds, and then, on the node
// that is the drain runner, drains the pools being decommissioned. The
// returned function stops both and waits for them.
func startPools(l *pools.Layers, topo *topology, heal healOptions,
	logger hclog.Logger) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if len(topo.pools) < 2 || !syncPools(ctx, l, logger) {
			return
		}
		if topo.self != topo.drainRunner() || !decommissioning(topo) {
			return
		}
		logger.Info("draining the pools marked decommission", "rate", heal.rate)
		l.Drain(ctx, pools.DrainConfig{Runner: topo.self, Rate: heal.rate,
			Interval: drainInterval(heal)})
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// syncPools runs Sync until it succeeds, and reports whether it did
// before ctx ended.
func syncPools(ctx context.Context, l *pools.Layers, logger hclog.Logger) bool {
	for {
		sctx, cancel := context.WithTimeout(ctx, syncTimeout)
		err := l.Sync(sctx)
		cancel()
		if err == nil {
			logger.Info("every bucket is on every pool")
			return true
		}
		logger.Warn("could not put every bucket on every pool; retrying", "error", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(healRetryDelay):
		}
	}
}

// decommissioning reports whether a pool of the topology is marked
// decommission.
func decommissioning(topo *topology) bool {
	for _, p := range topo.pools {
		if p.decommission {
			return true
		}
	}
	return false
}

// drainInterval is the pause between drain passes: --scan-interval, at
// most pools.DefaultDrainInterval.
func drainInterval(heal healOptions) time.Duration {
	if heal.scanInterval > 0 && heal.scanInterval < pools.DefaultDrainInterval {
		return heal.scanInterval
	}
	return pools.DefaultDrainInterval
}

// poolControl serves the pools layer's status to the admin endpoint.
type poolControl struct {
	l *pools.Layers
}

var _ s3api.PoolControl = poolControl{}

// PoolStatus implements s3api.PoolControl.
func (c poolControl) PoolStatus(ctx context.Context) []s3api.PoolStatus {
	var out []s3api.PoolStatus
	for _, p := range c.l.Status(ctx) {
		st := s3api.PoolStatus{Name: p.Name, ID: p.ID, Sets: p.Sets, Drives: p.Drives,
			TotalBytes: p.Space.Total, FreeBytes: p.Space.Free}
		if d := p.Decommission; d != nil {
			st.Decommission = &s3api.DecommissionStatus{State: d.State, Runner: d.Runner,
				ObjectsMoved: d.ObjectsMoved, BytesMoved: d.BytesMoved,
				ObjectsLeft: d.ObjectsLeft, UploadsLeft: d.UploadsLeft, Failed: d.Failed}
			if !d.StartedAt.IsZero() {
				st.Decommission.StartedAt = &d.StartedAt
			}
		}
		out = append(out, st)
	}
	return out
}
