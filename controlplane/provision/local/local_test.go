package local

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
)

// storagedBin is the storaged binary TestMain builds; tests only read it.
var storagedBin string

func TestMain(m *testing.M) {
	if isStoragedDouble(os.Args) {
		os.Exit(runStoragedDouble(os.Args))
	}
	dir, err := os.MkdirTemp("", "strata-local-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	storagedBin = filepath.Join(dir, "storaged")
	out, err := exec.Command("go", "build", "-o", storagedBin,
		"github.com/strata-storage/strata/storaged/cmd/storaged").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building storaged: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ensureReady calls Ensure until the tenant is ready, and destroys the
// tenant when the test ends.
func ensureReady(t *testing.T, p *Provisioner, tenant *model.Tenant) provision.Observed {
	t.Helper()
	t.Cleanup(func() {
		if err := p.Destroy(context.Background(), tenant.Metadata.Name); err != nil {
			t.Errorf("destroying %s: %v", tenant.Metadata.Name, err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		obs, err := p.Ensure(context.Background(), tenant)
		if err != nil {
			t.Fatalf("Ensure: %v", err)
		}
		if obs.Ready {
			return obs
		}
		if time.Now().After(deadline) {
			t.Fatalf("tenant not ready within 30s: %s", obs.Message)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func newTenant(name string, servers, drives int) *model.Tenant {
	tn := &model.Tenant{Metadata: model.Metadata{Name: name}, Spec: model.TenantSpec{
		Cluster: "local",
		Pools:   []model.Pool{{Name: "pool-0", Servers: servers, DrivesPerServer: drives}},
	}}
	tn.Spec.Default()
	return tn
}

func newProvisioner(t *testing.T) *Provisioner {
	t.Helper()
	p, err := New(Config{StateDir: t.TempDir(), StoragedBin: storagedBin})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// s3Client returns an S3 client for endpoint that trusts the tenant's CA.
func s3Client(t *testing.T, obs provision.Observed, endpoint string) *s3.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(obs.CABundle)) {
		t.Fatal("the CA bundle holds no certificate")
	}
	return s3.New(s3.Options{
		Region:       model.DefaultRegion,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(obs.Credentials.AccessKeyID,
			obs.Credentials.SecretAccessKey, ""),
		HTTPClient: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}},
		Retryer: aws.NopRetryer{},
	})
}

// TestMultiServerTenantServesS3OnAnyNode provisions a tenant of 2 servers
// with 2 drives each, waits for it to become ready, and stores through
// each node what the other reads back.
func TestMultiServerTenantServesS3OnAnyNode(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("duo", 2, 2)
	obs := ensureReady(t, p, tenant)

	if len(obs.Nodes) != 2 || obs.Endpoint != obs.Nodes[0].Endpoint {
		t.Fatalf("got nodes %+v and endpoint %s, want 2 nodes and the first one's endpoint",
			obs.Nodes, obs.Endpoint)
	}
	ctx := context.Background()
	first := s3Client(t, obs, obs.Nodes[0].Endpoint)
	if _, err := first.CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatalf("creating a bucket: %v", err)
	}
	for i, n := range obs.Nodes {
		other := obs.Nodes[1-i]
		key := "written-via-" + n.Name
		body := bytes.Repeat([]byte(n.Name), 300_000)
		_, err := s3Client(t, obs, n.Endpoint).PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("shared"), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("PUT via %s: %v", n.Name, err)
		}
		got, err := getObject(ctx, s3Client(t, obs, other.Endpoint), "shared", key)
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("GET via %s of what %s stored: got %d bytes, %v; want %d bytes",
				other.Name, n.Name, len(got), err, len(body))
		}
	}
	checkTopology(t, p, tenant)
	checkHealing(t, p, tenant)
}

// checkHealing checks that Ensure reports the nodes' healing: a new
// tenant of several nodes gets a (trivial) rebuild job for every drive,
// since no node can tell a new tenant from a replaced node, and the jobs
// end done with no object failed.
func checkHealing(t *testing.T, p *Provisioner, tenant *model.Tenant) {
	t.Helper()
	var h *model.TenantHealing
	for range 100 {
		obs, err := p.Ensure(context.Background(), tenant)
		if err != nil {
			t.Fatal(err)
		}
		if h = obs.Healing; h != nil && len(h.DriveJobs) == 4 && !h.DriveJobs[0].Pending() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if h == nil || len(h.DriveJobs) != 4 {
		t.Fatalf("got healing %+v, want a job for each of the 4 drives", h)
	}
	for _, j := range h.DriveJobs {
		if j.State != "done" || j.Failed != 0 || j.Node == "" || j.Drive == "" {
			t.Errorf("got job %+v, want a node's drive done with no failure", j)
		}
	}
	if h.ObjectsFailed != 0 {
		t.Errorf("got %d objects failed, want none", h.ObjectsFailed)
	}
}

// checkTopology checks the tenant's topology file and that a second Ensure
// keeps it as it is.
func checkTopology(t *testing.T, p *Provisioner, tenant *model.Tenant) {
	t.Helper()
	path := filepath.Join(p.TenantDir(tenant.Metadata.Name), topologyFile)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var topo topology
	if err := json.Unmarshal(before, &topo); err != nil {
		t.Fatal(err)
	}
	if topo.Parity != 2 || len(topo.Pools) != 1 || len(topo.Pools[0].Nodes) != 2 ||
		len(topo.Pools[0].Nodes[1].Drives) != 2 || topo.ID == "" {
		t.Errorf("topology: got %+v, want parity 2 and one pool of 2 nodes with 2 drives", topo)
	}
	if _, err := p.Ensure(context.Background(), tenant); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("a second Ensure changed the topology:\n%s\nwant\n%s", after, before)
	}
}

func getObject(ctx context.Context, c *s3.Client, bucket, key string) ([]byte, error) {
	out, err := c.GetObject(
		ctx,
		&s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
	)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// TestSingleServerTenantKeepsItsFlags checks that a tenant of one server
// runs as before: drives on the command line and no topology.
func TestSingleServerTenantKeepsItsFlags(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("solo", 1, 4)
	obs := ensureReady(t, p, tenant)

	dir := p.TenantDir("solo")
	if _, err := os.Stat(filepath.Join(dir, topologyFile)); !os.IsNotExist(err) {
		t.Errorf("a single-server tenant has a topology file (%v); want none", err)
	}
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	args := strings.Join(n.args("creds.json"), " ")
	if !strings.Contains(args, "--drive ") || strings.Contains(args, "--topology") {
		t.Errorf("got args %q, want --drive and no --topology", args)
	}
	if len(obs.Nodes) != 1 || obs.Nodes[0].State != stateRunning {
		t.Errorf("got nodes %+v, want one running node", obs.Nodes)
	}
}

func TestALostDriveIsReportedOffline(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("lossy", 1, 4)
	obs := ensureReady(t, p, tenant)
	if obs.Nodes[0].DrivesOnline != 4 || len(obs.OfflineDrives) != 0 {
		t.Fatalf("fresh tenant: got %d online, offline %v; want 4 and none",
			obs.Nodes[0].DrivesOnline, obs.OfflineDrives)
	}
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	if err := os.RemoveAll(n.drivePath(2)); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		obs, err := p.Ensure(context.Background(), tenant)
		if err != nil {
			t.Fatal(err)
		}
		if len(obs.OfflineDrives) > 0 {
			if obs.Nodes[0].DrivesOnline != 3 || obs.OfflineDrives[0] != n.name+":d2" {
				t.Errorf("got %d online, offline %v; want 3 and [%s:d2]",
					obs.Nodes[0].DrivesOnline, obs.OfflineDrives, n.name)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the removed drive was never reported offline")
}

func TestCertificatesAreRenewedWithoutARestart(t *testing.T) {
	t.Parallel()
	p, err := New(Config{StateDir: t.TempDir(), StoragedBin: storagedBin,
		CertLifetime: 20 * time.Second, CertRenewBefore: 18 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tenant := newTenant("renew", 1, 4)
	first := ensureReady(t, p, tenant)
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	pid, _ := livePID(n.dir)
	oldSerial := servedSerial(t, first)

	time.Sleep(2500 * time.Millisecond) // now inside the renewal window
	if _, err := p.Ensure(context.Background(), tenant); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if servedSerial(t, first) != oldSerial {
			if now, _ := livePID(n.dir); now != pid {
				t.Errorf(
					"storaged pid changed from %d to %d: want a reload, not a restart",
					pid,
					now,
				)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the node still serves its old certificate after renewal")
}

// servedSerial returns the serial of the certificate the tenant's first
// node presents.
func servedSerial(t *testing.T, obs provision.Observed) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(obs.CABundle))
	conn, err := tls.Dial("tcp", strings.TrimPrefix(obs.Endpoint, "https://"),
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

func TestARenewalWindowOverTheLifetimeIsRefused(t *testing.T) {
	t.Parallel()
	_, err := New(Config{StateDir: t.TempDir(), StoragedBin: storagedBin,
		CertLifetime: time.Hour, CertRenewBefore: 2 * time.Hour})
	if err == nil || !strings.Contains(err.Error(), "renewal window") {
		t.Errorf("got %v, want an error about the renewal window", err)
	}
}
