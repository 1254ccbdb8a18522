package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Defaults of a Worker.
const (
	// DefaultInterval is the pause between two passes.
	DefaultInterval = time.Hour
	// DefaultRate is how many object versions and uploads a pass examines
	// per second.
	DefaultRate = 500
	// pageSize is how many versions one listing call asks for.
	pageSize = 1000
)

// Config is what New needs.
type Config struct {
	// Layer is the object layer to enforce the rules on. It must
	// implement object.BucketLifecycleStore; object.Versioned and
	// object.Multipart are used when it has them. Required.
	Layer object.Layer
	// Interval is the pause between the end of a pass and the start of
	// the next; 0 means DefaultInterval. A negative Interval makes Start
	// run no pass at all.
	Interval time.Duration
	// Rate bounds how many versions and uploads a pass examines per
	// second; 0 means DefaultRate.
	Rate float64
	// Now returns the time the rules are evaluated at; nil means
	// time.Now. Tests set it to travel in time. Pacing uses the real
	// clock.
	Now func() time.Time
	// OnPass, when set, is called after each pass that Start runs, with
	// what it did and every failure joined. It must not block long.
	OnPass func(Stats, error)
}

// Stats counts what a pass did.
type Stats struct {
	// Buckets is how many buckets with a configuration the pass walked.
	Buckets int
	// Scanned is how many versions and uploads it examined.
	Scanned int
	// Expired counts current versions deleted (or hidden behind a delete
	// marker in a versioned bucket).
	Expired int
	// NoncurrentRemoved counts noncurrent versions removed.
	NoncurrentRemoved int
	// MarkersRemoved counts expired delete markers removed.
	MarkersRemoved int
	// UploadsAborted counts multipart uploads aborted.
	UploadsAborted int
}

// add adds o's counts to s.
func (s *Stats) add(o Stats) {
	s.Buckets += o.Buckets
	s.Scanned += o.Scanned
	s.Expired += o.Expired
	s.NoncurrentRemoved += o.NoncurrentRemoved
	s.MarkersRemoved += o.MarkersRemoved
	s.UploadsAborted += o.UploadsAborted
}

// Worker enforces lifecycle rules: each pass walks every bucket that has a
// configuration and deletes what has expired. Its methods are safe for
// concurrent use; passes never overlap.
type Worker struct {
	cfg   Config
	store object.BucketLifecycleStore
	pass  sync.Mutex

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New checks cfg and returns a Worker that has not started.
func New(cfg Config) (*Worker, error) {
	if cfg.Layer == nil {
		return nil, errors.New("lifecycle: config: Layer is nil")
	}
	store, ok := cfg.Layer.(object.BucketLifecycleStore)
	if !ok {
		return nil, fmt.Errorf("lifecycle: config: layer %T keeps no lifecycle "+
			"configurations", cfg.Layer)
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("lifecycle: config: Rate %v is negative", cfg.Rate)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cfg: cfg, store: store}, nil
}

// Start runs a pass now and then one every Interval after the previous
// ended, in the background, until Close. It does nothing when Interval
// is negative or the worker already runs.
func (w *Worker) Start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cfg.Interval < 0 || w.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	go w.loop(ctx, w.done)
}

// loop runs passes until ctx ends.
func (w *Worker) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		st, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if w.cfg.OnPass != nil {
			w.cfg.OnPass(st, err)
		}
		t := time.NewTimer(w.cfg.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Close stops the background passes, if any, and waits for them. It is
// idempotent.
func (w *Worker) Close() error {
	w.mu.Lock()
	cancel, done := w.cancel, w.done
	w.cancel = nil
	w.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// RunOnce runs one pass over every bucket now, at the configured rate, and
// returns what it did. It carries on past a bucket that fails and returns
// every failure joined.
func (w *Worker) RunOnce(ctx context.Context) (Stats, error) {
	w.pass.Lock()
	defer w.pass.Unlock()
	buckets, err := w.cfg.Layer.ListBuckets(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("lifecycle: listing buckets: %w", err)
	}
	var total Stats
	var errs []error
	p := newPacer(w.cfg.Rate)
	for _, b := range buckets {
		st, err := w.runBucket(ctx, p, b.Name)
		total.add(st)
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return total, errors.Join(errs...)
}

// runBucket enforces the bucket's configuration, if it has one.
func (w *Worker) runBucket(ctx context.Context, p *pacer, bucket string) (Stats, error) {
	doc, err := w.store.BucketLifecycle(ctx, bucket)
	if errors.Is(err, object.ErrBucketNotFound) || err == nil && doc == nil {
		return Stats{}, nil
	}
	if err != nil {
		return Stats{}, fmt.Errorf("lifecycle: reading the configuration of %s: %w", bucket, err)
	}
	c, err := Parse(doc)
	if err != nil {
		return Stats{}, fmt.Errorf("lifecycle: the stored configuration of %s: %w", bucket, err)
	}
	b := &bucketPass{w: w, p: p, bucket: bucket, c: c, now: w.cfg.Now(),
		st: Stats{Buckets: 1}}
	errObjects := b.objects(ctx)
	errUploads := b.uploads(ctx)
	return b.st, errors.Join(errObjects, errUploads)
}

// pacer spaces out examinations to a rate per second, on the real clock.
type pacer struct {
	gap  time.Duration
	next time.Time
}

func newPacer(rate float64) *pacer {
	return &pacer{gap: time.Duration(float64(time.Second) / rate)}
}

// wait blocks until the next examination may start, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	d := p.next.Sub(now)
	p.next = p.next.Add(p.gap)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
