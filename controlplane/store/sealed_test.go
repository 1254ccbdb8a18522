package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testetcd"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, SecretsKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

func mustSeal(t *testing.T, inner Store, key []byte) (Store, int) {
	t.Helper()
	s, n, err := Seal(context.Background(), inner, key)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return s, n
}

// secretDocs are documents shaped as the control plane stores them, each
// holding one secret, as the code before sealing wrote them.
func secretDocs(t *testing.T) map[[2]string][]byte {
	t.Helper()
	tenant := model.Tenant{Metadata: model.Metadata{Name: "acme"}}
	tenant.Status.RootCredentials = &model.Credentials{AccessKeyID: "ROOTKEYID",
		SecretAccessKey: "root-secret-0123456789abcdef"}
	ak := model.AccessKey{Metadata: model.Metadata{Name: "ci"}}
	ak.Status.SecretAccessKey = "accesskey-secret-0123456789abcdef"
	tier := model.Tier{Metadata: model.Metadata{Name: "cold"}}
	tier.Spec.S3 = &model.TierS3{Endpoint: "https://s3.example", Bucket: "b",
		AccessKeyID: "TIERKEYID", SecretAccessKey: "tier-secret-0123456789abcdef"}
	docs := map[[2]string][]byte{}
	for key, obj := range map[[2]string]any{
		{model.KindTenant, "acme"}:         tenant,
		{model.KindAccessKey, "acme/ci"}:   ak,
		{model.KindTier, "acme/cold"}:      tier,
		{"keymaterial", "acme/data"}:       map[string]string{"sealed": "kms-sealed-blob"},
		{model.KindToken, "ci-reader-tok"}: map[string]string{"hash": "token-hash-value"},
	} {
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		docs[key] = b
	}
	return docs
}

// secrets are the strings of secretDocs that must never be stored in the
// clear.
var secrets = []string{"root-secret-0123456789abcdef", "accesskey-secret-0123456789abcdef",
	"tier-secret-0123456789abcdef", "kms-sealed-blob", "token-hash-value"}

func putDocs(t *testing.T, s Store, docs map[[2]string][]byte) {
	t.Helper()
	for k, v := range docs {
		if _, err := s.Put(context.Background(), k[0], k[1], v, AnyRevision); err != nil {
			t.Fatalf("put %s %s: %v", k[0], k[1], err)
		}
	}
}

// checkDocs reads every document back through s and compares it.
func checkDocs(t *testing.T, s Store, docs map[[2]string][]byte) {
	t.Helper()
	ctx := context.Background()
	for k, want := range docs {
		rec, err := s.Get(ctx, k[0], k[1])
		if err != nil || !bytes.Equal(rec.Value, want) {
			t.Errorf("get %s %s: got %q, %v; want %q", k[0], k[1], rec.Value, err, want)
		}
		recs, err := s.List(ctx, k[0], "", "", 0)
		if err != nil || len(recs) != 1 || !bytes.Equal(recs[0].Value, want) {
			t.Errorf("list %s: got %d records, %v; want one with %q", k[0], len(recs), err, want)
		}
	}
}

// assertNoSecret fails when any secret appears in raw.
func assertNoSecret(t *testing.T, where string, raw []byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%s holds %q in the clear", where, s)
		}
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// etcdValues returns every value under prefix, as etcd holds it.
func etcdValues(t *testing.T, e *Etcd, prefix string) []byte {
	t.Helper()
	resp, err := e.Client().Get(context.Background(), prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, kv := range resp.Kvs {
		all = append(all, kv.Value...)
	}
	return all
}

func openEtcd(t *testing.T, endpoint, prefix string) *Etcd {
	t.Helper()
	e, err := OpenEtcd(context.Background(), []string{endpoint}, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestBoltFileHoldsNoSecretInTheClear(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	b, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	s, n := mustSeal(t, b, newKey(t))
	if n != 0 {
		t.Errorf("sealing a new store: got %d values sealed, want 0", n)
	}
	docs := secretDocs(t)
	putDocs(t, s, docs)
	putDocs(t, s, docs) // a rewrite frees pages, which must not hold secrets either
	checkDocs(t, s, docs)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw := fileBytes(t, path)
	if !bytes.Contains(raw, []byte("acme/ci")) {
		t.Fatalf("state.db does not hold the record name acme/ci; the search proves nothing")
	}
	assertNoSecret(t, "state.db", raw)
}

func TestEtcdHoldsNoSecretInTheClear(t *testing.T) {
	t.Parallel()
	e := openEtcd(t, testetcd.Start(t), "/strata-test/")
	s, _ := mustSeal(t, e, newKey(t))
	docs := secretDocs(t)
	putDocs(t, s, docs)
	checkDocs(t, s, docs)
	raw := etcdValues(t, e, "/strata-test/")
	if len(raw) == 0 {
		t.Fatal("etcd holds no values under the prefix; the search proves nothing")
	}
	assertNoSecret(t, "etcd", raw)
}

func TestReplicasWithOneKeyReadEachOthersSecrets(t *testing.T) {
	t.Parallel()
	endpoint := testetcd.Start(t)
	key := newKey(t)
	a, _ := mustSeal(t, openEtcd(t, endpoint, "/strata/"), key)
	b, _ := mustSeal(t, openEtcd(t, endpoint, "/strata/"), key)
	docs := secretDocs(t)
	putDocs(t, a, docs)
	checkDocs(t, b, docs)
	if _, ok := b.(Watcher); !ok {
		t.Errorf("a sealed etcd store is not a Watcher; replicas would miss each other's writes")
	}
}

func TestAWrongKeyIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	forEachPlain(t, func(t *testing.T, inner Store) {
		s, _ := mustSeal(t, inner, newKey(t))
		putDocs(t, s, secretDocs(t))
		_, _, err := Seal(context.Background(), inner, newKey(t))
		if !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "--secrets-key-file") {
			t.Errorf("got %v, want ErrWrongKey naming --secrets-key-file", err)
		}
	})
}

func TestASealedValueDoesNotOpenInAnotherRecord(t *testing.T) {
	t.Parallel()
	forEachPlain(t, func(t *testing.T, inner Store) {
		ctx := context.Background()
		s, _ := mustSeal(t, inner, newKey(t))
		if _, err := s.Put(ctx, model.KindAccessKey, "acme/ci", []byte(`{"s":"x"}`),
			MustNotExist); err != nil {
			t.Fatal(err)
		}
		raw, err := inner.Get(ctx, model.KindAccessKey, "acme/ci")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, kind, record string }{
			{"another name", model.KindAccessKey, "evil/ci"},
			{"another kind", model.KindTier, "acme/ci"},
		}
		for _, tt := range tests {
			if _, err := inner.Put(ctx, tt.kind, tt.record, raw.Value, AnyRevision); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, tt.kind, tt.record); !errors.Is(err, ErrUnseal) {
				t.Errorf("%s: got %v, want ErrUnseal", tt.name, err)
			}
			if _, err := s.List(ctx, tt.kind, "", "", 0); !errors.Is(err, ErrUnseal) {
				t.Errorf("%s: list got %v, want ErrUnseal", tt.name, err)
			}
		}
	})
}

func TestEachWriteHasItsOwnNonce(t *testing.T) {
	t.Parallel()
	b, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, _ := mustSeal(t, b, newKey(t))
	ctx := context.Background()
	var seen [][]byte
	for range 3 {
		if _, err := s.Put(ctx, "tenant", "acme", []byte("same"), AnyRevision); err != nil {
			t.Fatal(err)
		}
		raw, _ := b.Get(ctx, "tenant", "acme")
		for _, prev := range seen {
			if bytes.Equal(prev, raw.Value) {
				t.Fatalf("the same value sealed twice gave the same bytes %x", raw.Value)
			}
		}
		seen = append(seen, raw.Value)
	}
}

// TestAStateFileOfThePreviousCodeIsSealedOnFirstStart writes state.db as
// the control plane did before sealing (plain Bolt), then opens it sealed.
func TestAStateFileOfThePreviousCodeIsSealedOnFirstStart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	old, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	docs := secretDocs(t)
	putDocs(t, old, docs)
	old.Close()
	raw := fileBytes(t, path)
	if !bytes.Contains(raw, []byte(secrets[0])) {
		t.Fatal("the old state.db does not hold the secret in the clear; the test proves nothing")
	}

	b, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(t)
	s, n := mustSeal(t, b, key)
	if n != len(docs) {
		t.Errorf("got %d values sealed, want %d", n, len(docs))
	}
	if err := b.Compact(); err != nil {
		t.Fatal(err)
	}
	checkDocs(t, s, docs)
	if _, n := mustSeal(t, b, key); n != 0 {
		t.Errorf("second start: got %d values sealed, want 0", n)
	}
	s.Close()
	assertNoSecret(t, "state.db after sealing", fileBytes(t, path))
}

func TestEtcdValuesOfThePreviousCodeAreSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := openEtcd(t, testetcd.Start(t), "/strata/")
	docs := secretDocs(t)
	putDocs(t, e, docs)
	// A leader-election key is leased and must keep its lease and value.
	lease, err := e.Client().Grant(ctx, 60)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Client().Put(ctx, "/strata/leader/1", "127.0.0.1:7443",
		clientv3.WithLease(lease.ID))
	if err != nil {
		t.Fatal(err)
	}

	s, n := mustSeal(t, e, newKey(t))
	if n != len(docs) {
		t.Errorf("got %d values sealed, want %d", n, len(docs))
	}
	checkDocs(t, s, docs)
	assertNoSecret(t, "etcd after sealing", etcdValues(t, e, "/strata/"))
	resp, err := e.Client().Get(ctx, "/strata/leader/1")
	if err != nil || len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "127.0.0.1:7443" ||
		resp.Kvs[0].Lease != int64(lease.ID) {
		t.Errorf("election key: got %v, %v; want it untouched", resp.Kvs, err)
	}
}

func TestSecretsKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.key")
	key, err := ReadOrCreateSecretsKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || len(key) != SecretsKeySize {
		t.Fatalf("got %d-byte key, file %v (%v); want %d bytes, mode 0600", len(key), fi, err,
			SecretsKeySize)
	}
	again, err := ReadOrCreateSecretsKey(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("second read: got %x, %v; want %x", again, err, key)
	}
	hexPath := filepath.Join(dir, "hex.key")
	hexKey := "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
	tests := []struct {
		name, content string
		mode          os.FileMode
		want          string // empty: no error
	}{
		{"hex digits are read", hexKey, 0o600, ""},
		{"a key others may read is refused", hexKey, 0o644, "chmod 600"},
		{"a short key is refused", "abcd\n", 0o600, "openssl rand -hex 32"},
	}
	for _, tt := range tests {
		if err := os.WriteFile(hexPath, []byte(tt.content), tt.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(hexPath, tt.mode); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSecretsKey(hexPath)
		switch {
		case tt.want == "" && (err != nil || got[0] != 0x00 || got[31] != 0xff):
			t.Errorf("%s: got %x, %v; want the decoded key", tt.name, got, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
}
