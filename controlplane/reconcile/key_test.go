package reconcile

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/kms"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

// fakeClock is a time source that tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// keyFixture is a controller with a builtin KMS on a fresh store.
type keyFixture struct {
	ctrl  *Controller
	st    store.Store
	keys  *kms.Builtin
	clock *fakeClock
}

func newKeyFixture(t *testing.T) *keyFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &fakeClock{now: time.Now().UTC()}
	keys, err := kms.NewBuiltin(kms.Config{StateDir: dir, Store: st, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &keyFixture{ctrl: New(Config{Store: st, Keys: keys}), st: st, keys: keys, clock: clk}
}

// putKey stores a key as the API would and returns its store name.
func (f *keyFixture) putKey(t *testing.T, spec model.KeySpec) string {
	t.Helper()
	spec.Tenant = "acme"
	spec.Default()
	k := &model.Key{Metadata: model.Metadata{Name: "data", UID: "uid-1", Generation: 1},
		Spec: spec}
	key := registry.ChildKey("acme", "data")
	if _, err := registry.Put(context.Background(), f.st, model.KindKey, key, k,
		store.AnyRevision); err != nil {
		t.Fatal(err)
	}
	return key
}

func (f *keyFixture) reconcile(t *testing.T, key string) (*model.Key, time.Duration) {
	t.Helper()
	ctx := context.Background()
	requeue, err := f.ctrl.reconcileKey(ctx, key)
	if err != nil {
		t.Fatalf("reconcileKey: %v", err)
	}
	k, _, err := registry.Get[model.Key, model.KeySpec](ctx, f.st, model.KindKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return k, requeue
}

func TestAKeyRotatesWhenItsPeriodHasPassed(t *testing.T) {
	t.Parallel()
	f := newKeyFixture(t)
	key := f.putKey(t, model.KeySpec{RotationPeriod: "2h"})
	start := f.clock.Now()

	k, requeue := f.reconcile(t, key)
	if k.Status.Versions != 1 || !k.Status.LastRotation.Equal(start) ||
		!k.Status.Conditions.IsTrue(model.ConditionReady) || k.Status.ObservedGeneration != 1 {
		t.Errorf("first reconcile: got %+v, want 1 version made now and Ready", k.Status)
	}
	if requeue <= time.Hour || requeue > 2*time.Hour {
		t.Errorf("first reconcile: got requeue %s, want about 2h, when the next is due", requeue)
	}

	f.clock.advance(time.Hour)
	if k, _ = f.reconcile(t, key); k.Status.Versions != 1 {
		t.Errorf("an hour in: got %d versions, want still 1", k.Status.Versions)
	}
	f.clock.advance(time.Hour)
	k, _ = f.reconcile(t, key)
	if k.Status.Versions != 2 || !k.Status.LastRotation.Equal(start.Add(2*time.Hour)) {
		t.Errorf("two hours in: got %+v, want version 2 made now", k.Status)
	}
}

func TestKeyStatusHoldsNoKeyMaterial(t *testing.T) {
	t.Parallel()
	f := newKeyFixture(t)
	ctx := context.Background()
	key := f.putKey(t, model.KeySpec{})
	f.reconcile(t, key)
	plain, _, err := f.keys.Material(ctx, kms.KeyRef{Name: key, UID: "uid-1"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := f.st.Get(ctx, kms.KindMaterial, key)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.st.Get(ctx, model.KindKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Value, []byte(base64.StdEncoding.EncodeToString(plain))) ||
		bytes.Contains(rec.Value, []byte("sealed")) || len(sealed.Value) == 0 {
		t.Errorf("the key's record %s holds key material, or none was stored apart", rec.Value)
	}
}

func TestDeletingAKeyDeletesItsMaterial(t *testing.T) {
	t.Parallel()
	f := newKeyFixture(t)
	ctx := context.Background()
	key := f.putKey(t, model.KeySpec{})
	f.reconcile(t, key)
	_, err := registry.Update[model.Key, model.KeySpec](ctx, f.st, model.KindKey, key,
		func(k *model.Key) error {
			now := time.Now()
			k.Metadata.DeleteTime = &now
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ctrl.reconcileKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{model.KindKey, kms.KindMaterial} {
		if _, err := f.st.Get(ctx, kind, key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s %s after delete: got %v, want not found", kind, key, err)
		}
	}
}

func TestAKeyWithoutABackendIsNotReady(t *testing.T) {
	t.Parallel()
	f := newKeyFixture(t)
	f.ctrl = New(Config{Store: f.st})
	key := f.putKey(t, model.KeySpec{})
	k, _ := f.reconcile(t, key)
	ready := k.Status.Conditions.Get(model.ConditionReady)
	if ready == nil || ready.Status != model.StatusFalse || ready.Reason != "Unsupported" {
		t.Errorf("got Ready %+v, want False with reason Unsupported", ready)
	}
}
