package reconcile

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// TestTenantConditionsSayWhatNodesAndPoolsDo records what a provisioner
// observed and checks the tenant's Ready, Progressing and Decommissioning
// conditions and its status.pools.
func TestTenantConditionsSayWhatNodesAndPoolsDo(t *testing.T) {
	t.Parallel()
	draining := []model.PoolStatus{{Name: "a", ID: "x", State: model.PoolDecommissioning,
		Decommission: &model.PoolDecommission{State: model.DecommissionDraining,
			ObjectsMoved: 4, ObjectsLeft: 2}},
		{Name: "b", ID: "y", State: model.PoolActive}}
	failed := []model.PoolStatus{{Name: "a", ID: "x", State: model.PoolDecommissioning,
		Decommission: &model.PoolDecommission{State: model.DecommissionFailed,
			Failed: []string{"b/k: no quorum"}}}}
	removed := []model.PoolStatus{{Name: "a", ID: "x", State: model.PoolRemoved,
		Decommission: &model.PoolDecommission{State: model.DecommissionDone}}}
	tests := []struct {
		name                           string
		obs                            provision.Observed
		wantReady                      bool
		wantReason                     string
		wantProgressing, wantDecom     string
		wantDecomReason, wantDecomWord string
		wantDegraded                   bool
	}{
		{"nodes restarting for new settings are progressing, not degraded",
			provision.Observed{Restarting: "restarting nodes one at a time",
				Message: "restarting nodes one at a time"},
			false, "NodesRestarting", model.StatusTrue, model.StatusFalse, "NoPoolLeaving", "",
			false},
		{"a draining pool keeps the tenant ready with its counts",
			provision.Observed{Ready: true, Pools: draining,
				Decommissioning: "pool a draining: 4 object(s) moved, 2 left"},
			true, "Running", model.StatusFalse, model.StatusTrue, "PoolsDraining", "2 left",
			false},
		{"a pass that could not move every object degrades the tenant",
			provision.Observed{Ready: true, Pools: failed,
				Decommissioning: "pool a failed: b/k: no quorum"},
			true, "Running", model.StatusFalse, model.StatusTrue, "DrainFailed", "no quorum",
			true},
		{"a removed pool is reported while the other nodes restart",
			provision.Observed{Pools: removed, Message: "pool(s) a drained and removed",
				Decommissioning: "pool a done"},
			false, "NodesStarting", model.StatusFalse, model.StatusTrue, "PoolsRemoved",
			"done", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newKeyFixture(t)
			ctx := context.Background()
			tenant := &model.Tenant{Metadata: model.Metadata{Name: "acme", Generation: 1},
				Spec: model.TenantSpec{Cluster: "local"}}
			if _, err := registry.Put(ctx, f.st, model.KindTenant, "acme", tenant,
				store.AnyRevision); err != nil {
				t.Fatal(err)
			}
			if err := f.ctrl.recordTenant(ctx, tenant, tt.obs); err != nil {
				t.Fatal(err)
			}
			got, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, f.st,
				model.KindTenant, "acme")
			if err != nil {
				t.Fatal(err)
			}
			c := got.Status.Conditions
			ready := c.Get(model.ConditionReady)
			prog, decom := c.Get(model.ConditionProgressing), c.Get(model.ConditionDecommissioning)
			switch {
			case c.IsTrue(model.ConditionReady) != tt.wantReady || ready.Reason != tt.wantReason:
				t.Errorf("Ready: got %+v, want %v with reason %s", ready, tt.wantReady,
					tt.wantReason)
			case prog == nil || prog.Status != tt.wantProgressing:
				t.Errorf("Progressing: got %+v, want %s", prog, tt.wantProgressing)
			case decom == nil || decom.Status != tt.wantDecom ||
				decom.Reason != tt.wantDecomReason ||
				!strings.Contains(decom.Message, tt.wantDecomWord):
				t.Errorf("Decommissioning: got %+v, want %s, %s, saying %q", decom,
					tt.wantDecom, tt.wantDecomReason, tt.wantDecomWord)
			case c.IsTrue(model.ConditionDegraded) != tt.wantDegraded:
				t.Errorf("Degraded: got %+v, want %v", c.Get(model.ConditionDegraded),
					tt.wantDegraded)
			case len(got.Status.Pools) != len(tt.obs.Pools):
				t.Errorf("status.pools: got %+v, want %+v", got.Status.Pools, tt.obs.Pools)
			}
		})
	}
}
