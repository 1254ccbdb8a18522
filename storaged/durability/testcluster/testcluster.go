// Package testcluster starts a real multi-node storaged tenant for tests:
// a throwaway tenant CA, one certificate per node (common name = node
// name, for server and client use), a topology file, and one storaged
// process per node on its own loopback port with its own drive folders.
// Tests can SIGKILL a node and start it again on the same port with the
// same drives, and get an S3 client aimed at any node.
//
// It is for tests only. It talks to nothing but the processes it starts,
// keeps everything in the calling test's temporary folders, and stops
// every process it started when the test ends.
package testcluster

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The credentials and region of every tenant started here.
const (
	Region    = "us-east-1"
	AccessKey = "AKIDCLUSTERTEST"
	SecretKey = "cluster-secret-key-0123456789"
)

const (
	readyTimeout = 30 * time.Second
	stopTimeout  = 20 * time.Second
)

// Config is the shape of the tenant to start.
type Config struct {
	// Bin is the storaged binary (see Build).
	Bin string
	// Nodes and DrivesPerNode give the pool's shape.
	Nodes, DrivesPerNode int
	// Parity is the erasure parity of every set.
	Parity int
	// Args are extra flags given to every node, e.g. --scan-interval 0.
	Args []string
}

// Cluster is a running tenant. Its fields are set by Start.
type Cluster struct {
	Nodes  []*Node
	Roots  *x509.CertPool // holds only the tenant CA
	CAFile string
	cfg    Config
	dir    string
	ca     *testCA
	creds  string
	pools  []*Pool // set by StartPools; nil for Start's one pool
}

// Node is one storaged process of the tenant.
type Node struct {
	Name     string
	Addr     string // 127.0.0.1:port
	Endpoint string // https://127.0.0.1:port
	Dir      string
	Drives   []string
	args     []string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// RaceEnv is the environment variable that makes Build compile storaged
// with the race detector when set to 1. The nodes inherit GORACE, so
// GORACE=halt_on_error=1 makes a node that races exit (and its case fail),
// and GORACE=log_path=… keeps the reports.
const RaceEnv = "STRATA_TEST_STORAGED_RACE"

// Build compiles storaged into dir and returns the binary's path. Call it
// once, from TestMain.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "storaged")
	args := []string{"build", "-o", bin}
	if os.Getenv(RaceEnv) == "1" {
		args = append(args, "-race")
	}
	args = append(args, "github.com/strata-storage/strata/storaged/cmd/storaged")
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building storaged: %w\n%s", err, out)
	}
	return bin, nil
}

// Start writes the tenant's CA, certificates, credentials and topology in
// a temporary folder of t, starts every node, waits until each is ready,
// and stops them all when t ends.
func Start(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	c := &Cluster{cfg: cfg, dir: t.TempDir()}
	c.ca = newCA(t)
	c.Roots, c.CAFile = c.ca.pool, c.ca.write(t, c.dir)
	c.creds = writeCredentials(t, c.dir)
	for i := range cfg.Nodes {
		c.Nodes = append(c.Nodes, c.newNode(t, c.ca, i))
	}
	c.setArgs(c.writeTopology(t))
	t.Cleanup(func() { c.stopAll(t) })
	for i := range c.Nodes {
		c.start(t, i)
	}
	for i := range c.Nodes {
		c.WaitReady(t, i)
	}
	return c
}

// setArgs gives every node its flags, with topology file topo.
func (c *Cluster) setArgs(topo string) {
	for _, n := range c.Nodes {
		n.args = []string{"--listen", n.Addr, "--topology", topo, "--node-name", n.Name,
			"--tls-ca", c.CAFile, "--tls-cert", filepath.Join(n.Dir, "cert.pem"),
			"--tls-key", filepath.Join(n.Dir, "key.pem"), "--credentials-file", c.creds,
			"--region", Region, "--log-json", "--log-level", "debug"}
		n.args = append(n.args, c.cfg.Args...)
	}
}

// newNode prepares node i: its port, folders and certificate.
func (c *Cluster) newNode(t testing.TB, ca *testCA, i int) *Node {
	t.Helper()
	n := &Node{
		Name: fmt.Sprintf("node-%d", i),
		Dir:  filepath.Join(c.dir, fmt.Sprintf("node-%d", i)),
	}
	n.Addr = "127.0.0.1:" + strconv.Itoa(freePort(t))
	n.Endpoint = "https://" + n.Addr
	for d := range c.cfg.DrivesPerNode {
		drive := filepath.Join(n.Dir, "drives", fmt.Sprintf("d%d", d))
		if err := os.MkdirAll(drive, 0o700); err != nil {
			t.Fatal(err)
		}
		n.Drives = append(n.Drives, drive)
	}
	ca.writeNodeCert(t, n.Dir, n.Name)
	return n
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeTopology writes the topology file every node reads.
func (c *Cluster) writeTopology(t testing.TB) string {
	t.Helper()
	if c.pools != nil {
		return c.writePoolsTopology(t)
	}
	type node struct {
		Name     string   `json:"name"`
		Endpoint string   `json:"endpoint"`
		Drives   []string `json:"drives"`
	}
	type pool struct {
		Name  string `json:"name"`
		Nodes []node `json:"nodes"`
	}
	topo := struct {
		Version int    `json:"version"`
		ID      string `json:"id"`
		Parity  int    `json:"parity"`
		Pools   []pool `json:"pools"`
	}{Version: 1, ID: "testcluster", Parity: c.cfg.Parity, Pools: []pool{{Name: "pool-0"}}}
	for _, n := range c.Nodes {
		topo.Pools[0].Nodes = append(topo.Pools[0].Nodes,
			node{Name: n.Name, Endpoint: n.Endpoint, Drives: n.Drives})
	}
	data, err := json.MarshalIndent(topo, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, "topology.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeCredentials(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "credentials.json")
	body := fmt.Sprintf(`{"accessKeyId":%q,"secretAccessKey":%q}`, AccessKey, SecretKey)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// start runs node i's process, its output appended to storaged.log.
func (c *Cluster) start(t testing.TB, i int) {
	t.Helper()
	n := c.Nodes[i]
	logf, err := os.OpenFile(filepath.Join(n.Dir, "storaged.log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(c.cfg.Bin, n.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = cleanEnv()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", n.Name, err)
	}
	n.cmd, n.exited = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(n.exited)
	}()
}

// cleanEnv is this process's environment without storaged's variables,
// so that only the flags configure the nodes.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "STORAGED_") || strings.HasPrefix(kv, "STRATA_ROOT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Running reports whether node i's process runs.
func (c *Cluster) Running(i int) bool {
	n := c.Nodes[i]
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// Kill sends SIGKILL to node i and waits for it to die.
func (c *Cluster) Kill(t testing.TB, i int) {
	t.Helper()
	n := c.Nodes[i]
	if !c.Running(i) {
		t.Fatalf("%s is not running", n.Name)
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
}

// Stop sends SIGTERM to node i and waits for it to exit, with SIGKILL
// after a while; a node that stops this way releases what it holds.
func (c *Cluster) Stop(t testing.TB, i int) {
	t.Helper()
	n := c.Nodes[i]
	if !c.Running(i) {
		t.Fatalf("%s is not running", n.Name)
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(stopTimeout):
		_ = n.cmd.Process.Kill()
		<-n.exited
		t.Errorf("%s did not stop within %s of SIGTERM", n.Name, stopTimeout)
	}
}

// Restart starts node i again, on the same port with the same drives, and
// waits until it is ready.
func (c *Cluster) Restart(t testing.TB, i int) {
	t.Helper()
	if c.Running(i) {
		t.Fatalf("%s is still running", c.Nodes[i].Name)
	}
	c.start(t, i)
	c.WaitReady(t, i)
}

// RestartAll starts every node that does not run, all at once, and waits
// until every node is ready: after the whole tenant was killed, no node is
// ready until a quorum of the others runs too.
func (c *Cluster) RestartAll(t testing.TB) {
	t.Helper()
	for i := range c.Nodes {
		if !c.Running(i) {
			c.start(t, i)
		}
	}
	for i := range c.Nodes {
		c.WaitReady(t, i)
	}
}

// WaitReady waits until node i answers its readiness check.
func (c *Cluster) WaitReady(t testing.TB, i int) {
	t.Helper()
	n := c.Nodes[i]
	client := c.HTTPClient()
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := client.Get(n.Endpoint + "/strata/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-n.exited:
			t.Fatalf("%s exited while starting; its log ends:\n%s", n.Name, c.LogTail(i, 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within %s: %v; its log ends:\n%s", n.Name, readyTimeout,
				err, c.LogTail(i, 20))
		}
	}
}

// WaitDrivesOnline waits until node i reaches every drive of the tenant,
// its own and its peers': a node restarted a moment ago answers its
// readiness check before the others have reconnected to it.
func (c *Cluster) WaitDrivesOnline(t testing.TB, i int) {
	t.Helper()
	client := c.HTTPClient()
	deadline := time.Now().Add(readyTimeout)
	for {
		var rep struct {
			Online  int `json:"online"`
			Offline int `json:"offline"`
		}
		err := getJSON(client, c.Nodes[i].Endpoint+"/strata/health/drives", &rep)
		if err == nil && rep.Offline == 0 && rep.Online > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not reach every drive within %s: %+v, %v", c.Nodes[i].Name,
				readyTimeout, rep, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// getJSON GETs u and decodes its JSON body into v.
func getJSON(hc *http.Client, u string, v any) error {
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// LogTail returns the last lines of node i's log.
func (c *Cluster) LogTail(i, lines int) string {
	b, _ := os.ReadFile(filepath.Join(c.Nodes[i].Dir, "storaged.log"))
	all := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// stopAll stops the running nodes with SIGTERM, or SIGKILL when they do
// not stop in time, and reports a node that did not exit cleanly.
func (c *Cluster) stopAll(t testing.TB) {
	for i, n := range c.Nodes {
		if c.Running(i) {
			_ = n.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for i, n := range c.Nodes {
		if n.cmd == nil {
			continue
		}
		select {
		case <-n.exited:
		case <-time.After(stopTimeout):
			_ = n.cmd.Process.Kill()
			<-n.exited
			t.Errorf("%s did not stop within %s of SIGTERM", n.Name, stopTimeout)
			continue
		}
		if code := n.cmd.ProcessState.ExitCode(); code != 0 && code != -1 {
			t.Errorf("%s exited with status %d; its log ends:\n%s", n.Name, code, c.LogTail(i, 10))
		}
	}
}

// HTTPClient returns an HTTP client that trusts only the tenant CA and
// presents no certificate, as an S3 client does.
func (c *Cluster) HTTPClient() *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: c.Roots, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: 16,
		},
	}
}

// S3 returns an S3 client (aws-sdk-go-v2) aimed at node i, path-style,
// that never retries, so that a test sees every 503 the node answers.
func (c *Cluster) S3(i int) *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(c.Nodes[i].Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		HTTPClient:   c.HTTPClient(),
		Retryer:      aws.NopRetryer{},
	})
}
