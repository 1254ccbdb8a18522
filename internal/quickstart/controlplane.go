package quickstart

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
)

// controlPlane is how the quickstart reaches the control plane.
type controlPlane struct {
	endpoint, token, caFile string
}

func (cp *controlPlane) client() (*client.Client, error) {
	return client.New(client.Config{Endpoint: cp.endpoint, Token: cp.token,
		CACertFile: cp.caFile, Timeout: 5 * time.Second, UserAgent: "strata-quickstart"})
}

// answers reports whether a control plane with this state directory's
// token and CA serves at the endpoint.
func (cp *controlPlane) answers(ctx context.Context, stateDir string) bool {
	tok, err := os.ReadFile(filepath.Join(stateDir, "admin.token"))
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

// ensureControlPlane finds the control plane of cfg.StateDir at cfg.Listen,
// or starts one in the background that outlives this process.
func ensureControlPlane(ctx context.Context, cfg Config) (*controlPlane, error) {
	cp := &controlPlane{endpoint: "https://" + cfg.Listen,
		caFile: filepath.Join(cfg.StateDir, "ca.pem")}
	if cp.answers(ctx, cfg.StateDir) {
		fmt.Fprintln(cfg.Out, "==> Control plane already running at", cp.endpoint)
		return cp, nil
	}
	fmt.Fprintln(cfg.Out, "==> Starting the control plane at", cp.endpoint)
	exited, err := startControlPlane(cfg)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("quickstart: the control plane exited; its log ends:\n%s",
				logTail(cfg.StateDir))
		case <-time.After(200 * time.Millisecond):
		}
		if cp.answers(ctx, cfg.StateDir) {
			return cp, nil
		}
	}
	return nil, fmt.Errorf("quickstart: the control plane did not answer within 30s; "+
		"its log ends:\n%s", logTail(cfg.StateDir))
}

// startControlPlane runs strata-controlplane serve in a session of its own,
// logging to the state directory, and returns a channel closed when it
// exits.
func startControlPlane(cfg Config) (<-chan struct{}, error) {
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("quickstart: %w", err)
	}
	logf, err := os.OpenFile(filepath.Join(cfg.StateDir, "controlplane.log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("quickstart: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(cfg.BinDir, "strata-controlplane"), "serve",
		"--listen", cfg.Listen, "--state-dir", cfg.StateDir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("quickstart: starting the control plane (run make build?): %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return exited, nil
}

func logTail(stateDir string) string {
	b, _ := os.ReadFile(filepath.Join(stateDir, "controlplane.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}
