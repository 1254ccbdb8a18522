package kms

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/store"
)

// clock is a time source that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newBuiltin opens a Builtin on a fresh state directory and bolt store.
func newBuiltin(t *testing.T) (*Builtin, store.Store, *clock, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	b, err := NewBuiltin(Config{StateDir: dir, Store: st, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return b, st, c, dir
}

func mustReconcile(t *testing.T, b *Builtin, ref KeyRef, p Policy) State {
	t.Helper()
	s, err := b.Reconcile(context.Background(), ref, p)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	return s
}

func TestBuiltinRotatesOnScheduleAndOnDemand(t *testing.T) {
	t.Parallel()
	b, _, clk, _ := newBuiltin(t)
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	p := Policy{Period: 24 * time.Hour}
	start := clk.Now()

	steps := []struct {
		name         string
		advance      time.Duration
		generation   int64
		wantVersions int
		wantRotated  bool
		wantLast     time.Time
		wantNext     time.Time
	}{
		{"the first reconcile makes version 1", 0, 0, 1, true, start,
			start.Add(24 * time.Hour)},
		{"a reconcile before the period changes nothing", 23 * time.Hour, 0, 1, false, start,
			start.Add(24 * time.Hour)},
		{"the period passing makes version 2", time.Hour, 0, 2, true,
			start.Add(24 * time.Hour), start.Add(48 * time.Hour)},
		{"a raised generation makes version 3 at once", time.Minute, 1, 3, true,
			start.Add(24*time.Hour + time.Minute), start.Add(48*time.Hour + time.Minute)},
		{"the same generation again changes nothing", time.Minute, 1, 3, false,
			start.Add(24*time.Hour + time.Minute), start.Add(48*time.Hour + time.Minute)},
	}
	for _, st := range steps {
		clk.advance(st.advance)
		p.Generation = st.generation
		got := mustReconcile(t, b, ref, p)
		if got.Versions != st.wantVersions || got.Rotated != st.wantRotated ||
			!got.LastRotation.Equal(st.wantLast) || !got.NextRotation.Equal(st.wantNext) {
			t.Errorf("%s: got %+v, want %d versions, rotated %v, last %s, next %s", st.name,
				got, st.wantVersions, st.wantRotated, st.wantLast, st.wantNext)
		}
	}
}

func TestEveryVersionKeepsItsOwnMaterial(t *testing.T) {
	t.Parallel()
	b, _, _, _ := newBuiltin(t)
	ctx := context.Background()
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, b, ref, Policy{})
	v1, n1, err := b.Material(ctx, ref, 0)
	if err != nil || n1 != 1 || len(v1) != dataKeySize {
		t.Fatalf("newest of one version: got %x, %d, %v; want 32 bytes of version 1", v1, n1, err)
	}
	mustReconcile(t, b, ref, Policy{Generation: 1})
	v2, n2, err := b.Material(ctx, ref, 0)
	if err != nil || n2 != 2 || bytes.Equal(v1, v2) {
		t.Fatalf("newest of two: got %x, %d, %v; want version 2, unlike version 1", v2, n2, err)
	}
	old, _, err := b.Material(ctx, ref, 1)
	if err != nil || !bytes.Equal(old, v1) {
		t.Errorf("version 1 after rotation: got %x, %v; want %x", old, err, v1)
	}
	if _, _, err := b.Material(ctx, ref, 3); !errors.Is(err, ErrNoVersion) {
		t.Errorf("version 3: got %v, want ErrNoVersion", err)
	}
}

func TestStoredMaterialIsSealed(t *testing.T) {
	t.Parallel()
	b, st, _, _ := newBuiltin(t)
	ctx := context.Background()
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, b, ref, Policy{})
	plain, _, err := b.Material(ctx, ref, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get(ctx, KindMaterial, ref.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range []string{string(plain), hex.EncodeToString(plain),
		base64.StdEncoding.EncodeToString(plain)} {
		if bytes.Contains(rec.Value, []byte(form)) {
			t.Errorf("the stored record %s holds the plaintext material", rec.Value)
		}
	}
}

func TestMaterialSurvivesReopeningWithTheSameMasterKey(t *testing.T) {
	t.Parallel()
	b, st, clk, dir := newBuiltin(t)
	ctx := context.Background()
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, b, ref, Policy{})
	want, _, err := b.Material(ctx, ref, 1)
	if err != nil {
		t.Fatal(err)
	}
	reopened, err := NewBuiltin(Config{StateDir: dir, Store: st, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := reopened.Material(ctx, ref, 1)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("after reopening: got %x, %v; want %x", got, err, want)
	}
	other, err := NewBuiltin(Config{StateDir: t.TempDir(), Store: st, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Material(ctx, ref, 1); !errors.Is(err, ErrUnseal) {
		t.Errorf("under another master key: got %v, want ErrUnseal", err)
	}
}

func TestAKeyCreatedAgainGetsNewMaterial(t *testing.T) {
	t.Parallel()
	b, _, _, _ := newBuiltin(t)
	ctx := context.Background()
	first := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, b, first, Policy{Generation: 4})
	mustReconcile(t, b, first, Policy{Generation: 5})
	old, _, _ := b.Material(ctx, first, 0)

	second := KeyRef{Name: "acme/data", UID: "uid-2"}
	got := mustReconcile(t, b, second, Policy{})
	if got.Versions != 1 || !got.Rotated {
		t.Errorf("new incarnation: got %+v, want a fresh version 1", got)
	}
	fresh, _, err := b.Material(ctx, second, 0)
	if err != nil || bytes.Equal(fresh, old) {
		t.Errorf("got %x, %v; want material unlike the old incarnation's", fresh, err)
	}
}

func TestDeleteRemovesEveryVersion(t *testing.T) {
	t.Parallel()
	b, st, _, _ := newBuiltin(t)
	ctx := context.Background()
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, b, ref, Policy{})
	mustReconcile(t, b, ref, Policy{Generation: 1})
	if err := b.Delete(ctx, ref.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, KindMaterial, ref.Name); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: got %v, want the material gone", err)
	}
	if err := b.Delete(ctx, ref.Name); err != nil {
		t.Errorf("deleting again: got %v, want nil", err)
	}
}

func TestConcurrentReconcilesAddOneVersion(t *testing.T) {
	t.Parallel()
	b, _, _, _ := newBuiltin(t)
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := b.Reconcile(context.Background(), ref, Policy{}); err != nil {
				t.Errorf("Reconcile: %v", err)
			}
		})
	}
	wg.Wait()
	if got := mustReconcile(t, b, ref, Policy{}); got.Versions != 1 {
		t.Errorf("got %d versions, want 1", got.Versions)
	}
}

func TestTheMasterKeyIsMadeWhenAKeyFirstNeedsIt(t *testing.T) {
	t.Parallel()
	b, _, _, dir := newBuiltin(t)
	path := filepath.Join(dir, MasterKeyFile)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("before any key: got %v, want no master key file", err)
	}
	mustReconcile(t, b, KeyRef{Name: "acme/data", UID: "uid-1"}, Policy{})
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("after the first key: got %v, %v; want a 0600 master key file", fi, err)
	}
}

func TestAnExposedMasterKeyFailsKeysUntilItIsFixed(t *testing.T) {
	t.Parallel()
	b, _, _, dir := newBuiltin(t)
	path := filepath.Join(dir, MasterKeyFile)
	if err := os.WriteFile(path, bytes.Repeat([]byte{7}, masterKeySize), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	if _, err := b.Reconcile(context.Background(), ref, Policy{}); !errors.Is(err,
		ErrMasterKeyExposed) {
		t.Fatalf("with mode 0640: got %v, want ErrMasterKeyExposed", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := mustReconcile(t, b, ref, Policy{}); got.Versions != 1 {
		t.Errorf("after chmod 600: got %+v, want version 1", got)
	}
}
