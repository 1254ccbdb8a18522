package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
	"github.com/strata-storage/strata/internal/testcp"
	"github.com/strata-storage/strata/internal/testetcd"
)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m)) }

func TestEtcdNeedsASecretsKeyFile(t *testing.T) {
	t.Setenv(envSecrets, "")
	etcdArgs := []string{"--store", "etcd://127.0.0.1:2379"}
	_, err := parseServe(etcdArgs)
	if err == nil || !strings.Contains(err.Error(), "--secrets-key-file is required") ||
		!strings.Contains(err.Error(), "openssl rand -hex 32") {
		t.Errorf("got %v, want an error naming --secrets-key-file and how to make a key", err)
	}

	path := writeConfig(t, "secrets-key-file: /etc/strata/from-file.key\n")
	c, err := parseServe(append(etcdArgs, "--config", path))
	if err != nil || c.secretsKeyFile != "/etc/strata/from-file.key" {
		t.Errorf("from the config file: got %q, %v; want the file's key path", c.secretsKeyFile,
			err)
	}
	t.Setenv(envSecrets, "/etc/strata/from-env.key")
	c, err = parseServe(append(etcdArgs, "--config", path))
	if err != nil || c.secretsKeyFile != "/etc/strata/from-env.key" {
		t.Errorf("from the environment: got %q, %v; want the environment's key path",
			c.secretsKeyFile, err)
	}
}

func openForTest(t *testing.T, cfg serveConfig) store.Store {
	t.Helper()
	st, _, err := openSealedStore(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBoltMakesItsSecretsKeyBesideTheState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := serveConfig{store: "bolt", stateDir: dir}
	st := openForTest(t, cfg)
	ctx := context.Background()
	secret := []byte(`{"secretAccessKey":"the-tenant-root-secret"}`)
	if _, err := st.Put(ctx, model.KindTenant, "acme", secret, store.MustNotExist); err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, err := os.Stat(filepath.Join(dir, secretsFile))
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != store.SecretsKeySize {
		t.Fatalf("secrets key file: got %v, %v; want 32 bytes, mode 0600", fi, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil || bytes.Contains(raw, []byte("the-tenant-root-secret")) {
		t.Errorf("state.db holds the secret in the clear (%v)", err)
	}

	st = openForTest(t, cfg)
	defer st.Close()
	rec, err := st.Get(ctx, model.KindTenant, "acme")
	if err != nil || !bytes.Equal(rec.Value, secret) {
		t.Errorf("after a restart: got %q, %v; want %q", rec.Value, err, secret)
	}
}

func TestAWrongSecretsKeyStopsTheStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	openForTest(t, serveConfig{store: "bolt", stateDir: dir}).Close()
	wrong := filepath.Join(t.TempDir(), "wrong.key")
	if _, err := store.ReadOrCreateSecretsKey(wrong); err != nil {
		t.Fatal(err)
	}
	_, _, err := openSealedStore(serveConfig{store: "bolt", stateDir: dir,
		secretsKeyFile: wrong}, hclog.NewNullLogger())
	if !errors.Is(err, store.ErrWrongKey) || !strings.Contains(err.Error(), wrong) {
		t.Errorf("got %v, want ErrWrongKey naming %s", err, wrong)
	}
}

func TestEtcdReplicasWithOneKeyFileShareSecrets(t *testing.T) {
	t.Parallel()
	keyFile := filepath.Join(t.TempDir(), "secrets.key")
	if _, err := store.ReadOrCreateSecretsKey(keyFile); err != nil {
		t.Fatal(err)
	}
	cfg := serveConfig{store: "etcd://" + strings.TrimPrefix(testetcd.Start(t), "http://"),
		etcdPrefix: "/strata/", secretsKeyFile: keyFile, listen: "127.0.0.1:1"}
	a := openForTest(t, cfg)
	defer a.Close()
	b := openForTest(t, cfg)
	defer b.Close()
	ctx := context.Background()
	secret := []byte(`{"secretAccessKey":"shared-secret"}`)
	if _, err := a.Put(ctx, model.KindAccessKey, "acme/ci", secret, store.MustNotExist); err != nil {
		t.Fatal(err)
	}
	rec, err := b.Get(ctx, model.KindAccessKey, "acme/ci")
	if err != nil || !bytes.Equal(rec.Value, secret) {
		t.Errorf("replica B: got %q, %v; want %q", rec.Value, err, secret)
	}
}

// TestTheControlPlaneSealsEverySecretItStores runs the real control plane:
// a tenant's root keys, an access key's secret and a tier's secret never
// reach state.db in the clear, survive a restart, and a wrong key stops
// the next start.
func TestTheControlPlaneSealsEverySecretItStores(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	if _, err := c.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	spec := model.TenantSpec{Cluster: "local",
		Pools: []model.Pool{{Name: "pool-0", Servers: 1, DrivesPerServer: 4}}}
	if _, err := c.PutTenant(ctx, "acme", spec, nil); err != nil {
		t.Fatal(err)
	}
	root := waitRootCredentials(t, cp)
	ak, err := c.PutAccessKey(ctx, "acme", "ci", model.AccessKeySpec{Policy: `{"Version":` +
		`"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tierSecret := "tier-secret-0123456789abcdefghijklmnopq"
	_, err = c.PutTier(ctx, "acme", "cold", model.TierSpec{StorageClass: "COLD",
		S3: &model.TierS3{Endpoint: "https://127.0.0.1:1", Bucket: "cold",
			AccessKeyID: "TIERKEYID0123456789A", SecretAccessKey: tierSecret}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{root.SecretAccessKey, ak.Status.SecretAccessKey, tierSecret}

	cp.Kill(t)
	raw, err := os.ReadFile(filepath.Join(cp.StateDir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s == "" || bytes.Contains(raw, []byte(s)) {
			t.Errorf("state.db holds secret %q in the clear (or it is empty)", s)
		}
	}

	cp.Restart(t)
	tn, err := cp.Client(t).GetTenant(ctx, "acme")
	if err != nil || tn.Status.RootCredentials == nil ||
		tn.Status.RootCredentials.SecretAccessKey != root.SecretAccessKey {
		t.Errorf("after a restart: got %+v, %v; want the same root keys", tn, err)
	}

	cp.Kill(t)
	assertWrongKeyRefused(t, cp)
}

func waitRootCredentials(t *testing.T, cp *testcp.ControlPlane) model.Credentials {
	t.Helper()
	c := cp.Client(t)
	for range 300 {
		tn, err := c.GetTenant(context.Background(), "acme")
		if err == nil && tn.Status.RootCredentials != nil {
			return *tn.Status.RootCredentials
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the tenant got no root credentials within 30s; log:\n%s", cp.Log())
	return model.Credentials{}
}

// assertWrongKeyRefused starts serve on cp's state with another key and
// wants it to exit at once, saying why.
func assertWrongKeyRefused(t *testing.T, cp *testcp.ControlPlane) {
	t.Helper()
	wrong := filepath.Join(t.TempDir(), "wrong.key")
	if _, err := store.ReadOrCreateSecretsKey(wrong); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(cp.BinDir, "strata-controlplane"), "serve",
		"--listen", testcp.FreeAddr(t), "--state-dir", cp.StateDir,
		"--secrets-key-file", wrong)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 ||
		!strings.Contains(string(out), "does not open this store") ||
		!strings.Contains(string(out), "--secrets-key-file") {
		t.Errorf("with a wrong key: got %v and output\n%s\nwant exit 1 saying the key does "+
			"not open the store", err, out)
	}
}
