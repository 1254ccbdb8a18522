package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// AccessKeyPublisher is a Provisioner that can hand a tenant's access keys
// to its storage nodes; the local provisioner is one. The reconciler calls
// it for one tenant at a time.
type AccessKeyPublisher interface {
	// PublishAccessKeys makes grants the whole set of access keys of the
	// tenant's nodes: a running node is told to reload them, a node that
	// does not run reads them when it starts. It returns the names of the
	// nodes that do not serve with grants yet (not running, or not told);
	// none means every node does. It is idempotent: a node that already
	// serves with grants is not told again.
	PublishAccessKeys(ctx context.Context, t *model.Tenant,
		grants []model.AccessKeyGrant) (pending []string, err error)
}

// Reasons of an access key whose tenant has no nodes left to tell.
const (
	reasonTenantGone     = "TenantGone"
	reasonTenantDeleting = "TenantDeleting"
)

// accessKeyPoll is how often an access key waits for its tenant's nodes to
// run.
const accessKeyPoll = 2 * time.Second

// reconcileAccessKey publishes the tenant's access keys, this one's change
// (or deletion) included, to every storage node of the tenant.
func (c *Controller) reconcileAccessKey(ctx context.Context, key string) (time.Duration,
	error) {
	a, _, err := registry.Get[model.AccessKey, model.AccessKeySpec](ctx, c.cfg.Store,
		model.KindAccessKey, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	t, pub, reason, err := c.accessKeyTenant(ctx, a.Spec.Tenant)
	switch {
	case a.Metadata.DeleteTime != nil && (reason == reasonTenantGone ||
		reason == reasonTenantDeleting):
		return 0, c.forgetAccessKey(ctx, key) // no nodes left to tell
	case err != nil:
		return 0, errors.Join(err, c.accessKeyStatus(ctx, a, false, reason, err.Error()))
	}
	c.accessKeysMu.Lock()
	defer c.accessKeysMu.Unlock()
	pending, err := c.publishAccessKeys(ctx, pub, t)
	if err != nil {
		return 0, errors.Join(err, c.accessKeyStatus(ctx, a, false, "PublishFailed",
			err.Error()))
	}
	if a.Metadata.DeleteTime != nil {
		return 0, c.forgetAccessKey(ctx, key)
	}
	if len(pending) > 0 {
		msg := fmt.Sprintf("waiting for node(s) %s of tenant %s to run with the key",
			strings.Join(pending, ", "), t.Metadata.Name)
		return accessKeyPoll, c.accessKeyStatus(ctx, a, false, "NodesPending", msg)
	}
	return 0, c.accessKeyStatus(ctx, a, true, "Published", publishedMessage(a, t))
}

// accessKeyTenant returns the tenant of an access key and its publisher.
// When either is missing it returns an error with the reason to report,
// and the tenant only when it exists and is not being deleted.
func (c *Controller) accessKeyTenant(ctx context.Context, name string) (*model.Tenant,
	AccessKeyPublisher, string, error) {
	t, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, c.cfg.Store,
		model.KindTenant, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, reasonTenantGone, fmt.Errorf("tenant %q does not exist", name)
	case err != nil:
		return nil, nil, "TenantUnavailable", err
	case t.Metadata.DeleteTime != nil:
		return nil, nil, reasonTenantDeleting, fmt.Errorf("tenant %q is being deleted", name)
	}
	prov, err := c.provisioner(ctx, t)
	if err != nil {
		return t, nil, "ClusterUnavailable", err
	}
	pub, ok := prov.(AccessKeyPublisher)
	if !ok {
		return t, nil, "Unsupported", fmt.Errorf("the cluster of tenant %q cannot hand "+
			"access keys to its storage nodes in this build", name)
	}
	return t, pub, "", nil
}

// publishAccessKeys hands every enabled, not deleted access key of the
// tenant to its nodes. The caller holds accessKeysMu, so that two keys of
// one tenant never publish different sets at once.
func (c *Controller) publishAccessKeys(ctx context.Context, pub AccessKeyPublisher,
	t *model.Tenant) ([]string, error) {
	keys, err := registry.List[model.AccessKey, model.AccessKeySpec](ctx, c.cfg.Store,
		model.KindAccessKey, registry.ChildPrefix(t.Metadata.Name), "", 0)
	if err != nil {
		return nil, err
	}
	return pub.PublishAccessKeys(ctx, t, accessKeyGrants(keys))
}

// accessKeyGrants returns the grants of the keys that the nodes should
// accept: not disabled, not being deleted, and with a key pair.
func accessKeyGrants(keys []*model.AccessKey) []model.AccessKeyGrant {
	grants := []model.AccessKeyGrant{}
	for _, a := range keys {
		if a.Spec.Disabled || a.Metadata.DeleteTime != nil || a.Status.AccessKeyID == "" ||
			a.Status.SecretAccessKey == "" {
			continue
		}
		grants = append(grants, a.Grant())
	}
	return grants
}

func publishedMessage(a *model.AccessKey, t *model.Tenant) string {
	if a.Spec.Disabled {
		return fmt.Sprintf("disabled: no node of tenant %s accepts the key", t.Metadata.Name)
	}
	return fmt.Sprintf("every node of tenant %s accepts the key, secret version %d",
		t.Metadata.Name, a.Spec.SecretVersion)
}

// accessKeyStatus records the outcome of one reconcile; a ready one also
// records the secret version that the nodes now have.
func (c *Controller) accessKeyStatus(ctx context.Context, a *model.AccessKey, ready bool,
	reason, msg string) error {
	gen, version := a.Metadata.Generation, a.Spec.SecretVersion
	degraded := ""
	if !ready && reason != "NodesPending" {
		degraded = msg
	}
	return setStatus(ctx, c.cfg.Store, model.KindAccessKey, registry.ChildKey(a.Spec.Tenant,
		a.Metadata.Name), func(a *model.AccessKey) {
		if ready {
			a.Status.SecretVersion = version
		}
		setConditions(&a.Status.Conditions, &a.Status.ObservedGeneration, gen, ready, reason,
			msg, degraded)
	})
}

// forgetAccessKey removes the record of an access key that no node
// accepts any more.
func (c *Controller) forgetAccessKey(ctx context.Context, key string) error {
	tenant, name := registry.SplitChildKey(key)
	c.cfg.Logger.Info("access key deleted", "tenant", tenant, "access_key", name)
	return ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindAccessKey, key,
		store.AnyRevision))
}
