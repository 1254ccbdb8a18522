package reconcile

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/kms"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// nodesGone is a Provisioner double whose tenants have no nodes to stop.
type nodesGone struct{}

func (nodesGone) Ensure(context.Context, *model.Tenant) (provision.Observed, error) {
	return provision.Observed{}, errors.New("nodesGone runs no nodes")
}

func (nodesGone) Destroy(context.Context, string) error { return nil }

func TestDeletingATenantDeletesItsKeysTiersAndKeyMaterial(t *testing.T) {
	t.Parallel()
	f := newKeyFixture(t)
	ctx := context.Background()
	f.ctrl = New(Config{Store: f.st, Keys: f.keys,
		Provisioners: map[string]provision.Provisioner{model.ClusterLocal: nodesGone{}}})
	keyName := f.putKey(t, model.KeySpec{})
	f.reconcile(t, keyName)
	tierName := putTier(t, f.st, model.TierSpec{StorageClass: "COLD",
		TenantBucket: &model.TierTenantBucket{Tenant: "beta", Bucket: "archive"}})
	now := time.Now()
	cluster := &model.Cluster{Metadata: model.Metadata{Name: "local"},
		Spec: model.ClusterSpec{Kind: model.ClusterLocal}}
	if _, err := registry.Put(ctx, f.st, model.KindCluster, "local", cluster,
		store.AnyRevision); err != nil {
		t.Fatal(err)
	}
	tenant := &model.Tenant{Metadata: model.Metadata{Name: "acme", DeleteTime: &now},
		Spec: model.TenantSpec{Cluster: "local"}}
	if _, err := registry.Put(ctx, f.st, model.KindTenant, "acme", tenant,
		store.AnyRevision); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ctrl.reconcileTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	for _, left := range []struct{ kind, name string }{{model.KindTenant, "acme"},
		{model.KindKey, keyName}, {kms.KindMaterial, keyName}, {model.KindTier, tierName}} {
		if _, err := f.st.Get(ctx, left.kind, left.name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s %s after the tenant's deletion: got %v, want not found", left.kind,
				left.name, err)
		}
	}
}
