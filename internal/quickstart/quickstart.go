// Package quickstart is what `make quickstart` runs: it starts a control
// plane on this machine (or finds the one already running), applies the
// Terraform configuration in examples/quickstart through a development
// override of the provider, stores and reads back an object over S3, and
// writes an environment file with which the AWS CLI and SDKs reach the new
// tenant.
//
// The same code runs in the end-to-end test, with a temporary state
// directory and a free port, so the quickstart a user runs is the one that
// is tested.
package quickstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Config says where the quickstart runs.
type Config struct {
	// StateDir is the control plane's state directory, such as .strata.
	StateDir string
	// Listen is the control plane's address, such as 127.0.0.1:7443.
	Listen string
	// BinDir holds strata-controlplane, storaged and
	// terraform-provider-strata.
	BinDir string
	// ExampleDir is the Terraform configuration to apply.
	ExampleDir string
	// Terraform is the terraform binary; empty means the one on PATH.
	Terraform string
	// ObjectSize is the size of the object stored and read back.
	ObjectSize int
	// Out receives what a person should see.
	Out io.Writer
}

// Result is what Up did and measured.
type Result struct {
	Endpoint string
	Tenant   string
	Bucket   string
	Key      string
	// SHA256 is the hex digest of the object written and read back.
	SHA256 string
	// EnvFile is the path of the written environment file.
	EnvFile string
	// Apply is how long terraform apply took; ToS3 is the time from the
	// start of apply to the first successful S3 round trip.
	Apply, ToS3 time.Duration
}

// Up brings the quickstart up, or carries on with one already running.
func Up(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.absolute(); err != nil {
		return Result{}, err
	}
	cp, err := ensureControlPlane(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	if err := apply(ctx, cfg, cp); err != nil {
		return Result{}, err
	}
	res := Result{Apply: time.Since(start)}
	if err := outputs(ctx, cfg, cp, &res); err != nil {
		return res, err
	}
	t, err := tenantAccess(ctx, cfg, cp, res.Tenant)
	if err != nil {
		return res, err
	}
	if err := roundTrip(ctx, cfg, t, &res); err != nil {
		return res, err
	}
	res.ToS3 = time.Since(start)
	res.Endpoint = t.endpoint
	if res.EnvFile, err = writeEnv(cfg, cp, t); err != nil {
		return res, err
	}
	printSummary(cfg.Out, res)
	return res, nil
}

// Down stops the control plane and its storage nodes, keeping all data.
func Down(ctx context.Context, cfg Config) error {
	if err := stopAll(ctx, &cfg); err != nil {
		return err
	}
	fmt.Fprintln(cfg.Out, "Stopped the control plane and its storage nodes; data is kept in",
		cfg.StateDir)
	return nil
}

// stopAll stops the control plane and its storage nodes.
func stopAll(ctx context.Context, cfg *Config) error {
	if err := cfg.absolute(); err != nil {
		return err
	}
	bin := filepath.Join(cfg.BinDir, "strata-controlplane")
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("quickstart: %s is missing: run make build", bin)
	}
	cmd := exec.CommandContext(ctx, bin, "stop", "--state-dir", cfg.StateDir, "--nodes")
	cmd.Stdout, cmd.Stderr = cfg.Out, cfg.Out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("quickstart: stopping: %w", err)
	}
	return nil
}

// Clean stops everything and removes the state directory and the
// example's Terraform state.
func Clean(ctx context.Context, cfg Config) error {
	if err := stopAll(ctx, &cfg); err != nil {
		return err
	}
	paths := []string{cfg.StateDir,
		filepath.Join(cfg.ExampleDir, "terraform.tfstate"),
		filepath.Join(cfg.ExampleDir, "terraform.tfstate.backup"),
		filepath.Join(cfg.ExampleDir, ".terraform.tfstate.lock.info")}
	var errs []error
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("quickstart: cleaning: %w", err)
	}
	fmt.Fprintln(cfg.Out, "Stopped everything and removed", cfg.StateDir,
		"and the example's Terraform state")
	return nil
}

func (cfg *Config) absolute() error {
	for _, p := range []*string{&cfg.StateDir, &cfg.BinDir, &cfg.ExampleDir} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("quickstart: %w", err)
		}
		*p = abs
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.ObjectSize == 0 {
		cfg.ObjectSize = 8 << 20
	}
	return nil
}
