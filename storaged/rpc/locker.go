package rpc

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Defaults of LockerConfig.
const (
	DefaultLockTTL  = 30 * time.Second
	DefaultLockWait = 30 * time.Second
)

// lockCallTimeout bounds one grant or release on one peer.
const lockCallTimeout = 2 * time.Second

// ErrLockTimeout means a majority of the tenant's nodes did not grant a
// lock within LockerConfig.Wait.
var ErrLockTimeout = errors.New("rpc: namespace lock not granted by a majority of nodes")

// ErrLockQuorum means fewer than a majority of the tenant's nodes answer,
// so no lock can be had until more come back.
var ErrLockQuorum = errors.New("rpc: too few nodes answer to take a namespace lock")

// errLocked is a peer's answer that another holder has a name.
var errLocked = errors.New("rpc: name locked by another holder")

// LockerConfig describes the nodes whose LockTables make up the tenant's
// namespace locks. Local is required; zero durations take their defaults.
type LockerConfig struct {
	// Local is this node's lock table, also served to the peers.
	Local *LockTable
	// Peers are the tenant's other nodes.
	Peers []*Peer
	// TTL is how long a hold lives on a node without being renewed; a held
	// lock is renewed every TTL/3 (DefaultLockTTL).
	TTL time.Duration
	// Wait is how long Lock keeps trying (DefaultLockWait).
	Wait time.Duration
}

// Locker takes namespace locks on a majority of the tenant's nodes, in the
// manner of a quorum lock: a name is held when more than half the nodes
// granted it, so two holders on different nodes can never hold the same
// name for writing at once. Holds are renewed while held and expire on
// their own when their holder dies. Its methods are safe for concurrent
// use.
type Locker struct {
	cfg    LockerConfig
	quorum int
}

// NewLocker checks cfg and returns the Locker it describes.
func NewLocker(cfg LockerConfig) (*Locker, error) {
	if cfg.Local == nil {
		return nil, errors.New("rpc: a locker needs this node's lock table")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultLockTTL
	}
	if cfg.Wait <= 0 {
		cfg.Wait = DefaultLockWait
	}
	return &Locker{cfg: cfg, quorum: (len(cfg.Peers)+1)/2 + 1}, nil
}

// Lock holds read for reading and write for writing on a majority of the
// nodes. While other holders have the names it tries again, until ctx ends
// or the Locker's Wait passes (then the error wraps ErrLockTimeout); when
// fewer than a majority of nodes answer at all it fails at once with an
// error wrapping ErrLockQuorum. It returns the function that releases the
// lock, which must be called once the guarded work is done.
func (l *Locker) Lock(ctx context.Context, read, write []string) (func(), error) {
	holder := crand.Text()
	deadline := time.Now().Add(l.cfg.Wait)
	backoff := time.Millisecond
	for {
		votes := l.grantAll(ctx, holder, read, write)
		granted, answered := votes.count()
		if granted >= l.quorum {
			return l.hold(holder, read, write), nil
		}
		l.releaseAll(holder, read, write, votes.mayHold())
		switch {
		case answered < l.quorum:
			return nil, fmt.Errorf("%w: %d of %d nodes answer; %d needed", ErrLockQuorum,
				answered, len(votes), l.quorum)
		case time.Now().After(deadline):
			return nil, fmt.Errorf("%w: %d of %d nodes granted read %q, write %q; %d needed",
				ErrLockTimeout, granted, len(votes), read, write, l.quorum)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("rpc: waiting for lock %q: %w", write, ctx.Err())
		case <-time.After(backoff/2 + rand.N(backoff)):
		}
		backoff = min(2*backoff, 64*time.Millisecond)
	}
}

// vote is one node's answer to a grant.
type vote int

const (
	voteSilent  vote = iota // no answer: it may or may not hold the lock
	voteRefused             // another holder has a name
	voteGranted
)

// votes are the nodes' answers, this node's first.
type votes []vote

// count returns how many nodes granted and how many answered.
func (vs votes) count() (granted, answered int) {
	for _, v := range vs {
		if v == voteGranted {
			granted++
		}
		if v != voteSilent {
			answered++
		}
	}
	return granted, answered
}

// mayHold returns, by node, whether it may hold the lock: it granted it,
// or its answer was lost.
func (vs votes) mayHold() []bool {
	out := make([]bool, len(vs))
	for i, v := range vs {
		out[i] = v != voteRefused
	}
	return out
}

// grantAll asks every node for the holds, this one first.
func (l *Locker) grantAll(ctx context.Context, holder string, read, write []string) votes {
	vs := make(votes, len(l.cfg.Peers)+1)
	vs[0] = voteRefused
	if l.cfg.Local.Grant(holder, read, write, l.cfg.TTL) {
		vs[0] = voteGranted
	}
	var wg sync.WaitGroup
	for i, p := range l.cfg.Peers {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, lockCallTimeout)
			defer cancel()
			ok, err := p.grant(cctx, holder, read, write, l.cfg.TTL)
			switch {
			case err != nil:
				vs[i+1] = voteSilent
			case ok:
				vs[i+1] = voteGranted
			default:
				vs[i+1] = voteRefused
			}
		})
	}
	wg.Wait()
	return vs
}

// releaseAll releases the holds on the nodes marked in which.
func (l *Locker) releaseAll(holder string, read, write []string, which []bool) {
	names := append(append([]string(nil), read...), write...)
	if which[0] {
		l.cfg.Local.Release(holder, names)
	}
	var wg sync.WaitGroup
	for i, p := range l.cfg.Peers {
		if !which[i+1] {
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), lockCallTimeout)
			defer cancel()
			_ = p.release(ctx, holder, names)
		})
	}
	wg.Wait()
}

// hold renews a granted lock every TTL/3 until the returned function
// releases it everywhere.
//
// TODO: a holder that loses its majority while renewing (a partition)
// keeps working under a lock it no longer holds; the guarded work should
// be told to stop.
func (l *Locker) hold(holder string, read, write []string) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(l.cfg.TTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				l.grantAll(context.Background(), holder, read, write)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			all := make([]bool, len(l.cfg.Peers)+1)
			for i := range all {
				all[i] = true
			}
			l.releaseAll(holder, read, write, all)
		})
	}
}

// grant asks the peer for holds; it returns false when another holder has
// one of the names.
func (p *Peer) grant(ctx context.Context, holder string, read, write []string,
	ttl time.Duration) (bool, error) {
	q := url.Values{paramHolder: {holder}, paramRead: read, paramWrite: write,
		paramTTL: {strconv.FormatInt(ttl.Milliseconds(), 10)}}
	err := p.exec(ctx, http.MethodPost, opLock, q, "locking on "+p.cfg.Node)
	if errors.Is(err, errLocked) {
		return false, nil
	}
	return err == nil, err
}

// release drops holder's holds on names at the peer.
func (p *Peer) release(ctx context.Context, holder string, names []string) error {
	q := url.Values{paramHolder: {holder}, paramWrite: names}
	return p.exec(ctx, http.MethodPost, opUnlock, q, "unlocking on "+p.cfg.Node)
}
