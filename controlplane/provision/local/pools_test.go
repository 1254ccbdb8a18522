package local

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// rawTopology reads the tenant's topology file as storaged would see it.
func rawTopology(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, topologyFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// rawPools returns the pools of a raw topology, by name.
func rawPools(m map[string]any) (names []string, byName map[string]map[string]any) {
	byName = map[string]map[string]any{}
	for _, p := range m["pools"].([]any) {
		pm := p.(map[string]any)
		names = append(names, pm["name"].(string))
		byName[pm["name"].(string)] = pm
	}
	return names, byName
}

// writePlan lays out the tenant's pools from the topology on disk and
// writes the new topology, as Ensure does before it starts any node.
func writePlan(t *testing.T, p *Provisioner, tenant *model.Tenant, ca *pki.CA) []poolNodes {
	t.Helper()
	dir := p.TenantDir(tenant.Metadata.Name)
	old, err := loadTopology(dir)
	if err != nil {
		t.Fatal(err)
	}
	pools, err := p.planPools(tenant, old, ca, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := joinTopology(dir, tenant.Spec.Parity, pools); err != nil {
		t.Fatal(err)
	}
	return pools
}

func addPool(tenant *model.Tenant, name string, servers, drives int) {
	pool := model.Pool{Name: name, Servers: servers, DrivesPerServer: drives}
	tenant.Spec.Pools = append(tenant.Spec.Pools, pool)
	tenant.Spec.Default()
}

func removePool(tenant *model.Tenant, name string) {
	var keep []model.Pool
	for _, p := range tenant.Spec.Pools {
		if p.Name != name {
			keep = append(keep, p)
		}
	}
	tenant.Spec.Pools = keep
}

// TestTopologyNamesPoolsByIDAndMarksRemovedOnes follows a tenant's topology
// file through a pool added and the first pool removed: the first pool
// never gets an "id", a new one gets its own, the order never changes, and
// a removed pool stays with "decommission": true until it is drained.
func TestTopologyNamesPoolsByIDAndMarksRemovedOnes(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("topo", 2, 2)
	dir := p.TenantDir("topo")
	ca, err := pki.LoadOrCreateCA(dir, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	writePlan(t, p, tenant, ca)
	first := rawTopology(t, dir)
	fileID := first["id"].(string)
	if _, byName := rawPools(first); byName["pool-0"]["id"] != nil {
		t.Errorf("the first pool: got id %v, want none (it uses the file's)",
			byName["pool-0"]["id"])
	}

	addPool(tenant, "pool-1", 1, 4)
	writePlan(t, p, tenant, ca)
	grown := rawTopology(t, dir)
	names, byName := rawPools(grown)
	newID, _ := byName["pool-1"]["id"].(string)
	switch {
	case grown["id"] != fileID:
		t.Errorf("file id: got %v, want %s kept", grown["id"], fileID)
	case strings.Join(names, ",") != "pool-0,pool-1":
		t.Errorf("pools: got %v, want pool-0,pool-1", names)
	case newID == "" || newID == fileID || byName["pool-0"]["id"] != nil:
		t.Errorf("ids: got pool-0 %v and pool-1 %q, want none and a new one",
			byName["pool-0"]["id"], newID)
	case len(byName["pool-1"]["nodes"].([]any)) != 1:
		t.Errorf("pool-1 nodes: got %v, want 1", byName["pool-1"]["nodes"])
	}

	removePool(tenant, "pool-0")
	pools := writePlan(t, p, tenant, ca)
	names, byName = rawPools(rawTopology(t, dir))
	switch {
	case strings.Join(names, ",") != "pool-0,pool-1":
		t.Errorf("pools after removing pool-0: got %v, want both until it is drained", names)
	case byName["pool-0"]["decommission"] != true || byName["pool-1"]["decommission"] != nil:
		t.Errorf("decommission: got pool-0 %v, pool-1 %v; want true and absent",
			byName["pool-0"]["decommission"], byName["pool-1"]["decommission"])
	case byName["pool-1"]["id"] != newID:
		t.Errorf("pool-1 id: got %v, want %s kept", byName["pool-1"]["id"], newID)
	case len(byName["pool-0"]["nodes"].([]any)) != 2:
		t.Errorf("the leaving pool's nodes: got %v, want its 2 nodes kept",
			byName["pool-0"]["nodes"])
	}
	if r := drainRunner(pools); r == nil || r.name != "pool-1-0" {
		t.Errorf("drain runner: got %v, want pool-1-0", r)
	}
}

// doubleProvisioner runs the test binary as every node's storaged (see
// accesskeys_test.go): processes that run but never answer, enough to see
// which nodes are restarted.
func doubleProvisioner(t *testing.T) *Provisioner {
	t.Helper()
	p, err := New(Config{StateDir: t.TempDir(), StoragedBin: os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pids returns the pid of every node of the tenant that runs, by name.
func pids(p *Provisioner, tenant string) map[string]int {
	out := map[string]int{}
	entries, _ := os.ReadDir(filepath.Join(p.TenantDir(tenant), "nodes"))
	for _, e := range entries {
		if pid, ok := livePID(filepath.Join(p.TenantDir(tenant), "nodes", e.Name())); ok {
			out[e.Name()] = pid
		}
	}
	return out
}

func mustEnsure(t *testing.T, p *Provisioner, tenant *model.Tenant) provision.Observed {
	t.Helper()
	obs, err := p.Ensure(context.Background(), tenant)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return obs
}

// TestANewTopologyRestartsEveryNodeTogether adds a pool to a running tenant
// and checks that every old node restarts in the same reconcile, that a
// reconcile with nothing new restarts nothing, and that a topology written
// by a control plane that stopped before restarting is taken up by the
// next reconcile.
func TestANewTopologyRestartsEveryNodeTogether(t *testing.T) {
	t.Parallel()
	p := doubleProvisioner(t)
	tenant := newTenant("together", 2, 2)
	t.Cleanup(func() { _ = p.Destroy(context.Background(), "together") })
	mustEnsure(t, p, tenant)
	before := pids(p, "together")
	if len(before) != 2 {
		t.Fatalf("running nodes: got %v, want 2", before)
	}
	if obs := mustEnsure(t, p, tenant); obs.Restarting != "" ||
		!sameMap(pids(p, "together"), before) {
		t.Fatalf("a reconcile with nothing new: got %q and pids %v, want no restart of %v",
			obs.Restarting, pids(p, "together"), before)
	}

	addPool(tenant, "pool-1", 1, 2)
	obs := mustEnsure(t, p, tenant)
	after := pids(p, "together")
	if !strings.Contains(obs.Restarting, "together") || len(after) != 3 {
		t.Fatalf("adding a pool: got %q with %v, want every node restarted together",
			obs.Restarting, after)
	}
	for name, pid := range before {
		if after[name] == pid {
			t.Errorf("node %s still runs pid %d from before the new pool", name, pid)
		}
	}

	// A control plane that wrote the next topology and stopped.
	ca, err := pki.LoadCA(p.TenantDir("together"))
	if err != nil {
		t.Fatal(err)
	}
	addPool(tenant, "pool-2", 1, 2)
	writePlan(t, p, tenant, ca)
	obs = mustEnsure(t, p, tenant)
	resumed := pids(p, "together")
	for name, pid := range after {
		if resumed[name] == pid {
			t.Errorf("after a restart half-way: node %s still runs pid %d", name, pid)
		}
	}
	if obs.Restarting == "" || len(resumed) != 4 {
		t.Errorf("after a restart half-way: got %q with %v, want 4 nodes restarted",
			obs.Restarting, resumed)
	}
}

func sameMap(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestNewSettingsWaitUntilEveryNodeIsReady turns metrics on for a tenant
// whose nodes do not answer ready: no node is stopped, since restarting
// one while another is down could take the tenant below quorum.
func TestNewSettingsWaitUntilEveryNodeIsReady(t *testing.T) {
	t.Parallel()
	p := doubleProvisioner(t)
	tenant := newTenant("rolling", 2, 2)
	t.Cleanup(func() { _ = p.Destroy(context.Background(), "rolling") })
	mustEnsure(t, p, tenant)
	before := pids(p, "rolling")

	tenant.Spec.Monitoring = &model.TenantMonitoring{Prometheus: true}
	obs := mustEnsure(t, p, tenant)
	if !strings.Contains(obs.Restarting, "waiting for node pool-0-0") || obs.Ready {
		t.Errorf("got %q (ready %v), want it waiting for pool-0-0 to answer ready",
			obs.Restarting, obs.Ready)
	}
	if got := pids(p, "rolling"); !sameMap(got, before) {
		t.Errorf("pids: got %v, want %v: no node stopped while others are not ready",
			got, before)
	}
	n := p.node(tenant, tenant.Spec.Pools[0], 1)
	if got := n.staleness(); got != staleArgs {
		t.Errorf("staleness of a node without --metrics=true: got %d, want staleArgs", got)
	}
}

// adminDouble stands in for the drain runner's GET /strata/admin/pools:
// it answers with the reports in turn (the last one again once they run
// out), and checks that each request is signed by the tenant's root key.
type adminDouble struct {
	t       *testing.T
	keyID   string
	reports []string
	calls   atomic.Int32
}

func (d *adminDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if r.URL.Path != "/strata/admin/pools" ||
		!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+d.keyID+"/") {
		d.t.Errorf("got %s %s signed %q, want GET /strata/admin/pools signed by %s",
			r.Method, r.URL.Path, auth, d.keyID)
		http.Error(w, "unsigned", http.StatusForbidden)
		return
	}
	i := min(int(d.calls.Add(1))-1, len(d.reports)-1)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, d.reports[i])
}

// serveAs starts a TLS server with the node's certificate on the node's
// behalf and points the node at it.
func serveAs(t *testing.T, n *node, h http.Handler) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(n.dir, "cert.pem"),
		filepath.Join(n.dir, "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	n.port, _ = strconv.Atoi(port)
}

// TestADrainedPoolIsRemoved decommissions a pool against a double of the
// drain runner: while it drains, the tenant's status shows its figures;
// once the runner says done, the pool leaves the topology and its nodes'
// directories are deleted, and so is a node directory that a removal
// stopped half-way left behind.
func TestADrainedPoolIsRemoved(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("drain", 2, 2)
	addPool(tenant, "pool-1", 2, 2)
	dir := p.TenantDir("drain")
	ca, err := pki.LoadOrCreateCA(dir, "test CA")
	if err != nil {
		t.Fatal(err)
	}
	writePlan(t, p, tenant, ca)
	fileID := rawTopology(t, dir)["id"].(string)
	removePool(tenant, "pool-0")
	pools := writePlan(t, p, tenant, ca)
	_, byName := rawPools(rawTopology(t, dir))
	leavingID, keptID := fileID, byName["pool-1"]["id"].(string)

	creds := model.Credentials{AccessKeyID: "ROOTKEY", SecretAccessKey: "rootsecret"}
	report := func(state string, moved, left int) string {
		return fmt.Sprintf(`{"pools":[{"name":"pool-0","id":%q,"sets":1,"drives":4,`+
			`"totalBytes":4000,"freeBytes":3000,"decommission":{"state":%q,`+
			`"runner":"pool-1-0","startedAt":"2026-12-04T21:00:00Z","objectsMoved":%d,`+
			`"bytesMoved":%d,"objectsLeft":%d,"uploadsLeft":0,"failed":[]}},`+
			`{"name":"pool-1","id":%q,"sets":1,"drives":4,"totalBytes":4000,`+
			`"freeBytes":2000,"decommission":null}]}`,
			leavingID, state, moved, moved*100, left, keptID)
	}
	admin := &adminDouble{t: t, keyID: creds.AccessKeyID,
		reports: []string{report("draining", 12, 3), report("done", 15, 0)}}
	runner := drainRunner(pools)
	serveAs(t, runner, admin)

	obs := provision.Observed{Ready: true, Credentials: creds}
	remaining, err := p.observePools(context.Background(), dir, tenant.Spec.Parity, pools,
		ca, &obs)
	if err != nil {
		t.Fatal(err)
	}
	leaving := obs.Pools[0]
	switch {
	case len(remaining) != 2 || len(obs.Pools) != 2:
		t.Fatalf("while draining: got %d pools and status %+v, want both", len(remaining),
			obs.Pools)
	case leaving.State != model.PoolDecommissioning || leaving.Decommission == nil ||
		leaving.Decommission.ObjectsMoved != 12 || leaving.Decommission.ObjectsLeft != 3:
		t.Errorf("pool-0 while draining: got %+v, want Decommissioning with 12 moved, 3 left",
			leaving)
	case obs.Pools[1].State != model.PoolActive || obs.Pools[1].FreeBytes != 2000:
		t.Errorf("pool-1: got %+v, want Active with 2000 bytes free", obs.Pools[1])
	case !strings.Contains(obs.Decommissioning, "12 object(s) moved (1200 bytes), 3 left"):
		t.Errorf("message: got %q, want the counts", obs.Decommissioning)
	}

	orphan := filepath.Join(dir, "nodes", "gone-0")
	if err := os.MkdirAll(filepath.Join(orphan, "drives", "d0"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(orphan, "node.json"), []byte(`{"port":1}`),
		0o600); err != nil {
		t.Fatal(err)
	}

	obs = provision.Observed{Ready: true, Credentials: creds}
	remaining, err = p.observePools(context.Background(), dir, tenant.Spec.Parity, pools,
		ca, &obs)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := rawPools(rawTopology(t, dir))
	switch {
	case len(remaining) != 1 || remaining[0].name != "pool-1":
		t.Errorf("once done: got %d pools left, want pool-1 alone", len(remaining))
	case obs.Pools[0].State != model.PoolRemoved || obs.Ready:
		t.Errorf("once done: got %+v (ready %v), want pool-0 Removed and the tenant "+
			"restarting", obs.Pools[0], obs.Ready)
	case strings.Join(names, ",") != "pool-1":
		t.Errorf("topology once done: got pools %v, want pool-1 alone", names)
	}
	for _, n := range pools[0].nodes {
		if _, err := os.Stat(n.dir); !os.IsNotExist(err) {
			t.Errorf("node %s of the removed pool: directory still there (%v)", n.name, err)
		}
	}

	if err := removeOrphans(context.Background(), dir, remaining); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("a node directory that no pool names: still there (%v)", err)
	}
	for _, n := range remaining[0].nodes {
		if _, err := os.Stat(n.dir); err != nil {
			t.Errorf("node %s of the kept pool: %v", n.name, err)
		}
	}
}
