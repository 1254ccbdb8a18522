// Package testcp starts real Strata control planes for tests: it builds the
// strata-controlplane and storaged binaries once per test binary, runs the
// control plane as a process with a temporary state directory on a free
// loopback port, and stops it and every storage node it started when the
// test ends.
package testcp

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/provision/local"
	"github.com/strata-storage/strata/controlplane/store"
)

// ControlPlane is a running strata-controlplane process.
type ControlPlane struct {
	Endpoint   string // https://127.0.0.1:PORT
	Token      string
	CACertFile string
	StateDir   string
	// BinDir holds the built strata-controlplane and storaged.
	BinDir string

	addr string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

var build struct {
	once sync.Once
	dir  string
	err  error
}

// binaries maps each program to its package, relative to the module root.
var binaries = map[string]string{
	"strata-controlplane":       "./controlplane/cmd/strata-controlplane",
	"storaged":                  "./storaged/cmd/storaged",
	"terraform-provider-strata": ".",
}

// BuildBinaries builds the three programs into one temporary directory,
// once per test binary, and returns it. Main removes the directory when
// the test binary ends.
func BuildBinaries(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "strata-bin-")
		if build.err != nil {
			return
		}
		for name, pkg := range binaries {
			out := filepath.Join(build.dir, name)
			cmd := exec.Command("go", "build", "-o", out, pkg)
			cmd.Dir = moduleRoot()
			if b, err := cmd.CombinedOutput(); err != nil {
				build.err = &buildError{pkg: pkg, out: string(b), err: err}
				return
			}
		}
	})
	if build.err != nil {
		t.Fatalf("building binaries: %v", build.err)
	}
	return build.dir
}

// Main runs the tests of a package that uses BuildBinaries and removes
// the built binaries afterwards. Call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	return code
}

type buildError struct {
	pkg, out string
	err      error
}

func (e *buildError) Error() string { return e.pkg + ": " + e.err.Error() + "\n" + e.out }

// moduleRoot finds the directory holding go.mod above the working directory.
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Options change how StartWith runs a control plane.
type Options struct {
	// StateDir is the state directory; empty means a fresh one. Replicas
	// that share an etcd store share it too.
	StateDir string
	// Args are added to the serve command line, such as --store. With an
	// etcd store and no --secrets-key-file, the replicas get the key file
	// secrets.key of StateDir, which they share.
	Args []string
}

// Start builds the binaries and starts a control plane with a fresh state
// directory. It is stopped, with its storage nodes, when the test ends.
func Start(t testing.TB) *ControlPlane {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *ControlPlane {
	t.Helper()
	if opts.StateDir == "" {
		opts.StateDir = t.TempDir()
	}
	opts.Args = withSecretsKey(t, opts)
	cp := &ControlPlane{
		StateDir: opts.StateDir,
		BinDir:   BuildBinaries(t),
		addr:     FreeAddr(t),
		args:     opts.Args,
	}
	cp.Endpoint = "https://" + cp.addr
	cp.CACertFile = filepath.Join(cp.StateDir, "ca.pem")
	cp.start(t)
	t.Cleanup(func() {
		cp.stop(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := local.StopNodes(ctx, filepath.Join(cp.StateDir, "tenants")); err != nil {
			t.Errorf("stopping storage nodes: %v", err)
		}
	})
	return cp
}

// withSecretsKey returns opts.Args, with a --secrets-key-file in StateDir
// added when the store is etcd and none is given, as serve requires.
func withSecretsKey(t testing.TB, opts Options) []string {
	t.Helper()
	etcd := false
	for _, a := range opts.Args {
		if strings.Contains(a, "secrets-key-file") {
			return opts.Args
		}
		etcd = etcd || strings.Contains(a, "etcd://")
	}
	if !etcd {
		return opts.Args
	}
	path := filepath.Join(opts.StateDir, "secrets.key")
	if _, err := store.ReadOrCreateSecretsKey(path); err != nil {
		t.Fatalf("making the replicas' secrets key: %v", err)
	}
	return append(slices.Clone(opts.Args), "--secrets-key-file", path)
}

func (cp *ControlPlane) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(cp.logPath(),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	args := append([]string{"serve", "--listen", cp.addr, "--state-dir", cp.StateDir,
		"--resync", "2s", "--log-level", "debug"}, cp.args...)
	cp.cmd = exec.Command(filepath.Join(cp.BinDir, "strata-controlplane"), args...)
	cp.cmd.Stdout, cp.cmd.Stderr = logf, logf
	if err := cp.cmd.Start(); err != nil {
		t.Fatalf("starting control plane: %v", err)
	}
	cp.done = make(chan struct{})
	go func() { _ = cp.cmd.Wait(); close(cp.done) }()
	cp.waitReady(t)
}

// waitReady waits until the API answers an authenticated request.
func (cp *ControlPlane) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-cp.done:
			t.Fatalf("control plane exited early; log:\n%s", cp.Log())
		default:
		}
		if cp.answers() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("control plane not ready within 30s; log:\n%s", cp.Log())
}

func (cp *ControlPlane) answers() bool {
	tok, err := os.ReadFile(filepath.Join(cp.StateDir, "admin.token"))
	if err != nil {
		return false
	}
	cp.Token = strings.TrimSpace(string(tok))
	c, err := client.New(client.Config{Endpoint: cp.Endpoint, Token: cp.Token,
		CACertFile: cp.CACertFile, Timeout: 2 * time.Second})
	if err != nil {
		return false
	}
	_, err = c.ListClusters(context.Background())
	return err == nil
}

func (cp *ControlPlane) stop(t testing.TB) {
	t.Helper()
	if cp.cmd == nil || cp.cmd.Process == nil {
		return
	}
	_ = cp.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-cp.done:
	case <-time.After(20 * time.Second):
		_ = cp.cmd.Process.Kill()
		<-cp.done
		t.Errorf("control plane did not stop on SIGTERM within 20s")
	}
}

// Kill stops the control plane with SIGKILL, leaving its storage nodes
// running, as a crash would.
func (cp *ControlPlane) Kill(t testing.TB) {
	t.Helper()
	_ = cp.cmd.Process.Kill()
	<-cp.done
}

// Restart stops the control plane (not its storage nodes) and starts it
// again on the same port and state directory.
func (cp *ControlPlane) Restart(t testing.TB) {
	t.Helper()
	cp.stop(t)
	cp.start(t)
}

// Client returns an API client for this control plane.
func (cp *ControlPlane) Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: cp.Endpoint, Token: cp.Token,
		CACertFile: cp.CACertFile})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// Log returns what the control plane has logged so far.
func (cp *ControlPlane) Log() string {
	b, _ := os.ReadFile(cp.logPath())
	return string(b)
}

// logPath is the control plane's log file; replicas sharing a state
// directory each have their own.
func (cp *ControlPlane) logPath() string {
	return filepath.Join(cp.StateDir, "controlplane-"+strconv.Itoa(cp.Port())+".log")
}

// HTTPClient returns an HTTP client that trusts the control plane's CA.
func (cp *ControlPlane) HTTPClient(t testing.TB) *http.Client {
	t.Helper()
	c, err := client.HTTPClient(client.Config{CACertFile: cp.CACertFile})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Env returns STRATA_ENDPOINT, STRATA_TOKEN and STRATA_CA_CERT for this
// control plane, as NAME=value strings.
func (cp *ControlPlane) Env() []string {
	return []string{
		client.EnvEndpoint + "=" + cp.Endpoint,
		client.EnvToken + "=" + cp.Token,
		client.EnvCACert + "=" + cp.CACertFile,
	}
}

// Port returns the control plane's port.
func (cp *ControlPlane) Port() int {
	_, p, _ := net.SplitHostPort(cp.addr)
	n, _ := strconv.Atoi(p)
	return n
}
