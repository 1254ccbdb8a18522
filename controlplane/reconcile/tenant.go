package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// startingPoll is how often a tenant whose nodes are starting is checked.
const startingPoll = 300 * time.Millisecond

// decommissionPoll is how often the progress of a pool's decommission is
// asked for; the pool is removed at the first poll that finds it drained.
const decommissionPoll = 2 * time.Second

func (c *Controller) reconcileTenant(ctx context.Context, name string) (time.Duration, error) {
	t, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, c.cfg.Store,
		model.KindTenant, name)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	prov, err := c.provisioner(ctx, t)
	if err != nil {
		return 0, c.tenantFailed(ctx, t, "ClusterUnavailable", err)
	}
	if t.Metadata.DeleteTime != nil {
		return 0, c.deleteTenant(ctx, prov, t)
	}
	obs, err := prov.Ensure(ctx, t)
	if err != nil {
		return 0, c.tenantFailed(ctx, t, "ProvisionFailed", err)
	}
	if err := c.recordTenant(ctx, t, obs); err != nil {
		return 0, err
	}
	if obs.Restarted { // back off: the node may fail again at once
		return 0, fmt.Errorf("tenant %s: %s", name, obs.Message)
	}
	if !obs.Ready {
		return startingPoll, nil
	}
	if obs.Decommissioning != "" {
		return decommissionPoll, nil
	}
	return 0, nil
}

// provisioner returns the provisioner of the tenant's cluster.
func (c *Controller) provisioner(ctx context.Context,
	t *model.Tenant) (provision.Provisioner, error) {
	cl, _, err := registry.Get[model.Cluster, model.ClusterSpec](ctx, c.cfg.Store,
		model.KindCluster, t.Spec.Cluster)
	if err != nil {
		return nil, fmt.Errorf("cluster %q: %w", t.Spec.Cluster, err)
	}
	p, ok := c.cfg.Provisioners[cl.Spec.Kind]
	if !ok {
		return nil, fmt.Errorf("no provisioner for clusters of kind %q", cl.Spec.Kind)
	}
	return p, nil
}

func (c *Controller) recordTenant(ctx context.Context, t *model.Tenant,
	obs provision.Observed) error {
	gen := t.Metadata.Generation
	wasReady := t.Status.Conditions.IsTrue(model.ConditionReady)
	err := setStatus(ctx, c.cfg.Store, model.KindTenant, t.Metadata.Name, func(t *model.Tenant) {
		s := &t.Status
		s.Endpoint, s.CABundle, s.Nodes = obs.Endpoint, obs.CABundle, obs.Nodes
		s.RootCredentials = &obs.Credentials
		s.DrivesOnline = 0
		for _, n := range obs.Nodes {
			s.DrivesOnline += n.DrivesOnline
		}
		s.DrivesOffline = max(0, obs.Drives-s.DrivesOnline)
		if obs.Pools != nil {
			s.Pools = obs.Pools
		}
		setProgress(&s.Conditions, gen, obs)
		if !obs.CertNotAfter.IsZero() {
			s.CertificateExpiry = obs.CertNotAfter.UTC().Format(time.RFC3339)
		}
		if !obs.CAExpiry.IsZero() {
			s.CAExpiry = obs.CAExpiry.UTC().Format(time.RFC3339)
		}
		if obs.Healing != nil {
			s.Healing = obs.Healing
		}
		if obs.Ready && obs.TLSExpired {
			setConditions(&s.Conditions, &s.ObservedGeneration, gen, false,
				"CertificateExpired", obs.TLSWarning, obs.TLSWarning)
			return
		}
		if obs.Ready {
			reason, msg := "DrivesOffline", offlineMessage(obs.OfflineDrives)
			if msg == "" && obs.TLSWarning != "" {
				reason, msg = "CertificateExpiring", obs.TLSWarning
			}
			if heal := healingMessage(obs.Healing); msg == "" && heal != "" {
				reason, msg = "HealingDrives", heal
			}
			if msg == "" && decommissionReason(obs.Pools) == "DrainFailed" {
				reason, msg = "DrainFailed", obs.Decommissioning
			}
			setConditions(&s.Conditions, &s.ObservedGeneration, gen, true, "Running",
				fmt.Sprintf("%d node(s) serving S3 at %s", len(obs.Nodes), obs.Endpoint), msg)
			if msg != "" {
				s.Conditions.Get(model.ConditionDegraded).Reason = reason
			}
			return
		}
		reason, degraded := "NodesStarting", degradedIf(wasReady, obs.Message)
		if obs.Restarting != "" {
			reason, degraded = "NodesRestarting", ""
		}
		if obs.Restarted {
			reason, degraded = "NodeRestarted", obs.Message
		}
		setConditions(&s.Conditions, &s.ObservedGeneration, gen, false, reason,
			obs.Message, degraded)
	})
	if err == nil && obs.Ready && !wasReady {
		c.cfg.Logger.Info("tenant ready", "tenant", t.Metadata.Name, "endpoint", obs.Endpoint)
		c.notifyBuckets(ctx, t.Metadata.Name)
	}
	return err
}

// setProgress records the tenant's Progressing condition (True while its
// nodes restart to take new settings or pools) and its Decommissioning
// condition (True while removed pools are drained, with the counts).
func setProgress(conds *model.Conditions, gen int64, obs provision.Observed) {
	now := time.Now().UTC()
	progressing := model.Condition{Type: model.ConditionProgressing, Status: model.StatusFalse,
		Reason: "AsExpected", ObservedGeneration: gen}
	if obs.Restarting != "" {
		progressing.Status, progressing.Reason = model.StatusTrue, "NodesRestarting"
		progressing.Message = obs.Restarting
	}
	*conds = conds.Set(progressing, now)
	decom := model.Condition{Type: model.ConditionDecommissioning, Status: model.StatusFalse,
		Reason: "NoPoolLeaving", ObservedGeneration: gen}
	if obs.Decommissioning != "" {
		decom.Status, decom.Reason = model.StatusTrue, decommissionReason(obs.Pools)
		decom.Message = obs.Decommissioning
	}
	*conds = conds.Set(decom, now)
}

// decommissionReason sums up the decommissioning pools: PoolsRemoved once
// drained ones were removed, DrainFailed when a pass left objects behind,
// PoolsDraining otherwise.
func decommissionReason(pools []model.PoolStatus) string {
	reason := "PoolsDraining"
	for _, ps := range pools {
		switch {
		case ps.State == model.PoolRemoved:
			return "PoolsRemoved"
		case ps.Decommission != nil && ps.Decommission.State == model.DecommissionFailed:
			reason = "DrainFailed"
		}
	}
	return reason
}

// healingMessage says which drives are being rebuilt, or "" when none is:
// until they are, the tenant has less redundancy than it declares.
func healingMessage(h *model.TenantHealing) string {
	if h == nil {
		return ""
	}
	var jobs []string
	for _, j := range h.DriveJobs {
		if j.Pending() {
			jobs = append(jobs, fmt.Sprintf("%s:%s %d/%d objects", j.Node, j.Drive, j.Done,
				j.Total))
		}
	}
	if len(jobs) == 0 {
		return ""
	}
	return fmt.Sprintf("rebuilding %d drive(s) (%s): the tenant has less redundancy until "+
		"they are done", len(jobs), strings.Join(jobs, ", "))
}

// offlineMessage says which drives are offline, or "" when none is.
func offlineMessage(drives []string) string {
	if len(drives) == 0 {
		return ""
	}
	return fmt.Sprintf("%d drive(s) offline (%s): the tenant serves on quorum with less "+
		"redundancy; replace the drive: the node formats and rebuilds an empty one by "+
		"itself", len(drives), strings.Join(drives, ", "))
}

// degradedIf returns msg when a resource that was ready is no longer.
func degradedIf(wasReady bool, msg string) string {
	if wasReady {
		return msg
	}
	return ""
}

func (c *Controller) tenantFailed(ctx context.Context, t *model.Tenant, reason string,
	cause error) error {
	msg := cause.Error()
	gen := t.Metadata.Generation
	err := setStatus(ctx, c.cfg.Store, model.KindTenant, t.Metadata.Name, func(t *model.Tenant) {
		setConditions(&t.Status.Conditions, &t.Status.ObservedGeneration, gen, false,
			reason, msg, msg)
	})
	return errors.Join(cause, err)
}

// deleteTenant stops the tenant's nodes, removes its data and then the
// records of what it owns (buckets, tiers, keys with their material) and
// its own.
func (c *Controller) deleteTenant(ctx context.Context, prov provision.Provisioner,
	t *model.Tenant) error {
	name := t.Metadata.Name
	if err := prov.Destroy(ctx, name); err != nil {
		return c.tenantFailed(ctx, t, "DeleteFailed", err)
	}
	if err := c.deleteChildren(ctx, name); err != nil {
		return err
	}
	c.s3.forget(tenantClientID(name))
	c.cfg.Logger.Info("tenant deleted", "tenant", name)
	return ignoreNotFound(c.cfg.Store.Delete(ctx, model.KindTenant, name, store.AnyRevision))
}

func (c *Controller) notifyBuckets(ctx context.Context, tenant string) {
	recs, err := c.cfg.Store.List(ctx, model.KindBucket, tenant+"/", "", 0)
	if err != nil {
		return
	}
	for _, r := range recs {
		c.Notify(model.KindBucket, r.Name)
	}
}

// deleteChildren removes the records of every resource the tenant owns. A
// key's material goes before its record, so that no material outlives it.
func (c *Controller) deleteChildren(ctx context.Context, tenant string) error {
	for _, kind := range []string{model.KindBucket, model.KindTier, model.KindKey,
		model.KindAccessKey} {
		recs, err := c.cfg.Store.List(ctx, kind, registry.ChildPrefix(tenant), "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := c.deleteChild(ctx, kind, r.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Controller) deleteChild(ctx context.Context, kind, key string) error {
	switch kind {
	case model.KindKey:
		if err := c.deleteKeyMaterial(ctx, key); err != nil {
			return err
		}
	case model.KindTier:
		c.s3.forget(tierClientID(key))
	}
	return ignoreNotFound(c.cfg.Store.Delete(ctx, kind, key, store.AnyRevision))
}
