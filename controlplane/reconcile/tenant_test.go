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

func TestTenantStatusShowsCertificatesTheControlPlaneCannotRenew(t *testing.T) {
	t.Parallel()
	caExpiry := time.Date(2036, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name               string
		warning            string
		expired            bool
		wantReady          bool
		wantDegradedReason string
	}{
		{"a certificate far from expiry leaves the tenant as it is", "", false, true,
			"AsExpected"},
		{"a provided certificate that expires soon degrades the tenant", "expires at X",
			false, true, "CertificateExpiring"},
		{"an expired provided certificate makes the tenant not ready", "expired at X",
			true, false, "CertificateExpired"},
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
			obs := provision.Observed{Ready: true, Endpoint: "https://127.0.0.1:1",
				CAExpiry: caExpiry, TLSWarning: tt.warning, TLSExpired: tt.expired}
			if err := f.ctrl.recordTenant(ctx, tenant, obs); err != nil {
				t.Fatal(err)
			}
			got, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, f.st,
				model.KindTenant, "acme")
			if err != nil {
				t.Fatal(err)
			}
			s := got.Status
			if s.CAExpiry != "2036-01-02T03:04:05Z" {
				t.Errorf("caExpiry: got %q, want 2036-01-02T03:04:05Z", s.CAExpiry)
			}
			if ready := s.Conditions.IsTrue(model.ConditionReady); ready != tt.wantReady {
				t.Errorf("Ready: got %v, want %v", ready, tt.wantReady)
			}
			deg := s.Conditions.Get(model.ConditionDegraded)
			if deg == nil || deg.Reason != tt.wantDegradedReason || deg.Message != tt.warning {
				t.Errorf("Degraded: got %+v, want reason %q and message %q", deg,
					tt.wantDegradedReason, tt.warning)
			}
		})
	}
}

func TestHealingDrivesAreNamedInTheDegradedCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		healing *model.TenantHealing
		want    string
	}{
		{"no report says nothing", nil, ""},
		{"finished jobs say nothing", &model.TenantHealing{DriveJobs: []model.DriveHealJob{
			{Node: "p-0", Drive: "d0", State: "done", Done: 5, Total: 5}}}, ""},
		{"a running job is named with its progress", &model.TenantHealing{
			DriveJobs: []model.DriveHealJob{
				{Node: "p-0", Drive: "d0", State: "done", Done: 5, Total: 5},
				{Node: "p-1", Drive: "d1", State: "running", Done: 2, Total: 9}}},
			"rebuilding 1 drive(s) (p-1:d1 2/9 objects): the tenant has less redundancy " +
				"until they are done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := healingMessage(tt.healing); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
