package erasure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrSweepRunning means Sweep was called while a sweep still runs.
var ErrSweepRunning = errors.New("erasure: a heal sweep is already running")

// scanLoop runs scanner cycles, ScanInterval apart, until the Healer
// closes.
func (h *Healer) scanLoop() {
	for {
		if err := h.walk(h.ctx, "", "", h.scanOne); err == nil {
			h.cycles.Add(1)
		}
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(h.cfg.ScanInterval):
		}
	}
}

// scanOne checks and heals one key at the configured rate.
func (h *Healer) scanOne(ctx context.Context, bucket, key string) error {
	if err := h.limiter.Wait(ctx); err != nil {
		return err
	}
	_, _ = h.Heal(ctx, bucket, key)
	return nil
}

// Sweep starts a sweep now, in the background: every key of bucket (of
// every bucket when it is "") that starts with prefix is checked and
// healed, at the configured rate. It fails with ErrSweepRunning while
// another sweep runs and with ErrHealerClosed after Close.
func (h *Healer) Sweep(bucket, prefix string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return ErrHealerClosed
	case h.sweeping:
		return ErrSweepRunning
	}
	h.sweeping = true
	h.wg.Go(func() {
		_ = h.walk(h.ctx, bucket, prefix, h.scanOne)
		h.mu.Lock()
		h.sweeping = false
		h.mu.Unlock()
	})
	return nil
}

// walk calls fn with every key of bucket (every bucket when "") that
// starts with prefix, bucket by bucket in name order, until fn or the
// listing fails.
func (h *Healer) walk(ctx context.Context, bucket, prefix string,
	fn func(ctx context.Context, bucket, key string) error) error {
	buckets := []string{bucket}
	if bucket == "" {
		var err error
		if buckets, err = h.set.bucketNames(ctx); err != nil {
			return err
		}
	}
	for _, b := range buckets {
		if err := h.walkBucket(ctx, b, prefix, fn); err != nil {
			return err
		}
	}
	return nil
}

// walkBucket is walk for one bucket. It heals the bucket's configuration
// records first; what fails there is retried by the next walk.
func (h *Healer) walkBucket(ctx context.Context, bucket, prefix string,
	fn func(ctx context.Context, bucket, key string) error) error {
	_ = h.set.healBucketConfigs(ctx, bucket)
	dirs, err := h.set.objectDirs(ctx, bucket)
	if errors.Is(err, ErrBucketNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		key, ok := h.set.keyOf(ctx, bucket, dir)
		if !ok || !strings.HasPrefix(key, prefix) {
			continue
		}
		if err := fn(ctx, bucket, key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// bucketNames returns the names of the set's buckets in order.
func (s *Set) bucketNames(ctx context.Context) ([]string, error) {
	infos, err := s.ListBuckets(ctx)
	if err != nil {
		return nil, fmt.Errorf("erasure: listing buckets to heal: %w", err)
	}
	names := make([]string, len(infos))
	for i, b := range infos {
		names[i] = b.Name
	}
	return names, nil
}

// keyOf returns the key of an object directory, as any drive's meta file
// names it; false when no drive holds a meta file that checks out.
func (s *Set) keyOf(ctx context.Context, bucket, dir string) (string, bool) {
	metas, _ := s.readMetas(ctx, bucket, dir)
	for _, m := range metas {
		if m != nil {
			return m.Key, true
		}
	}
	return "", false
}
