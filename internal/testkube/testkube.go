package testkube

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/strata-storage/strata/internal/testetcd"
)

// Reader is the user, besides the administrator, whose bearer token the
// server trusts. It starts with no RBAC rights; GrantSecretRead gives it
// some.
const Reader = "strata-reader"

const (
	// admin is the administrator's user name, in group system:masters.
	admin = "testkube-admin"

	// readyTimeout bounds the wait for /readyz. The server is usually
	// ready within seconds; a loaded 2-core machine needs more.
	readyTimeout = 90 * time.Second

	// stopTimeout bounds the wait for the server to exit on SIGTERM
	// before it is killed.
	stopTimeout = 15 * time.Second

	// logLines is how much of the server's log a failure shows.
	logLines = 50
)

// Cluster is a running kube-apiserver. It stops when the test that
// started it ends.
type Cluster struct {
	// URL is the server's base URL, https://127.0.0.1:<port>.
	URL string
	// CA is the PEM certificate of the CA that signed the server's
	// serving certificate.
	CA []byte
	// Kubeconfig is the path of a kubeconfig file for the administrator:
	// the server, its CA and the administrator's token.
	Kubeconfig string
	// Config is the administrator's client configuration.
	Config *rest.Config
	// Client is a clientset for the administrator.
	Client kubernetes.Interface

	dir    string            // the test's directory for the cluster's files
	tokens map[string]string // bearer token by user name
	log    string            // the server's log file
}

// Start starts an etcd and a kube-apiserver on it, waits until the server
// is ready, and stops both when the test ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin := binary(t)
	c := &Cluster{
		dir:    t.TempDir(),
		tokens: map[string]string{admin: token(t), Reader: token(t)},
	}
	c.log = filepath.Join(c.dir, "kube-apiserver.log")
	p := newFiles(t, c.dir)
	c.CA = p.caPEM
	etcd := testetcd.Start(t)
	// The port is found free and then bound by the server, so another
	// process may take it in between: try again on a new one.
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		c.URL = "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		exited := c.run(t, bin, c.flags(t, etcd, port, p))
		c.Config = c.restConfig(admin)
		err := c.waitReady(t, exited)
		if err == nil {
			break
		}
		if attempt == startAttempts || !strings.Contains(c.logTail(), "address already in use") {
			t.Fatal(err)
		}
	}

	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatalf("building the administrator's client: %v", err)
	}
	c.Client = client
	c.Kubeconfig = c.writeKubeconfig(t, admin)
	return c
}

// flags returns the server's command line: the fewest flags 1.36 serves
// with, on loopback. (Turning off priority and fairness, the usual advice for
// a quicker start, made no difference that could be measured: 2.4 to 3.2 s
// either way.)
func (c *Cluster) flags(t testing.TB, etcd string, port int, p files) []string {
	t.Helper()
	return []string{
		"--etcd-servers=" + etcd,
		// Serve on loopback only, and say so to the clients it redirects.
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + p.certFile,
		"--tls-private-key-file=" + p.keyFile,
		// Required: the range that Services' cluster IPs come from.
		"--service-cluster-ip-range=10.0.0.0/24",
		// Required: the issuer and keys of service account tokens.
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + p.saPubFile,
		"--service-account-signing-key-file=" + p.saKeyFile,
		// The reconciler would publish the advertise address as the endpoint
		// of the kubernetes Service, which refuses a loopback address and
		// logs so every ten seconds. Nothing here runs in a pod.
		"--endpoint-reconciler-type=none",
		"--authorization-mode=RBAC",
		"--token-auth-file=" + c.writeTokens(t),
	}
}

// writeTokens writes the static token file: token,user,uid,"groups".
func (c *Cluster) writeTokens(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s,%s,%s,\"system:masters\"\n", c.tokens[admin], admin, admin)
	fmt.Fprintf(&b, "%s,%s,%s\n", c.tokens[Reader], Reader, Reader)
	path := filepath.Join(c.dir, "tokens.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatalf("writing the token file: %v", err)
	}
	return path
}

// run starts the server with its output in c.log, and stops it when the
// test ends. The returned channel is closed when the process has exited.
func (c *Cluster) run(t testing.TB, bin string, args []string) <-chan struct{} {
	t.Helper()
	logFile, err := os.Create(c.log)
	if err != nil {
		t.Fatalf("creating the server's log: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	t.Cleanup(func() { stop(t, cmd.Process, exited) })
	return exited
}

// stop asks the server to exit, kills it if it does not in time, and waits
// for it either way.
func stop(t testing.TB, p *os.Process, exited <-chan struct{}) {
	p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		t.Logf("kube-apiserver did not exit %v after SIGTERM; killing it", stopTimeout)
		p.Kill()
		<-exited
	}
}

// startAttempts bounds the ports Start tries.
const startAttempts = 3

// waitReady polls /readyz as the administrator until it answers 200, and
// returns an error with the end of the server's log if it does not in time
// or the server exits.
func (c *Cluster) waitReady(t testing.TB, exited <-chan struct{}) error {
	t.Helper()
	client, err := rest.HTTPClientFor(c.Config)
	if err != nil {
		t.Fatalf("building an HTTP client for the server: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	var last string
	for {
		if last = readyz(ctx, client, c.URL); last == "" {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("kube-apiserver exited before it was ready; its log ends:\n%s",
				c.logTail())
		case <-ctx.Done():
			return fmt.Errorf("kube-apiserver was not ready within %v (last answer: %s); its "+
				"log ends:\n%s", readyTimeout, last, c.logTail())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// logTail returns the last lines of the server's log.
func (c *Cluster) logTail() string {
	data, err := os.ReadFile(c.log)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", c.log, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > logLines {
		lines = lines[len(lines)-logLines:]
	}
	return strings.Join(lines, "\n")
}

// token returns a random bearer token.
func token(t testing.TB) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("generating a token: %v", err)
	}
	return hex.EncodeToString(b)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
