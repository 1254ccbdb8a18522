package reconcile

import (
	"context"
	"errors"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

func (c *Controller) reconcileCluster(ctx context.Context, name string) (time.Duration, error) {
	cl, _, err := registry.Get[model.Cluster, model.ClusterSpec](ctx, c.cfg.Store,
		model.KindCluster, name)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if cl.Metadata.DeleteTime != nil {
		// The API refuses to delete a cluster that runs tenants, so
		// there is nothing to undo.
		err := c.cfg.Store.Delete(ctx, model.KindCluster, name, store.AnyRevision)
		if err == nil {
			c.cfg.Logger.Info("cluster deleted", "cluster", name)
		}
		return 0, ignoreNotFound(err)
	}
	_, known := c.cfg.Provisioners[cl.Spec.Kind]
	gen := cl.Metadata.Generation
	return 0, setStatus(ctx, c.cfg.Store, model.KindCluster, name, func(cl *model.Cluster) {
		cl.Status.Reachable = known
		if known {
			setConditions(&cl.Status.Conditions, &cl.Status.ObservedGeneration, gen, true,
				"Available", "the cluster can run tenants", "")
			return
		}
		msg := "no provisioner for clusters of kind " + cl.Spec.Kind + " in this build"
		setConditions(&cl.Status.Conditions, &cl.Status.ObservedGeneration, gen, false,
			"Unsupported", msg, msg)
	})
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
