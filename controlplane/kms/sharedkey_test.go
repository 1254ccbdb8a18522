package kms

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-storage/strata/controlplane/store"
	"github.com/strata-storage/strata/internal/testetcd"
)

func secretsKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, store.SecretsKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

// etcdReplica opens its own connection to the etcd at endpoint, as a
// control-plane replica does, sealed with key when key is not nil.
func etcdReplica(t *testing.T, endpoint string, key []byte) (store.Store, *store.Etcd) {
	t.Helper()
	e, err := store.OpenEtcd(context.Background(), []string{endpoint}, "/strata/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if key == nil {
		return e, e
	}
	s, _, err := store.Seal(context.Background(), e, key)
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

func builtinOn(t *testing.T, st store.Store, dir string) *Builtin {
	t.Helper()
	b, err := NewBuiltin(Config{StateDir: dir, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func materialOf(t *testing.T, b *Builtin, ref KeyRef) []byte {
	t.Helper()
	m, _, err := b.Material(context.Background(), ref, 1)
	if err != nil {
		t.Fatalf("Material of %s: %v", ref.Name, err)
	}
	return m
}

func TestReplicasSharingTheSecretsKeyOpenEachOthersKeys(t *testing.T) {
	t.Parallel()
	endpoint := testetcd.Start(t)
	key := secretsKey(t)
	stA, raw := etcdReplica(t, endpoint, key)
	stB, _ := etcdReplica(t, endpoint, key)
	dirA, dirB := t.TempDir(), t.TempDir()
	a, b := builtinOn(t, stA, dirA), builtinOn(t, stB, dirB)

	refA := KeyRef{Name: "acme/a", UID: "uid-a"}
	refB := KeyRef{Name: "acme/b", UID: "uid-b"}
	mustReconcile(t, a, refA, Policy{})
	mustReconcile(t, b, refB, Policy{})
	if got, want := materialOf(t, b, refA), materialOf(t, a, refA); !bytes.Equal(got, want) {
		t.Errorf("replica B reads A's key as %x, want %x", got, want)
	}
	if got, want := materialOf(t, a, refB), materialOf(t, b, refB); !bytes.Equal(got, want) {
		t.Errorf("replica A reads B's key as %x, want %x", got, want)
	}
	for _, dir := range []string{dirA, dirB} {
		if _, err := os.Stat(filepath.Join(dir, MasterKeyFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: got %v, want no master key file beside a sealed store", dir, err)
		}
	}

	master, err := stA.Get(context.Background(), KindMasterKey, masterKeyName)
	if err != nil || len(master.Value) != masterKeySize {
		t.Fatalf("stored master key: got %d bytes, %v; want %d", len(master.Value), err,
			masterKeySize)
	}
	resp, err := raw.Client().Get(context.Background(), "/strata/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range resp.Kvs {
		if bytes.Contains(kv.Value, master.Value) {
			t.Errorf("etcd key %s holds the master key in the clear", kv.Key)
		}
	}
}

// TestAMasterKeyFileOfThePreviousCodeKeepsWorking makes a key as the code
// before sealing did (a plain store, a master key file), then starts with
// a sealed store: the file's key becomes the stored master key, so the old
// material opens, here and on a replica without the file.
func TestAMasterKeyFileOfThePreviousCodeKeepsWorking(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	old, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	ref := KeyRef{Name: "acme/data", UID: "uid-1"}
	mustReconcile(t, builtinOn(t, old, dir), ref, Policy{})
	want := materialOf(t, builtinOn(t, old, dir), ref)
	old.Close()

	b, err := store.OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sealed, n, err := store.Seal(context.Background(), b, secretsKey(t))
	if err != nil || n != 1 {
		t.Fatalf("Seal: sealed %d values, %v; want the one key material", n, err)
	}
	if got := materialOf(t, builtinOn(t, sealed, dir), ref); !bytes.Equal(got, want) {
		t.Errorf("with the old file: got %x, want %x", got, want)
	}
	if got := materialOf(t, builtinOn(t, sealed, t.TempDir()), ref); !bytes.Equal(got, want) {
		t.Errorf("on a replica without the file: got %x, want %x", got, want)
	}
}

// TestAReplicaWhoseOwnFileDiffersStillOpensWhatItSealed covers replicas of
// the previous code that shared an etcd but not a state directory: the
// stored master key is not their file's key, and the file still opens what
// it sealed.
func TestAReplicaWhoseOwnFileDiffersStillOpensWhatItSealed(t *testing.T) {
	t.Parallel()
	endpoint := testetcd.Start(t)
	dirA := t.TempDir()
	plainA, _ := etcdReplica(t, endpoint, nil)
	oldRef := KeyRef{Name: "acme/old", UID: "uid-old"}
	mustReconcile(t, builtinOn(t, plainA, dirA), oldRef, Policy{})
	want := materialOf(t, builtinOn(t, plainA, dirA), oldRef)

	key := secretsKey(t)
	stB, _ := etcdReplica(t, endpoint, key)
	newRef := KeyRef{Name: "acme/new", UID: "uid-new"}
	b := builtinOn(t, stB, t.TempDir()) // stores a new random master key first
	mustReconcile(t, b, newRef, Policy{})

	stA, _ := etcdReplica(t, endpoint, key)
	a := builtinOn(t, stA, dirA)
	if got := materialOf(t, a, oldRef); !bytes.Equal(got, want) {
		t.Errorf("old key through A's file: got %x, want %x", got, want)
	}
	if got, want := materialOf(t, a, newRef), materialOf(t, b, newRef); !bytes.Equal(got, want) {
		t.Errorf("new key on A: got %x, want %x", got, want)
	}
	if _, _, err := b.Material(context.Background(), oldRef, 1); !errors.Is(err, ErrUnseal) {
		t.Errorf("old key on B, which never had A's file: got %v, want ErrUnseal", err)
	}
}
