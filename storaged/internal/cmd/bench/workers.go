package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// forEach calls fn(ctx, i) for every i in [0, n) from conc goroutines and
// waits for them. After the first error no new call starts, the ctx given
// to the calls in flight is canceled, and that error is returned.
func forEach(ctx context.Context, n, conc int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// timed runs fn and returns how long it took.
func timed(fn func() error) (time.Duration, error) {
	start := time.Now()
	err := fn()
	return time.Since(start), err
}

// errMismatch means bytes read back differ from the bytes written.
var errMismatch = errors.New("bench: the bytes read back differ from the bytes written")

// matcher is an io.Writer that checks what is written to it against want,
// in order, without keeping a copy.
type matcher struct {
	want []byte
	off  int
}

// Write fails with errMismatch on the first byte that differs from want
// or runs past its end.
func (m *matcher) Write(p []byte) (int, error) {
	if len(p) > len(m.want)-m.off || !bytes.Equal(p, m.want[m.off:m.off+len(p)]) {
		return 0, fmt.Errorf("%w at byte %d", errMismatch, m.off)
	}
	m.off += len(p)
	return len(p), nil
}

// done fails with errMismatch when fewer bytes than want were written.
func (m *matcher) done() error {
	if m.off != len(m.want) {
		return fmt.Errorf("%w: %d bytes, want %d", errMismatch, m.off, len(m.want))
	}
	return nil
}

// randomBytes returns n pseudo-random bytes, the same for the same seed.
// Random data keeps any compression on the way from flattering a figure.
func randomBytes(n int, seed uint64) []byte {
	var s [32]byte
	s[0] = byte(seed)
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(s).Read(b)
	return b
}
