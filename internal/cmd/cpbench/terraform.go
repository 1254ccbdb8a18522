package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/internal/quickstart"
)

// strataConfig declares count buckets in the bench tenant through the
// provider; floorConfig declares as many terraform_data resources, which
// Terraform serves itself, so the pair shows the provider's own cost.
const (
	strataConfig = `terraform {
  required_providers {
    strata = { source = %q }
  }
}

provider "strata" {}

resource "strata_bucket" "b" {
  count  = %d
  tenant = %q
  name   = "bench-${count.index}"
}
`
	floorConfig = `resource "terraform_data" "b" {
  count = %d
  input = "bench-${count.index}"
}
`
)

// tfParallelism is Terraform's default -parallelism, given explicitly.
const tfParallelism = "-parallelism=10"

// tfWorkspace is one Terraform configuration and the environment it runs
// with.
type tfWorkspace struct {
	terraform string   // the terraform binary
	dir       string   // the configuration's folder
	env       []string // the whole environment
}

// newWorkspaces writes the Strata and the floor configurations under
// parent and returns them, with a CLI configuration that points the
// provider at binDir so that no `terraform init` is needed.
func newWorkspaces(parent, binDir string, cp *controlPlane,
	count int) (strata, floor tfWorkspace, err error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return strata, floor, fmt.Errorf("terraform is not on PATH: install the Terraform CLI")
	}
	absBin, err := filepath.Abs(binDir)
	if err != nil {
		return strata, floor, fmt.Errorf("resolving -bin-dir: %w", err)
	}
	rc, err := quickstart.CLIConfig(parent, absBin)
	if err != nil {
		return strata, floor, fmt.Errorf("writing the Terraform CLI configuration: %w", err)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1")
	env = append(env, cp.env()...)
	strata = tfWorkspace{terraform: tf, dir: filepath.Join(parent, "strata"), env: env}
	floor = tfWorkspace{terraform: tf, dir: filepath.Join(parent, "floor"), env: env}
	text := fmt.Sprintf(strataConfig, quickstart.ProviderSource, count, benchTenant)
	if err := writeConfig(strata.dir, text); err != nil {
		return strata, floor, err
	}
	return strata, floor, writeConfig(floor.dir, fmt.Sprintf(floorConfig, count))
}

func writeConfig(dir, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o644); err != nil {
		return fmt.Errorf("writing the configuration: %w", err)
	}
	return nil
}

// tfRun is what one terraform command took: wall-clock time, and the CPU
// time (user and system) of terraform and of the providers it started and
// waited for, which other load on the machine disturbs less.
type tfRun struct {
	wall, cpu time.Duration
}

// run runs terraform with args in the workspace and returns what it took.
// A failure's error ends with the tail of terraform's output.
func (w tfWorkspace) run(ctx context.Context, args ...string) (tfRun, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, w.terraform, append([]string{"-chdir=" + w.dir}, args...)...)
	cmd.Env = w.env
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r := tfRun{wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		r.cpu = ps.UserTime() + ps.SystemTime()
	}
	if err != nil {
		return r, &tfError{args: args, err: err, out: tail(out.String(), 20)}
	}
	return r, nil
}

// tfError is a terraform command that failed, with its last lines.
type tfError struct {
	args []string
	err  error
	out  string
}

func (e *tfError) Error() string {
	return fmt.Sprintf("terraform %s: %v; its output ends:\n%s", e.args[0], e.err, e.out)
}

func (e *tfError) Unwrap() error { return e.err }

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// cycle is one run's apply and no-change plan, in seconds: wall-clock
// times, and the plan's CPU time.
type cycle struct {
	apply, plan, planCPU float64
}

// runCycle applies the workspace (every resource created), plans it again
// (which must find no change), then destroys it outside the timing.
func (w tfWorkspace) runCycle(ctx context.Context) (cycle, error) {
	var c cycle
	r, err := w.run(ctx, "apply", "-auto-approve", "-input=false", tfParallelism)
	if err != nil {
		return c, err
	}
	c.apply = r.wall.Seconds()
	r, err = w.run(ctx, "plan", "-input=false", "-detailed-exitcode", tfParallelism)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return c, fmt.Errorf("terraform plan right after apply found changes in %s", w.dir)
	}
	if err != nil {
		return c, err
	}
	c.plan, c.planCPU = r.wall.Seconds(), r.cpu.Seconds()
	_, err = w.run(ctx, "destroy", "-auto-approve", "-input=false", tfParallelism)
	return c, err
}

// runTerraform measures runs cycles of each workspace, alternating them,
// and returns the apply and plan figures.
func runTerraform(ctx context.Context, cfg config, strata, floor tfWorkspace,
	log hclog.Logger) ([]figure, error) {
	work := fmt.Sprintf("%d resources", cfg.resources)
	apply := figure{name: "apply, creating all", work: work, unit: "s", goal: 10}
	plan := figure{name: "plan, no change", work: work, unit: "s", goal: 5}
	planCPU := figure{name: "plan, CPU time", work: work, unit: "s"}
	for i := range cfg.runs {
		f, err := floor.runCycle(ctx)
		if err != nil {
			return nil, fmt.Errorf("terraform_data run %d: %w", i+1, err)
		}
		s, err := strata.runCycle(ctx)
		if err != nil {
			return nil, fmt.Errorf("strata_bucket run %d: %w", i+1, err)
		}
		log.Info("terraform run", "run", i+1, "apply_s", s.apply, "plan_s", s.plan,
			"plan_cpu_s", s.planCPU, "floor_apply_s", f.apply, "floor_plan_s", f.plan)
		apply.add(s.apply, f.apply)
		plan.add(s.plan, f.plan)
		planCPU.add(s.planCPU, f.planCPU)
	}
	return []figure{apply, plan, planCPU}, nil
}
