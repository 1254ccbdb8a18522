package pools

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// States of a pool's drain, as the admin endpoint reports them.
const (
	// DrainDraining means the pool still holds object versions, delete
	// markers or uploads.
	DrainDraining = "draining"
	// DrainDone means the pool holds nothing: it can leave the topology.
	DrainDone = "done"
	// DrainFailed means the last pass ended with versions it could not
	// move; the next pass tries them again.
	DrainFailed = "failed"
)

// DefaultDrainInterval is the pause between passes of a drain.
const DefaultDrainInterval = time.Minute

// DrainConfig configures Drain.
type DrainConfig struct {
	// Runner names the node that runs the drain, for status.
	Runner string
	// Rate is the most versions moved per second; 0 means no limit.
	Rate float64
	// Interval is the pause between passes (DefaultDrainInterval).
	Interval time.Duration
}

// DrainStatus is the progress of one pool's drain.
type DrainStatus struct {
	State     string
	Runner    string
	StartedAt time.Time
	// ObjectsMoved and BytesMoved count what this runner moved.
	ObjectsMoved, BytesMoved int64
	// ObjectsLeft counts the versions and delete markers left on the pool
	// and UploadsLeft its uploads, when last measured; -1 when unknown.
	ObjectsLeft, UploadsLeft int64
	// Failed names what the last pass could not move: "bucket/key: why".
	Failed []string
}

// drainState is a pool's drain progress on the node that runs it.
type drainState struct {
	mu      sync.Mutex
	running bool
	st      DrainStatus
}

// update changes the status under the lock.
func (d *drainState) update(fn func(st *DrainStatus)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fn(&d.st)
}

// status returns a copy of the status and whether this node runs the
// drain.
func (d *drainState) status() (DrainStatus, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.st
	st.Failed = slices.Clone(d.st.Failed)
	return st, d.running
}

// Drain drains every pool being decommissioned until ctx ends: each pass
// moves what the pool holds, then measures what is left; passes repeat
// every cfg.Interval, so that what failed is tried again. Run it on one
// node of the tenant only.
func (l *Layers) Drain(ctx context.Context, cfg DrainConfig) {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultDrainInterval
	}
	var wg sync.WaitGroup
	for i, d := range l.drains {
		if d == nil {
			continue
		}
		d.update(func(st *DrainStatus) {
			*st = DrainStatus{State: DrainDraining, Runner: cfg.Runner,
				StartedAt: time.Now().UTC(), ObjectsLeft: -1, UploadsLeft: -1}
		})
		d.mu.Lock()
		d.running = true
		d.mu.Unlock()
		wg.Go(func() { l.drainPool(ctx, i, cfg) })
	}
	wg.Wait()
}

// drainPool runs passes over pool i until ctx ends.
func (l *Layers) drainPool(ctx context.Context, i int, cfg DrainConfig) {
	pace := newPacer(cfg.Rate)
	for {
		l.pass(ctx, i, pace)
		select {
		case <-ctx.Done():
			return
		case <-time.After(cfg.Interval):
		}
	}
}

// pass moves every version pool i holds, then measures what is left and
// sets the state.
func (l *Layers) pass(ctx context.Context, i int, pace *pacer) {
	d := l.drains[i]
	l.measure(ctx, i)
	var failed []string
	buckets, err := l.pools[i].Layer.ListBuckets(ctx)
	if err != nil {
		failed = append(failed, fmt.Sprintf("listing buckets: %v", err))
	}
	for _, b := range buckets {
		failed = append(failed, l.drainBucket(ctx, i, b.Name, pace)...)
		if ctx.Err() != nil {
			return
		}
	}
	objects, uploads := l.measure(ctx, i)
	d.update(func(st *DrainStatus) {
		st.Failed = failed
		switch {
		case len(failed) > 0:
			st.State = DrainFailed
		case objects == 0 && uploads == 0:
			st.State = DrainDone
		default:
			st.State = DrainDraining
		}
	})
}

// measure counts the versions and uploads left on pool i and records
// them; -1 when they could not be counted.
func (l *Layers) measure(ctx context.Context, i int) (objects, uploads int64) {
	objects, uploads = l.count(ctx, i, -1)
	l.drains[i].update(func(st *DrainStatus) {
		st.ObjectsLeft, st.UploadsLeft = objects, uploads
	})
	return objects, uploads
}

// count counts the versions and uploads on pool i, stopping at limit of
// each when limit is positive; -1 when they could not be counted.
func (l *Layers) count(ctx context.Context, i int, limit int64) (objects, uploads int64) {
	p := l.pools[i].Layer
	buckets, err := p.ListBuckets(ctx)
	if err != nil {
		return -1, -1
	}
	for _, b := range buckets {
		o, u := countBucket(ctx, p, b.Name, limit)
		if o < 0 || u < 0 {
			return -1, -1
		}
		objects, uploads = objects+o, uploads+u
		if limit > 0 && (objects >= limit || uploads >= limit) {
			break
		}
	}
	return objects, uploads
}

// countBucket counts one bucket's versions and uploads on a pool.
func countBucket(ctx context.Context, p object.Layer, bucket string,
	limit int64) (objects, uploads int64) {
	v, err := capability[object.Versioned](p)
	if err != nil {
		return -1, -1
	}
	opts := object.ListVersionsOptions{MaxKeys: pageSize(limit)}
	for {
		res, err := v.ListObjectVersions(ctx, bucket, opts)
		if err != nil {
			return -1, -1
		}
		objects += int64(len(res.Versions))
		if !res.IsTruncated || limit > 0 && objects >= limit {
			break
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	m, err := capability[object.Multipart](p)
	if err != nil {
		return objects, 0
	}
	uopts := object.ListUploadsOptions{MaxUploads: pageSize(limit)}
	for {
		res, err := m.ListMultipartUploads(ctx, bucket, uopts)
		if err != nil {
			return -1, -1
		}
		uploads += int64(len(res.Uploads))
		if !res.IsTruncated || limit > 0 && uploads >= limit {
			return objects, uploads
		}
		uopts.KeyMarker, uopts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// pageSize is the listing page for a count that stops at limit.
func pageSize(limit int64) int {
	if limit > 0 && limit < object.MaxMaxKeys {
		return int(limit)
	}
	return object.MaxMaxKeys
}

// drainBucket moves every key of the bucket off pool i, page by page,
// and returns what it could not move.
func (l *Layers) drainBucket(ctx context.Context, i int, bucket string, pace *pacer) []string {
	v, err := capability[object.Versioned](l.pools[i].Layer)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", bucket, err)}
	}
	var failed []string
	opts := object.ListVersionsOptions{}
	for ctx.Err() == nil {
		res, err := v.ListObjectVersions(ctx, bucket, opts)
		if err != nil {
			return append(failed, fmt.Sprintf("%s: listing versions: %v", bucket, err))
		}
		for _, key := range keysOf(res.Versions) {
			if err := l.drainKey(ctx, i, bucket, key, pace); err != nil {
				failed = append(failed, fmt.Sprintf("%s/%s: %v", bucket, key, err))
			}
		}
		if !res.IsTruncated {
			break
		}
		// Moved keys are gone from the pool; the rest of a key cut by the
		// page waits for the next pass.
		opts.KeyMarker = res.NextKeyMarker
	}
	return failed
}

// keysOf returns the distinct keys of a page of versions, in order.
func keysOf(vs []object.ObjectInfo) []string {
	var keys []string
	for _, v := range vs {
		if len(keys) == 0 || keys[len(keys)-1] != v.Key {
			keys = append(keys, v.Key)
		}
	}
	return keys
}

// drainKey moves every version of one key off pool i, oldest first, to
// the pool the rules pick, holding the key.
func (l *Layers) drainKey(ctx context.Context, i int, bucket, key string, pace *pacer) error {
	unlock, err := l.lockKey(ctx, bucket, key)
	if err != nil {
		return err
	}
	defer unlock()
	ps := l.heads(ctx, bucket, key)
	if err := failure(ps); err != nil {
		return err
	}
	to := l.target(ctx, ps)
	versions, err := keyVersions(ctx, l.pools[i].Layer, bucket, key)
	if err != nil {
		return err
	}
	for _, v := range slices.Backward(versions) {
		if err := pace.wait(ctx); err != nil {
			return err
		}
		n, err := l.moveVersion(ctx, bucket, key, i, to, v)
		if err != nil {
			return err
		}
		l.drains[i].update(func(st *DrainStatus) {
			st.ObjectsMoved++
			st.BytesMoved += n
			if st.ObjectsLeft > 0 {
				st.ObjectsLeft--
			}
		})
	}
	return nil
}

// pacer spaces moves to a rate.
type pacer struct {
	every time.Duration
	next  time.Time
}

func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return &pacer{}
	}
	return &pacer{every: time.Duration(float64(time.Second) / rate)}
}

// wait returns when the next move may start, or ctx's error.
func (p *pacer) wait(ctx context.Context) error {
	if p.every == 0 {
		return ctx.Err()
	}
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	t := time.NewTimer(p.next.Sub(now))
	defer t.Stop()
	p.next = p.next.Add(p.every)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
