// Package reconcile holds the control plane's reconcile loops, one per
// resource kind. Each loop reads a resource's spec from the store, brings
// the world towards it (through a Provisioner for tenants, through the
// tenant's S3 API for buckets, through a KeyBackend for keys, through the
// target's S3 API for tiers, through the provisioner's AccessKeyPublisher
// for access keys) and records what it saw in the resource's status and
// conditions.
//
// Every step is idempotent and safe to repeat after a crash: the loops keep
// no state of their own beyond their work queues, which a periodic resync
// refills from the store. The loops never serve requests and never decide
// what a request may do; that is the API's job.
package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// Config is what a Controller needs.
type Config struct {
	Store store.Store
	// Provisioners maps a cluster kind to the provisioner that runs its
	// tenants.
	Provisioners map[string]provision.Provisioner
	// Keys keeps the material of the tenants' builtin keys; nil reports
	// every key as not ready.
	Keys   KeyBackend
	Logger hclog.Logger
	// Resync is how often every resource is reconciled even when nothing
	// asked for it, which is how drift is found. Zero means 15 seconds.
	Resync time.Duration
	// Workers is the number of workers per kind. Zero means 2.
	Workers int
}

// Controller runs the reconcile loops.
type Controller struct {
	cfg    Config
	queues map[string]*queue
	funcs  map[string]func(context.Context, string) (time.Duration, error)
	s3     *s3Clients
	// accessKeysMu keeps two access keys from publishing their tenant's
	// keys at once, each with a list that misses the other's change.
	accessKeysMu sync.Mutex
}

// New returns a Controller; call Run to start it.
func New(cfg Config) *Controller {
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.Resync == 0 {
		cfg.Resync = 15 * time.Second
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	c := &Controller{cfg: cfg, queues: map[string]*queue{}, s3: newS3Clients()}
	c.funcs = map[string]func(context.Context, string) (time.Duration, error){
		model.KindCluster:   c.reconcileCluster,
		model.KindTenant:    c.reconcileTenant,
		model.KindBucket:    c.reconcileBucket,
		model.KindKey:       c.reconcileKey,
		model.KindTier:      c.reconcileTier,
		model.KindAccessKey: c.reconcileAccessKey,
	}
	for kind := range c.funcs {
		c.queues[kind] = newQueue()
	}
	return c
}

// Notify queues a resource for reconciling now. It never blocks.
func (c *Controller) Notify(kind, name string) {
	if q, ok := c.queues[kind]; ok {
		q.add(name, 0)
	}
}

// Run works the queues until ctx ends, resyncing every resource
// periodically. It may be called again after it returns, as a replica
// that lost the leadership and won it back does.
func (c *Controller) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for kind, q := range c.queues {
		for range c.cfg.Workers {
			wg.Go(func() { c.work(ctx, kind, q) })
		}
	}
	if w, ok := c.cfg.Store.(store.Watcher); ok {
		wg.Go(func() { c.watch(ctx, w) })
	}
	c.resync(ctx)
	t := time.NewTicker(c.cfg.Resync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			c.resync(ctx)
		}
	}
}

func (c *Controller) work(ctx context.Context, kind string, q *queue) {
	for {
		name, ok := q.next(ctx)
		if !ok {
			return
		}
		requeue, err := c.funcs[kind](ctx, name)
		if err != nil && ctx.Err() == nil {
			c.cfg.Logger.Warn("reconcile failed", "kind", kind, "name", name, "error", err)
		}
		q.done(name, requeue, err)
	}
}

// watch queues every resource that another replica writes, so that a
// write through any replica's API is acted on at once.
func (c *Controller) watch(ctx context.Context, w store.Watcher) {
	for ctx.Err() == nil {
		err := w.Watch(ctx, c.Notify)
		if err != nil && ctx.Err() == nil {
			c.cfg.Logger.Warn("watching the store failed; retrying", "error", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

// resync queues every stored resource.
func (c *Controller) resync(ctx context.Context) {
	for kind := range c.queues {
		recs, err := c.cfg.Store.List(ctx, kind, "", "", 0)
		if err != nil {
			c.cfg.Logger.Error("resync: listing failed", "kind", kind, "error", err)
			continue
		}
		for _, r := range recs {
			c.Notify(kind, r.Name)
		}
	}
}

// setStatus applies change to the stored resource and writes it only when
// something changed, so that a steady resource keeps its ETag.
func setStatus[T any, S any, P registry.Ptr[T, S]](ctx context.Context, st store.Store,
	kind, name string, change func(P)) error {
	_, err := registry.Update[T, S, P](ctx, st, kind, name, func(obj P) error {
		before, _ := json.Marshal(obj)
		change(obj)
		after, _ := json.Marshal(obj)
		if string(before) == string(after) {
			return registry.ErrNoChange
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile: nothing to report on
	}
	return err
}

// setConditions records the outcome of one reconcile of generation gen:
// Ready with its reason and message, Reconciling as its opposite while not
// ready, and Degraded when degraded is not empty.
func setConditions(conds *model.Conditions, observed *int64, gen int64, ready bool,
	reason, message, degraded string) {
	now := time.Now().UTC()
	status := func(b bool) string {
		if b {
			return model.StatusTrue
		}
		return model.StatusFalse
	}
	*conds = conds.Set(model.Condition{Type: model.ConditionReady, Status: status(ready),
		Reason: reason, Message: message, ObservedGeneration: gen}, now)
	recMsg := ""
	if !ready {
		recMsg = message
	}
	*conds = conds.Set(model.Condition{Type: model.ConditionReconciling, Status: status(!ready),
		Reason: reason, Message: recMsg, ObservedGeneration: gen}, now)
	degReason := "AsExpected"
	if degraded != "" {
		degReason = reason
	}
	*conds = conds.Set(model.Condition{Type: model.ConditionDegraded,
		Status: status(degraded != ""), Reason: degReason, Message: degraded,
		ObservedGeneration: gen}, now)
	if ready {
		*observed = gen
	}
}
