package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision/local"
)

// controlPlane is a strata-controlplane process this program started.
type controlPlane struct {
	endpoint, token, caFile, stateDir string

	cmd    *exec.Cmd
	exited chan struct{}
}

// startControlPlane runs strata-controlplane serve from binDir on a free
// loopback port with stateDir, and waits until its API answers.
func startControlPlane(ctx context.Context, binDir, stateDir string) (*controlPlane, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(stateDir, "controlplane.log"))
	if err != nil {
		return nil, fmt.Errorf("creating the control plane's log: %w", err)
	}
	defer logf.Close()
	cp := &controlPlane{endpoint: "https://" + addr, stateDir: stateDir,
		caFile: filepath.Join(stateDir, "ca.pem"), exited: make(chan struct{})}
	cp.cmd = exec.Command(filepath.Join(binDir, "strata-controlplane"), "serve",
		"--listen", addr, "--state-dir", stateDir)
	cp.cmd.Stdout, cp.cmd.Stderr = logf, logf
	if err := cp.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the control plane (run make build?): %w", err)
	}
	go func() { _ = cp.cmd.Wait(); close(cp.exited) }()
	if err := cp.waitReady(ctx); err != nil {
		cp.stop()
		return nil, err
	}
	return cp, nil
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls until an authenticated request succeeds, for at most
// 30 seconds.
func (cp *controlPlane) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-cp.exited:
			return fmt.Errorf("the control plane exited; see %s/controlplane.log", cp.stateDir)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if cp.answers(ctx) {
			return nil
		}
	}
	return fmt.Errorf("the control plane did not answer within 30s")
}

func (cp *controlPlane) answers(ctx context.Context) bool {
	tok, err := os.ReadFile(filepath.Join(cp.stateDir, "admin.token"))
	if err != nil {
		return false
	}
	cp.token = strings.TrimSpace(string(tok))
	c, err := cp.client()
	if err != nil {
		return false
	}
	_, err = c.ListClusters(ctx)
	return err == nil
}

// client returns an API client of this control plane.
func (cp *controlPlane) client() (*client.Client, error) {
	return client.New(client.Config{Endpoint: cp.endpoint, Token: cp.token,
		CACertFile: cp.caFile, Timeout: 30 * time.Second, UserAgent: "strata-cpbench"})
}

// env returns STRATA_ENDPOINT, STRATA_TOKEN and STRATA_CA_CERT.
func (cp *controlPlane) env() []string {
	return []string{client.EnvEndpoint + "=" + cp.endpoint, client.EnvToken + "=" + cp.token,
		client.EnvCACert + "=" + cp.caFile}
}

// stop sends SIGTERM (SIGKILL after 20 seconds), then stops the storage
// nodes the control plane started.
func (cp *controlPlane) stop() error {
	_ = cp.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-cp.exited:
	case <-time.After(20 * time.Second):
		_ = cp.cmd.Process.Kill()
		<-cp.exited
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := local.StopNodes(ctx, filepath.Join(cp.stateDir, "tenants")); err != nil {
		return fmt.Errorf("stopping the storage nodes: %w", err)
	}
	return nil
}

// Names of what the setup creates.
const (
	benchCluster = "bench"
	benchTenant  = "bench"
)

// setupTenant creates a local cluster and a tenant of one server with four
// drives, and waits until the tenant is ready.
func setupTenant(ctx context.Context, c *client.Client) error {
	if _, err := c.PutCluster(ctx, benchCluster,
		model.ClusterSpec{Kind: model.ClusterLocal}, nil); err != nil {
		return fmt.Errorf("creating the cluster: %w", err)
	}
	spec := model.TenantSpec{Cluster: benchCluster, Parity: 2,
		Pools: []model.Pool{{Name: "pool-0", Servers: 1, DrivesPerServer: 4}}}
	if _, err := c.PutTenant(ctx, benchTenant, spec, nil); err != nil {
		return fmt.Errorf("creating the tenant: %w", err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		t, err := c.GetTenant(ctx, benchTenant)
		if err != nil {
			return fmt.Errorf("reading the tenant: %w", err)
		}
		if t.Status.Conditions.IsTrue(model.ConditionReady) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the tenant was not ready within 2 minutes")
}
