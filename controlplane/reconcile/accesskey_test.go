package reconcile

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// publisher is a Provisioner double that records the access keys it is
// given and reports pending as the nodes that do not have them yet.
type publisher struct {
	nodesGone
	mu        sync.Mutex
	published [][]model.AccessKeyGrant
	pending   []string
}

func (p *publisher) PublishAccessKeys(_ context.Context, _ *model.Tenant,
	grants []model.AccessKeyGrant) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = append(p.published, grants)
	return p.pending, nil
}

// last returns the names of the keys in the last set published.
func (p *publisher) last() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.published) == 0 {
		return nil
	}
	var names []string
	for _, g := range p.published[len(p.published)-1] {
		names = append(names, g.Name)
	}
	return names
}

// accessKeyFixture is a controller on a fresh store with tenant acme on a
// local cluster that the publisher double runs.
type accessKeyFixture struct {
	ctrl *Controller
	st   store.Store
	pub  *publisher
}

func newAccessKeyFixture(t *testing.T) *accessKeyFixture {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub := &publisher{}
	f := &accessKeyFixture{st: st, pub: pub, ctrl: New(Config{Store: st,
		Provisioners: map[string]provision.Provisioner{model.ClusterLocal: pub}})}
	f.put(t, model.KindCluster, "local", &model.Cluster{Metadata: model.Metadata{Name: "local"},
		Spec: model.ClusterSpec{Kind: model.ClusterLocal}})
	f.put(t, model.KindTenant, "acme", &model.Tenant{Metadata: model.Metadata{Name: "acme"},
		Spec: model.TenantSpec{Cluster: "local"}})
	return f
}

func (f *accessKeyFixture) put(t *testing.T, kind, name string, obj any) {
	t.Helper()
	var err error
	switch o := obj.(type) {
	case *model.Cluster:
		_, err = registry.Put(context.Background(), f.st, kind, name, o, store.AnyRevision)
	case *model.Tenant:
		_, err = registry.Put(context.Background(), f.st, kind, name, o, store.AnyRevision)
	case *model.AccessKey:
		_, err = registry.Put(context.Background(), f.st, kind, name, o, store.AnyRevision)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// putAccessKey stores an access key of acme as the API would and returns
// its store name.
func (f *accessKeyFixture) putAccessKey(t *testing.T, name string, disabled bool,
	deleting bool) string {
	t.Helper()
	a := &model.AccessKey{
		Metadata: model.Metadata{Name: name, UID: "uid-" + name, Generation: 1},
		Spec: model.AccessKeySpec{Tenant: "acme", Disabled: disabled, SecretVersion: 2,
			Policy: `{"Version": "2012-10-17", "Statement": []}`},
		Status: model.AccessKeyStatus{AccessKeyID: "ID-OF-" + name,
			SecretAccessKey: "secret-of-" + name},
	}
	if deleting {
		now := time.Now()
		a.Metadata.DeleteTime = &now
	}
	key := registry.ChildKey("acme", name)
	f.put(t, model.KindAccessKey, key, a)
	return key
}

func (f *accessKeyFixture) get(t *testing.T, key string) *model.AccessKey {
	t.Helper()
	a, _, err := registry.Get[model.AccessKey, model.AccessKeySpec](context.Background(), f.st,
		model.KindAccessKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAccessKeyIsReadyOnceEveryNodeHasIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pending     []string
		wantReady   bool
		wantRequeue bool
		wantVersion int64
	}{
		{"every node has the keys", nil, true, false, 2},
		{"a node that does not run yet keeps the key waiting", []string{"pool-0-1"}, false,
			true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newAccessKeyFixture(t)
			f.pub.pending = tt.pending
			key := f.putAccessKey(t, "ci", false, false)
			requeue, err := f.ctrl.reconcileAccessKey(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			a := f.get(t, key)
			if got := a.Status.Conditions.IsTrue(model.ConditionReady); got != tt.wantReady {
				t.Errorf("got Ready %v (%+v), want %v", got, a.Status.Conditions, tt.wantReady)
			}
			if (requeue > 0) != tt.wantRequeue {
				t.Errorf("got requeue %s, want one: %v", requeue, tt.wantRequeue)
			}
			if a.Status.SecretVersion != tt.wantVersion {
				t.Errorf("got status.secretVersion %d, want %d", a.Status.SecretVersion,
					tt.wantVersion)
			}
			if got := f.pub.last(); !slices.Equal(got, []string{"ci"}) {
				t.Errorf("got published keys %v, want [ci]", got)
			}
		})
	}
}

func TestDisabledAndDeletedAccessKeysAreLeftOutOfThePublishedSet(t *testing.T) {
	t.Parallel()
	f := newAccessKeyFixture(t)
	ctx := context.Background()
	f.putAccessKey(t, "ci", false, false)
	off := f.putAccessKey(t, "off", true, false)
	gone := f.putAccessKey(t, "gone", false, true)

	if _, err := f.ctrl.reconcileAccessKey(ctx, off); err != nil {
		t.Fatal(err)
	}
	if got := f.pub.last(); !slices.Equal(got, []string{"ci"}) {
		t.Errorf("got published keys %v, want only [ci]", got)
	}
	if a := f.get(t, off); !a.Status.Conditions.IsTrue(model.ConditionReady) {
		t.Errorf("a disabled key that no node accepts: got %+v, want Ready",
			a.Status.Conditions)
	}

	if _, err := f.ctrl.reconcileAccessKey(ctx, gone); err != nil {
		t.Fatal(err)
	}
	_, err := f.st.Get(ctx, model.KindAccessKey, gone)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted key after its reconcile: got %v, want it gone", err)
	}
}

func TestGrantCarriesTheKeyPairAndACompactPolicy(t *testing.T) {
	t.Parallel()
	f := newAccessKeyFixture(t)
	key := f.putAccessKey(t, "ci", false, false)
	g := f.get(t, key).Grant()
	want := model.AccessKeyGrant{Name: "ci", AccessKeyID: "ID-OF-ci",
		SecretAccessKey: "secret-of-ci",
		Policy:          []byte(`{"Version":"2012-10-17","Statement":[]}`)}
	if g.Name != want.Name || g.AccessKeyID != want.AccessKeyID ||
		g.SecretAccessKey != want.SecretAccessKey || string(g.Policy) != string(want.Policy) {
		t.Errorf("got %+v (policy %s), want %+v (policy %s)", g, g.Policy, want, want.Policy)
	}
}

func TestDeletingATenantDeletesItsAccessKeys(t *testing.T) {
	t.Parallel()
	f := newAccessKeyFixture(t)
	ctx := context.Background()
	key := f.putAccessKey(t, "ci", false, false)
	now := time.Now()
	f.put(t, model.KindTenant, "acme", &model.Tenant{
		Metadata: model.Metadata{Name: "acme", DeleteTime: &now},
		Spec:     model.TenantSpec{Cluster: "local"}})
	if _, err := f.ctrl.reconcileTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Get(ctx, model.KindAccessKey, key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the access key after its tenant's deletion: got %v, want not found", err)
	}
}
