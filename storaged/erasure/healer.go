package erasure

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of HealerConfig.
const (
	// DefaultHealRate is how many objects per second the scanner and
	// sweeps check when HealerConfig.Rate is zero.
	DefaultHealRate = 100
	// DefaultScanInterval is the pause between two scanner cycles when
	// HealerConfig.ScanInterval is zero.
	DefaultScanInterval = time.Hour
	// DefaultHealQueue is the capacity of a HealQueue made with size 0.
	DefaultHealQueue = 10000
	// DefaultJobRetries is how many times a drive heal job retries the
	// objects it could not heal, when HealerConfig.JobRetries is zero.
	DefaultJobRetries = 3
	// maxFailures bounds every list of failures a Healer keeps.
	maxFailures = 1000
)

// ErrHealerClosed means the Healer was closed.
var ErrHealerClosed = errors.New("erasure: healer closed")

// HealQueue is a bounded queue of objects to heal, fed by Config.OnDegraded
// and drained by a Healer. Add never blocks: when the queue is full the
// object is dropped and counted; the scanner finds it later.
type HealQueue struct {
	ch    chan Degraded
	drops atomic.Uint64
}

// NewHealQueue returns a queue of size entries, DefaultHealQueue when
// size is 0 or less.
func NewHealQueue(size int) *HealQueue {
	if size <= 0 {
		size = DefaultHealQueue
	}
	return &HealQueue{ch: make(chan Degraded, size)}
}

// Add queues d and reports whether it fit. It is safe for concurrent use
// and returns at once, so it can serve as Config.OnDegraded.
func (q *HealQueue) Add(d Degraded) bool {
	select {
	case q.ch <- d:
		return true
	default:
		q.drops.Add(1)
		return false
	}
}

// Drops returns how many objects Add dropped because the queue was full.
func (q *HealQueue) Drops() uint64 { return q.drops.Load() }

// Len returns how many objects wait in the queue.
func (q *HealQueue) Len() int { return len(q.ch) }

// HealerConfig describes a Healer. Set is required.
type HealerConfig struct {
	// Set is the erasure set to heal.
	Set *Set
	// Queue, when set, is drained: each object in it is healed.
	Queue *HealQueue
	// Rate bounds the objects per second that the scanner and sweeps
	// check together; DefaultHealRate when zero.
	Rate float64
	// ScanInterval is the pause between two scanner cycles;
	// DefaultScanInterval when zero, and no scanner when negative.
	ScanInterval time.Duration
	// Lock, when set, is held around the healing of each object, on top of
	// the set's own per-node lock: a namespace lock across the nodes of a
	// tenant, so that no other node changes the key meanwhile.
	Lock func(ctx context.Context, bucket, key string) (unlock func(), err error)
	// JobRetries is how many times a drive heal job retries what failed;
	// DefaultJobRetries when zero, none when negative.
	JobRetries int
	// RetryDelay is the pause before a drive heal job retries; one second
	// when zero.
	RetryDelay time.Duration
	// CheckpointEvery is how many objects a drive heal job heals between
	// two saves of its checkpoint; 32 when zero.
	CheckpointEvery int
}

// Healer heals a set in the background: the objects its queue names, every
// object in cycles at a bounded rate (the scanner), whole replaced drives
// (drive heal jobs) and sweeps asked for by an operator. Its methods are
// safe for concurrent use.
type Healer struct {
	set     *Set
	queue   *HealQueue
	limiter *rate.Limiter
	cfg     HealerConfig

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	jobs   chan *driveJob

	scanned, healed, failed, bytes, cycles atomic.Uint64

	mu       sync.Mutex
	started  bool
	closed   bool
	sweeping bool
	recent   []HealFailure
	// unhealed holds the keys whose latest heal failed, by bucket and key,
	// until a later heal of the key succeeds.
	unhealed map[[2]string]struct{}
	driveJob []*driveJob
}

// NewHealer checks cfg and returns a Healer that does nothing until Start.
func NewHealer(cfg HealerConfig) (*Healer, error) {
	if cfg.Set == nil {
		return nil, errors.New("erasure: healer: Set is nil")
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("erasure: healer: rate %g objects per second is negative",
			cfg.Rate)
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultHealRate
	}
	if cfg.ScanInterval == 0 {
		cfg.ScanInterval = DefaultScanInterval
	}
	if cfg.JobRetries == 0 {
		cfg.JobRetries = DefaultJobRetries
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = 32
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Healer{set: cfg.Set, queue: cfg.Queue, cfg: cfg, ctx: ctx, cancel: cancel,
		limiter: rate.NewLimiter(rate.Limit(cfg.Rate), 1),
		jobs:    make(chan *driveJob, 256)}, nil
}

// Start starts the background work: draining the queue, the scanner and
// the drive heal jobs. Calling it again does nothing.
func (h *Healer) Start() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || h.closed {
		return
	}
	h.started = true
	if h.queue != nil {
		h.wg.Go(h.drainQueue)
	}
	if h.cfg.ScanInterval > 0 {
		h.wg.Go(h.scanLoop)
	}
	h.wg.Go(h.runJobs)
}

// Close stops the background work and waits for it. A drive heal job that
// is stopped resumes from its checkpoint when a new Healer runs it.
func (h *Healer) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	return nil
}

// drainQueue heals each object of the queue until the Healer closes.
func (h *Healer) drainQueue() {
	for {
		select {
		case <-h.ctx.Done():
			return
		case d := <-h.queue.ch:
			h.healDegraded(d)
		}
	}
}

// healDegraded heals what one OnDegraded report names: a key, or the
// bucket itself when the key is empty.
func (h *Healer) healDegraded(d Degraded) {
	if d.Key == "" {
		_, _ = h.set.HealBuckets(h.ctx)
		return
	}
	_, _ = h.Heal(h.ctx, d.Bucket, d.Key)
}

// Heal heals one key now, under the configured lock, and counts it in the
// progress.
func (h *Healer) Heal(ctx context.Context, bucket, key string) (HealResult, error) {
	if h.cfg.Lock != nil {
		unlock, err := h.cfg.Lock(ctx, bucket, key)
		if err != nil {
			err = fmt.Errorf("erasure: healing %s/%s: locking: %w", bucket, key, err)
			h.count(HealResult{Bucket: bucket, Key: key}, err)
			return HealResult{}, err
		}
		defer unlock()
	}
	res, err := h.set.HealObject(ctx, bucket, key)
	h.count(res, err)
	return res, err
}

// count adds one healed key to the progress counters.
func (h *Healer) count(res HealResult, err error) {
	if h.ctx.Err() != nil && err != nil {
		return // stopping: not a failure of the object
	}
	h.scanned.Add(1)
	h.bytes.Add(uint64(res.BytesHealed))
	failed := err != nil || res.Failed()
	switch {
	case failed:
		h.failed.Add(1)
		h.remember(HealFailure{Bucket: res.Bucket, Key: res.Key, Error: failureText(res, err)})
	case res.Healed():
		h.healed.Add(1)
	}
	h.mark(res.Bucket, res.Key, failed)
}

// maxUnhealed bounds the keys a Healer remembers as unhealed.
const maxUnhealed = 100_000

// mark records whether the latest heal of bucket/key failed.
func (h *Healer) mark(bucket, key string, failed bool) {
	k := [2]string{bucket, key}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !failed:
		delete(h.unhealed, k)
	case len(h.unhealed) < maxUnhealed:
		if h.unhealed == nil {
			h.unhealed = map[[2]string]struct{}{}
		}
		h.unhealed[k] = struct{}{}
	}
}

// remember keeps f among the most recent failures.
func (h *Healer) remember(f HealFailure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.recent) == maxFailures {
		h.recent = h.recent[1:]
	}
	h.recent = append(h.recent, f)
}

// failureText says why a key was not healed whole.
func failureText(res HealResult, err error) string {
	if err != nil {
		return err.Error()
	}
	var errs []error
	for _, d := range res.Drives {
		if d.State == HealFailed {
			errs = append(errs, d.Err)
		}
	}
	return errors.Join(errs...).Error()
}

// HealFailure is one object that healing could not heal, and why.
type HealFailure struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Error  string `json:"error"`
}

// HealProgress is what a Healer has done so far.
type HealProgress struct {
	// Scanned counts the objects checked (by the queue, the scanner,
	// sweeps and drive heal jobs), Healed those where some drive was
	// healed, Failed the heals that could not make an object whole (an
	// object counts again at each failed try).
	Scanned uint64 `json:"scanned"`
	Healed  uint64 `json:"healed"`
	Failed  uint64 `json:"failed"`
	// Unhealed counts the objects whose latest heal failed and that no
	// later heal has made whole (at most maxUnhealed): unlike Failed, it
	// goes down again, for a failure that a retry healed.
	Unhealed    uint64 `json:"unhealed"`
	BytesHealed uint64 `json:"bytesHealed"`
	// QueueDrops counts the objects the queue dropped when full;
	// QueueLength is how many wait in it.
	QueueDrops  uint64 `json:"queueDrops"`
	QueueLength int    `json:"queueLength"`
	// ScanCycles counts the scanner's finished cycles.
	ScanCycles uint64 `json:"scanCycles"`
	// Sweeping is true while a sweep asked for by Sweep runs.
	Sweeping bool `json:"sweeping"`
	// RecentFailures are the latest objects that failed, oldest first.
	RecentFailures []HealFailure `json:"recentFailures,omitempty"`
	// Drives are the drive heal jobs, in the order they were asked for.
	Drives []DriveHealProgress `json:"drives,omitempty"`
}

// Progress returns a snapshot of what the Healer has done.
func (h *Healer) Progress() HealProgress {
	p := HealProgress{
		Scanned:     h.scanned.Load(),
		Healed:      h.healed.Load(),
		Failed:      h.failed.Load(),
		BytesHealed: h.bytes.Load(),
		ScanCycles:  h.cycles.Load(),
	}
	if h.queue != nil {
		p.QueueDrops, p.QueueLength = h.queue.Drops(), h.queue.Len()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p.Sweeping = h.sweeping
	p.Unhealed = uint64(len(h.unhealed))
	p.RecentFailures = append([]HealFailure(nil), h.recent...)
	for _, j := range h.driveJob {
		p.Drives = append(p.Drives, j.progress())
	}
	return p
}
