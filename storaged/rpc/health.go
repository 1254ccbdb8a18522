package rpc

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// health remembers whether a peer answered its last call, so that calls to
// a peer known to be down fail at once instead of each waiting for its own
// connect timeout. Its methods are safe for concurrent use.
type health struct {
	node  string
	retry time.Duration

	mu      sync.Mutex
	down    bool
	since   time.Time // when the peer went down
	lastErr error
	retryAt time.Time // when the next call may try the peer again
	probing bool      // a call is trying the peer now
}

// admit decides whether a call may go to the peer. While the peer is down
// it fails at once with drive.ErrDriveOffline, except for one call every
// retry interval, which is let through as a probe. A probe must end with
// succeeded, failed or abandoned.
func (h *health) admit() (probe bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return false, nil
	}
	if h.probing || time.Now().Before(h.retryAt) {
		return false, fmt.Errorf("%w: node %s unreachable since %s: %w", drive.ErrDriveOffline,
			h.node, h.since.Format(time.RFC3339), h.lastErr)
	}
	h.probing = true
	return true, nil
}

// succeeded records that the peer answered.
func (h *health) succeeded() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down, h.probing, h.lastErr = false, false, nil
}

// failed records that the peer could not be reached or broke a stream.
func (h *health) failed(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		h.since = time.Now()
	}
	h.down, h.probing, h.lastErr = true, false, err
	h.retryAt = time.Now().Add(h.retry)
}

// unreachable reports whether a failed exchange says the peer cannot be
// reached at a reasonable cost, so that calls should fail at once for a
// while: a timeout (connect, handshake, answer, or a stalled stream), a
// certificate that is not the peer's, or a connect that failed other than
// by refusal. A refused connection costs nothing to try again, and a node
// that is starting, or restarting on its port, must be used as soon as it
// listens; a reset or an early end of one exchange says nothing of the
// next, which dials afresh.
func unreachable(err error) bool {
	var ne net.Error
	var ce *tls.CertificateVerificationError
	var oe *net.OpError
	switch {
	case errors.Is(err, errStalled), errors.Is(err, ErrNotANode), errors.As(err, &ce):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	case errors.Is(err, syscall.ECONNREFUSED):
		return false
	case errors.As(err, &oe) && oe.Op == "dial":
		return true
	}
	return false
}

// abandoned ends a probe that gave no verdict (its caller gave up).
func (h *health) abandoned(probe bool) {
	if !probe {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.probing = false
}

// online reports whether the peer is not known to be unreachable.
func (h *health) online() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.down
}
