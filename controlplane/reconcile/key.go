package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-storage/strata/controlplane/kms"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// KeyBackend keeps the material of the tenants' keys; kms.Builtin is one.
// Both methods are idempotent and safe for concurrent use.
type KeyBackend interface {
	// Reconcile makes sure the key has material and adds a version when
	// the policy says one is due.
	Reconcile(ctx context.Context, ref kms.KeyRef, p kms.Policy) (kms.State, error)
	// Delete removes every version of the named key's material.
	Delete(ctx context.Context, name string) error
}

var _ KeyBackend = (*kms.Builtin)(nil)

// minKeyRequeue keeps a key whose rotation is due very soon from being
// reconciled in a tight loop.
const minKeyRequeue = time.Second

func (c *Controller) reconcileKey(ctx context.Context, key string) (time.Duration, error) {
	k, _, err := registry.Get[model.Key, model.KeySpec](ctx, c.cfg.Store, model.KindKey, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if k.Metadata.DeleteTime != nil {
		return 0, c.deleteKey(ctx, key)
	}
	if c.cfg.Keys == nil || k.Spec.Backend != model.KeyBackendBuiltin {
		msg := fmt.Sprintf("no %s key backend in this control plane", k.Spec.Backend)
		return 0, c.keyStatus(ctx, k, kms.State{}, false, "Unsupported", msg, msg)
	}
	state, err := c.cfg.Keys.Reconcile(ctx, kms.KeyRef{Name: key, UID: k.Metadata.UID},
		keyPolicy(k.Spec))
	if err != nil {
		return 0, errors.Join(err, c.keyStatus(ctx, k, kms.State{}, false, "KeyBackendFailed",
			err.Error(), err.Error()))
	}
	if state.Rotated {
		c.cfg.Logger.Info("key rotated", "tenant", k.Spec.Tenant, "key", k.Metadata.Name,
			"version", state.Versions)
	}
	return keyRequeue(state), c.keyStatus(ctx, k, state, true, "Active", activeMessage(state), "")
}

// keyPolicy is the rotation policy a key's spec declares. The API has
// checked the period, so a bad one cannot be stored.
func keyPolicy(spec model.KeySpec) kms.Policy {
	p := kms.Policy{Generation: spec.RotationGeneration}
	if spec.RotationPeriod != "" {
		p.Period, _ = model.ParseRotationPeriod(spec.RotationPeriod)
	}
	return p
}

// keyRequeue is how long until the key must be looked at again for its
// next rotation; 0 leaves it to the resync.
func keyRequeue(s kms.State) time.Duration {
	if s.NextRotation.IsZero() {
		return 0
	}
	return max(time.Until(s.NextRotation), minKeyRequeue)
}

func activeMessage(s kms.State) string {
	msg := fmt.Sprintf("version %d is the current version, made at %s", s.Versions,
		s.LastRotation.Format(time.RFC3339))
	if !s.NextRotation.IsZero() {
		msg += "; the next rotation is due at " + s.NextRotation.Format(time.RFC3339)
	}
	return msg
}

// keyStatus records what the backend reported; versions and lastRotation
// are kept as they were when the backend could not tell.
func (c *Controller) keyStatus(ctx context.Context, k *model.Key, s kms.State, ready bool,
	reason, msg, degraded string) error {
	gen := k.Metadata.Generation
	return setStatus(ctx, c.cfg.Store, model.KindKey, registry.ChildKey(k.Spec.Tenant,
		k.Metadata.Name), func(k *model.Key) {
		if ready {
			k.Status.Versions = s.Versions
			k.Status.LastRotation = s.LastRotation
		}
		setConditions(&k.Status.Conditions, &k.Status.ObservedGeneration, gen, ready, reason,
			msg, degraded)
	})
}

// deleteKey removes the key's material, then its record.
func (c *Controller) deleteKey(ctx context.Context, key string) error {
	if err := c.deleteKeyMaterial(ctx, key); err != nil {
		return err
	}
	tenant, name := registry.SplitChildKey(key)
	c.cfg.Logger.Info("key deleted with its material", "tenant", tenant, "key", name)
	return ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindKey, key, store.AnyRevision))
}

// deleteKeyMaterial removes every version of a key's material, through the
// backend when there is one and straight from the store otherwise.
func (c *Controller) deleteKeyMaterial(ctx context.Context, key string) error {
	if c.cfg.Keys != nil {
		return c.cfg.Keys.Delete(ctx, key)
	}
	return ignoreNotFound(c.cfg.Store.Delete(ctx, kms.KindMaterial, key, store.AnyRevision))
}
