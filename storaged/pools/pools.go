package pools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// Pool is one pool of a tenant as the layer sees it.
type Pool struct {
	// Name and ID name the pool in status reports.
	Name string
	ID   string
	// Layer stores the pool's objects. Required.
	Layer object.Layer
	// Decommission marks a pool that takes no new objects and is drained.
	Decommission bool
	// Space, when set, measures the pool's drives; a pool without it
	// counts as having no free space.
	Space func(ctx context.Context) (Space, error)
	// Sets and Drives are reported in status only.
	Sets, Drives int
}

// Space is the room on a pool's drives, in bytes.
type Space struct {
	Total uint64
	Free  uint64
}

// Locker takes namespace locks that hold across the tenant's nodes, as
// sets.Locker and rpc.Locker: read shared, write exclusive, and returns
// the function that releases them.
type Locker interface {
	Lock(ctx context.Context, read, write []string) (unlock func(), err error)
}

// DefaultSpaceTTL is how long a pool's measured space is trusted.
const DefaultSpaceTTL = 5 * time.Second

// Config describes a Layers.
type Config struct {
	// Pools in the topology's order; at least one, and at least one not
	// being decommissioned.
	Pools []Pool
	// Locker, when set, orders changes across the tenant's nodes; without
	// it they are ordered on this node only.
	Locker Locker
	// SpaceTTL is how long a measured space is trusted (DefaultSpaceTTL).
	SpaceTTL time.Duration
	// DrainRunner names the node that runs Drain, for the status that
	// the other nodes report.
	DrainRunner string
}

// Layers is an object.Layer over several pools. Its methods are safe for
// concurrent use.
type Layers struct {
	pools  []Pool
	record int // the first pool not being decommissioned
	runner string
	locker Locker
	local  keyLocks // orders changes on this node when locker is nil
	space  spaceCache
	drains []*drainState // by pool; nil for a pool not being drained
}

// The layer implements the same capabilities as sets.Layers.
var (
	_ object.Layer                = (*Layers)(nil)
	_ object.Multipart            = (*Layers)(nil)
	_ object.ObjectTagger         = (*Layers)(nil)
	_ object.BucketTagger         = (*Layers)(nil)
	_ object.Versioned            = (*Layers)(nil)
	_ object.ObjectLocker         = (*Layers)(nil)
	_ object.BucketPolicyStore    = (*Layers)(nil)
	_ object.BucketCORSStore      = (*Layers)(nil)
	_ object.BucketLifecycleStore = (*Layers)(nil)
	_ object.BucketQuotaStore     = (*Layers)(nil)
	_ object.DriveReporter        = (*Layers)(nil)
	_ io.Closer                   = (*Layers)(nil)
)

// New checks cfg and returns the Layers it describes.
func New(cfg Config) (*Layers, error) {
	if len(cfg.Pools) == 0 {
		return nil, errors.New("pools: at least one pool is needed")
	}
	l := &Layers{pools: append([]Pool(nil), cfg.Pools...), record: -1,
		runner: cfg.DrainRunner, locker: cfg.Locker,
		drains: make([]*drainState, len(cfg.Pools))}
	for i, p := range l.pools {
		if p.Layer == nil {
			return nil, fmt.Errorf("pools: pool %d (%s) has no layer", i, p.Name)
		}
		if p.Decommission {
			l.drains[i] = &drainState{}
		} else if l.record < 0 {
			l.record = i
		}
	}
	if l.record < 0 {
		return nil, errors.New("pools: every pool is being decommissioned; keep at least one")
	}
	ttl := cfg.SpaceTTL
	if ttl <= 0 {
		ttl = DefaultSpaceTTL
	}
	l.space = newSpaceCache(l.pools, ttl)
	return l, nil
}

// single returns the only pool's layer, or nil when there are several.
func (l *Layers) single() object.Layer {
	if len(l.pools) == 1 {
		return l.pools[0].Layer
	}
	return nil
}

// recordLayer is the layer of the record pool.
func (l *Layers) recordLayer() object.Layer { return l.pools[l.record].Layer }

// each runs fn on every pool in parallel and returns their errors by pool.
func (l *Layers) each(fn func(i int, p object.Layer) error) []error {
	errs := make([]error, len(l.pools))
	var wg sync.WaitGroup
	for i := range l.pools {
		wg.Go(func() { errs[i] = fn(i, l.pools[i].Layer) })
	}
	wg.Wait()
	return errs
}

// Close closes every pool that is an io.Closer and returns their errors
// joined.
func (l *Layers) Close() error {
	var errs []error
	for _, p := range l.pools {
		if c, ok := p.Layer.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// DriveStates implements object.DriveReporter: the drives of every pool
// that reports them, in pool order.
func (l *Layers) DriveStates(ctx context.Context) []object.DriveState {
	var out []object.DriveState
	for _, p := range l.pools {
		if r, ok := p.Layer.(object.DriveReporter); ok {
			out = append(out, r.DriveStates(ctx)...)
		}
	}
	return out
}

// capability returns layer p as the optional capability T, or an error
// wrapping errors.ErrUnsupported when it lacks it.
func capability[T any](p object.Layer) (T, error) {
	c, ok := p.(T)
	if !ok {
		return c, fmt.Errorf("pools: %T lacks %T: %w", p, &c, errors.ErrUnsupported)
	}
	return c, nil
}
