package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
)

// The test binary stands in for storaged when it is started with
// storaged's command line (see TestMain): it records each SIGHUP it gets,
// with the SHA-256 of the access-keys file it then reads, one line per
// signal in <access-keys-file>.hups, and exits after doubleLifetime at the
// latest.
const doubleLifetime = 2 * time.Minute

// isStoragedDouble reports whether the test binary was started as a node.
func isStoragedDouble(args []string) bool { return len(args) > 1 && args[1] == "--listen" }

// runStoragedDouble is the storaged double's main.
func runStoragedDouble(args []string) int {
	i := slices.Index(args, accessKeysFlag)
	if i < 0 || i+1 >= len(args) {
		fmt.Fprintln(os.Stderr, "storaged double: no", accessKeysFlag)
		return 2
	}
	path := args[i+1]
	hups := make(chan os.Signal, 1)
	signal.Notify(hups, syscall.SIGHUP)
	if err := os.WriteFile(path+".ready", nil, 0o600); err != nil {
		return 1
	}
	deadline := time.After(doubleLifetime)
	for {
		select {
		case <-hups:
			b, _ := os.ReadFile(path)
			f, err := os.OpenFile(path+".hups", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
			if err != nil {
				return 1
			}
			fmt.Fprintf(f, "%x\n", sha256.Sum256(b))
			f.Close()
		case <-deadline:
			return 0
		}
	}
}

// hupsSeen returns the file hashes the double at node dir recorded, one
// per SIGHUP.
func hupsSeen(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, accessKeysFile+".hups"))
	return strings.Fields(string(b))
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func grant(name string) model.AccessKeyGrant {
	return model.AccessKeyGrant{Name: name, AccessKeyID: "ID" + strings.ToUpper(name),
		SecretAccessKey: "secret-" + name, Policy: []byte(`{"Version":"2012-10-17"}`)}
}

// checkKeysFile checks that path holds doc with mode 0600.
func checkKeysFile(t *testing.T, path string, doc []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(b, doc) {
		t.Errorf("%s: got %s (%v), want %s", path, b, err, doc)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: got mode %v (%v), want 0600", path, fi.Mode().Perm(), err)
	}
}

// encoded is encodeAccessKeys that fails the test on an error.
func encoded(t *testing.T, grants []model.AccessKeyGrant) []byte {
	t.Helper()
	b, err := encodeAccessKeys(grants)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAccessKeysFileHasStoragedsShape(t *testing.T) {
	t.Parallel()
	got := string(encoded(t, []model.AccessKeyGrant{grant("ro"), grant("ci")}))
	want := `{"keys":[{"name":"ci","accessKeyId":"IDCI","secretAccessKey":"secret-ci",` +
		`"policy":{"Version":"2012-10-17"}},{"name":"ro","accessKeyId":"IDRO",` +
		`"secretAccessKey":"secret-ro","policy":{"Version":"2012-10-17"}}]}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := string(encoded(t, nil)); got != emptyAccessKeys {
		t.Errorf("no keys: got %s, want %s", got, emptyAccessKeys)
	}
	bad := grant("bad")
	bad.Policy = []byte(`{"Version":`)
	if _, err := encodeAccessKeys([]model.AccessKeyGrant{bad}); err == nil {
		t.Error("a policy that is not JSON: got no error, want one")
	}
}

// TestPublishedAccessKeysReachEachNodeOnceWithSIGHUP runs one node of two
// as the storaged double and checks that the tenant's keys reach it at
// start and then by SIGHUP, once per change, while the node that never
// started waits for its start.
func TestPublishedAccessKeysReachEachNodeOnceWithSIGHUP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newProvisioner(t)
	tenant := newTenant("keys", 2, 1)
	t.Cleanup(func() { _ = p.Destroy(ctx, "keys") })
	ci := []model.AccessKeyGrant{grant("ci")}

	pending, err := p.PublishAccessKeys(ctx, tenant, ci)
	if err != nil || !slices.Equal(pending, []string{"pool-0-0", "pool-0-1"}) {
		t.Fatalf("before any node runs: got %v, %v; want both nodes pending", pending, err)
	}
	checkKeysFile(t, filepath.Join(p.TenantDir("keys"), accessKeysFile), encoded(t, ci))

	n := startDouble(t, p, tenant)
	checkKeysFile(t, filepath.Join(n.dir, accessKeysFile), encoded(t, ci))
	pending, err = p.PublishAccessKeys(ctx, tenant, ci)
	if err != nil || !slices.Equal(pending, []string{"pool-0-1"}) {
		t.Fatalf("the node started with the keys: got %v, %v; want [pool-0-1]", pending, err)
	}

	both := []model.AccessKeyGrant{grant("ci"), grant("ro")}
	for range 2 { // the second publish of the same set signals nobody
		if _, err := p.PublishAccessKeys(ctx, tenant, both); err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("%x", sha256.Sum256(encoded(t, both)))
	waitFor(t, "the SIGHUP", func() bool { return len(hupsSeen(n.dir)) > 0 })
	time.Sleep(200 * time.Millisecond) // room for a second signal that must not come
	if got := hupsSeen(n.dir); !slices.Equal(got, []string{want}) {
		t.Errorf("got SIGHUPs reading %v, want one reading %s", got, want)
	}
	checkKeysFile(t, filepath.Join(n.dir, accessKeysFile), encoded(t, both))
}

// startDouble prepares the tenant's first node and starts the test binary
// as its storaged, and waits until it listens for SIGHUP.
func startDouble(t *testing.T, p *Provisioner, tenant *model.Tenant) *node {
	t.Helper()
	ca, err := pki.LoadOrCreateCA(p.TenantDir(tenant.Metadata.Name), "test CA")
	if err != nil {
		t.Fatal(err)
	}
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	if err := n.prepare(ca); err != nil {
		t.Fatal(err)
	}
	if err := n.start(os.Args[0], hclog.NewNullLogger()); err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(n.dir, accessKeysFile+".ready")
	waitFor(t, "the double to start", func() bool {
		_, err := os.Stat(ready)
		return err == nil
	})
	if !strings.Contains(strings.Join(n.args("creds.json"), " "),
		accessKeysFlag+" "+filepath.Join(n.dir, accessKeysFile)) {
		t.Errorf("got args %v, want %s with the node's file", n.args("creds.json"),
			accessKeysFlag)
	}
	return n
}
