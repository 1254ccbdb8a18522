package pools

import (
	"context"
	"sync"
	"time"
)

// spaceCache keeps each pool's measured space for a while, so that
// placing an object does not ask every drive of every pool.
type spaceCache struct {
	pools []Pool
	ttl   time.Duration
	mu    sync.Mutex
	got   []Space
	err   []error
	at    []time.Time
}

func newSpaceCache(pools []Pool, ttl time.Duration) spaceCache {
	return spaceCache{pools: pools, ttl: ttl, got: make([]Space, len(pools)),
		err: make([]error, len(pools)), at: make([]time.Time, len(pools))}
}

// of returns pool i's space, measured again when the last figure is older
// than the TTL. Measuring happens outside the cache's lock.
func (c *spaceCache) of(ctx context.Context, i int) (Space, error) {
	c.mu.Lock()
	s, err, at := c.got[i], c.err[i], c.at[i]
	c.mu.Unlock()
	if !at.IsZero() && time.Since(at) < c.ttl {
		return s, err
	}
	if c.pools[i].Space == nil {
		return Space{}, nil
	}
	s, err = c.pools[i].Space(ctx)
	c.mu.Lock()
	c.got[i], c.err[i], c.at[i] = s, err, time.Now()
	c.mu.Unlock()
	return s, err
}

// mostFree returns the pool, not being decommissioned, with the most free
// space; the record pool when none could be measured. Ties go to the
// earlier pool.
func (l *Layers) mostFree(ctx context.Context) int {
	best, bestFree := l.record, uint64(0)
	for i, p := range l.pools {
		if p.Decommission {
			continue
		}
		s, err := l.space.of(ctx, i)
		if err == nil && s.Free > bestFree {
			best, bestFree = i, s.Free
		}
	}
	return best
}
