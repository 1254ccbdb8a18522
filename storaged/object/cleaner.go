package object

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// cleaner aborts multipart uploads older than an expiry: once when the
// layer starts, then every interval, until stopped.
type cleaner struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// startCleaner starts l's cleaner with cfg's expiry, interval and report.
func startCleaner(l *ErasureLayer, cfg ErasureConfig) *cleaner {
	ctx, cancel := context.WithCancel(context.Background())
	c := &cleaner{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(cfg.CleanInterval)
		defer t.Stop()
		for {
			n, err := l.CleanStaleUploads(ctx, cfg.UploadExpiry)
			if cfg.OnClean != nil && ctx.Err() == nil {
				cfg.OnClean(n, err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return c
}

// stop ends the cleaner and waits for it.
func (c *cleaner) stop() {
	c.once.Do(c.cancel)
	<-c.done
}

// CleanStaleUploads aborts every multipart upload, in every bucket, that
// was initiated more than maxAge ago, and returns how many it aborted. It
// carries on past a bucket that fails and returns every failure joined.
func (l *ErasureLayer) CleanStaleUploads(ctx context.Context, maxAge time.Duration) (int, error) {
	buckets, err := l.set.ListBuckets(ctx)
	if err != nil {
		return 0, fmt.Errorf("object: cleaning stale uploads: %w", mapErr(err))
	}
	cutoff := time.Now().Add(-maxAge)
	aborted := 0
	var errs []error
	for _, b := range buckets {
		n, err := l.cleanBucket(ctx, b.Name, cutoff)
		aborted += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return aborted, errors.Join(errs...)
}

// cleanBucket aborts the bucket's uploads initiated before cutoff.
func (l *ErasureLayer) cleanBucket(ctx context.Context, bucket string,
	cutoff time.Time) (int, error) {
	ups, err := l.set.ListUploads(ctx, bucket)
	if err != nil {
		return 0, fmt.Errorf("object: listing the uploads of %s: %w", bucket, mapErr(err))
	}
	n := 0
	for _, u := range ups {
		if !u.Initiated.Before(cutoff) {
			continue
		}
		if err := l.set.AbortUpload(ctx, bucket, u.UploadID); err != nil &&
			!errors.Is(mapErr(err), ErrNoSuchUpload) {
			return n, fmt.Errorf("object: aborting stale upload %s of %s/%s: %w",
				u.UploadID, bucket, u.Key, mapErr(err))
		}
		n++
	}
	return n, nil
}
