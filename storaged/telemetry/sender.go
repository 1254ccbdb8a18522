package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// sender owns one target's queue and the goroutine that empties it.
type sender struct {
	stream  string
	target  Target
	cfg     Config
	queue   chan []byte
	closing <-chan struct{}
	done    chan struct{}
	// post sends one batch and says which records to try again and how
	// many the target refused for good; the rest were sent.
	post func(ctx context.Context, batch [][]byte) outcome

	sent, dropped, failed atomic.Uint64

	mu           sync.Mutex
	lastReported time.Time
}

// startSender starts the goroutine of target t; it runs until closing is
// closed and the queue is empty, or ctx ends.
func startSender(ctx context.Context, cfg Config, stream string, t Target,
	closing <-chan struct{}) *sender {
	sd := &sender{stream: stream, target: t, cfg: cfg, closing: closing,
		queue: make(chan []byte, cfg.QueueSize), done: make(chan struct{})}
	if t.Type == TypeElasticsearch {
		sd.post = sd.postBulk
	} else {
		sd.post = sd.postWebhook
	}
	go sd.run(ctx)
	return sd
}

// enqueue queues one record, or drops and counts it when the queue is full
// or the shipper is closing.
func (sd *sender) enqueue(record []byte) {
	select {
	case <-sd.closing:
		sd.dropped.Add(1)
		return
	default:
	}
	select {
	case sd.queue <- record:
	default:
		sd.dropped.Add(1)
	}
}

// batchSize is how many records one request carries.
func (sd *sender) batchSize() int {
	if sd.target.Type == TypeElasticsearch {
		return sd.cfg.BatchSize
	}
	return 1
}

// run sends batches until closing and an empty queue, or ctx's end; the
// records left then are counted as dropped.
func (sd *sender) run(ctx context.Context) {
	defer close(sd.done)
	defer func() { sd.dropped.Add(uint64(len(sd.queue))) }()
	for ctx.Err() == nil {
		batch := sd.next(ctx)
		if len(batch) == 0 {
			return
		}
		sd.deliver(ctx, batch)
	}
}

// next waits for a first record, then gathers more up to the batch size
// until FlushInterval has passed; once closing, it takes only what is
// queued. An empty batch means there is nothing more to send.
func (sd *sender) next(ctx context.Context) [][]byte {
	var batch [][]byte
	select {
	case r := <-sd.queue:
		batch = append(batch, r)
	case <-sd.closing:
		return sd.drain(batch)
	case <-ctx.Done():
		return nil
	}
	if len(batch) >= sd.batchSize() {
		return batch
	}
	timer := time.NewTimer(sd.cfg.FlushInterval)
	defer timer.Stop()
	for len(batch) < sd.batchSize() {
		select {
		case r := <-sd.queue:
			batch = append(batch, r)
		case <-timer.C:
			return batch
		case <-sd.closing:
			return sd.drain(batch)
		case <-ctx.Done():
			return batch
		}
	}
	return batch
}

// drain adds what is queued now to batch, up to the batch size.
func (sd *sender) drain(batch [][]byte) [][]byte {
	for len(batch) < sd.batchSize() {
		select {
		case r := <-sd.queue:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// deliver posts batch, trying again with a doubling backoff what the
// target did not take, and counts the outcome.
func (sd *sender) deliver(ctx context.Context, batch [][]byte) {
	pause := sd.cfg.Backoff
	for try := 1; ; try++ {
		o := sd.post(ctx, batch)
		sd.sent.Add(uint64(len(batch) - len(o.retry) - o.refused))
		sd.fail(o.refused, o.err)
		if len(o.retry) == 0 {
			return
		}
		batch = o.retry
		if try >= sd.cfg.Tries || !sleep(ctx, pause) {
			sd.fail(len(batch), o.err)
			return
		}
		pause *= 2
	}
}

// fail counts n records as failed and reports err.
func (sd *sender) fail(n int, err error) {
	if n == 0 {
		return
	}
	sd.failed.Add(uint64(n))
	sd.report(n, err)
}

// sleep waits d or until ctx ends, and reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// report warns of failed records on Config.Logger, at most once a minute.
func (sd *sender) report(n int, err error) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	now := time.Now()
	if !sd.lastReported.IsZero() && now.Sub(sd.lastReported) < failureReportInterval {
		return
	}
	sd.lastReported = now
	sd.cfg.Logger.Warn("telemetry records failed; later failures are only counted "+
		"(strata_telemetry_records_total) until a minute has passed",
		"stream", sd.stream, "target", sd.target.Label(), "records", n, "error", err)
}
