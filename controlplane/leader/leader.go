// Package leader decides which control-plane replica runs the reconcile
// loops. Every replica serves the API, since writes go to the shared
// store, but only the leader acts on them, so that two replicas never
// start the same storage node twice.
//
// With the embedded bbolt store there is one replica, which always leads.
// With etcd, replicas campaign through etcd's election recipe; a leader
// that loses its lease (it hangs, crashes or loses etcd) loses the
// leadership context within the lease's TTL.
package leader

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// Elector grants leadership.
type Elector interface {
	// Lead blocks until this replica leads or ctx ends, and returns a
	// context that is cancelled when the leadership is lost or ctx ends.
	Lead(ctx context.Context) (context.Context, error)
}

// Alone is the Elector of a single replica: it always leads.
type Alone struct{}

// Lead implements Elector.
func (Alone) Lead(ctx context.Context) (context.Context, error) { return ctx, ctx.Err() }

// Etcd campaigns for leadership in etcd.
type Etcd struct {
	client *clientv3.Client
	key    string
	id     string
	ttl    time.Duration
}

var _ Elector = (*Etcd)(nil)

// NewEtcd returns an Elector that campaigns under key as id (a name that
// says which replica leads, such as its address). ttl bounds how long a
// dead leader keeps the leadership; it is rounded to whole seconds, at
// least one.
func NewEtcd(c *clientv3.Client, key, id string, ttl time.Duration) *Etcd {
	return &Etcd{client: c, key: key, id: id, ttl: ttl}
}

// Lead implements Elector.
func (e *Etcd) Lead(ctx context.Context) (context.Context, error) {
	ttl := max(int(e.ttl.Seconds()), 1)
	s, err := concurrency.NewSession(e.client, concurrency.WithTTL(ttl),
		concurrency.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("leader: opening an etcd session: %w", err)
	}
	el := concurrency.NewElection(s, e.key)
	if err := el.Campaign(ctx, e.id); err != nil {
		s.Close()
		return nil, fmt.Errorf("leader: campaigning: %w", err)
	}
	lctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-s.Done(): // the lease expired: someone else may lead now
		case <-lctx.Done():
			rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = el.Resign(rctx)
			rcancel()
			s.Close()
		}
	}()
	return lctx, nil
}
