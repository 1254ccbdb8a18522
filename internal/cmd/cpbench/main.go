// Command cpbench is the control plane's and the provider's part of
// `make bench`. It starts a real strata-controlplane on loopback with a
// temporary state directory, creates a local cluster and one tenant of one
// server with four drives (outside every timing), and prints, for each
// figure, the median of several runs with their spread, a baseline
// measured in the same run, the ratio and the goal:
//
//   - terraform: `terraform apply` creating N strata_bucket resources and
//     a no-change `terraform plan` of them, beside the same with N
//     terraform_data resources, which Terraform serves itself (the floor);
//     the plan also by its CPU time, which other load disturbs less.
//     Terraform is the one on PATH, run with -parallelism=10 and without
//     `terraform init`, through a development override of the provider;
//     each run destroys what it created, outside the timing.
//   - api: PUT and GET latency (p50, p99) of cluster resources through
//     controlplane/client at a fixed concurrency, beside the same client
//     calls to a trivial HTTPS handler in this process, so that the ratio
//     is the API's own cost.
//
// It is a report, not a test: a missed goal prints a MISSED line and the
// program still exits 0; it exits 1 when it cannot measure and 2 on bad
// flags. It sends traffic only to the processes it starts on loopback,
// bounds every loop by count, and stops everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/internal/benchstat"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it parses args, measures, writes the
// report to stdout and progress to stderr, and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "cpbench: %v\nRun 'cpbench -help' for the flags.\n", err)
		return exitUsage
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "cpbench", Output: stderr, Level: hclog.Info})
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	rep := &report{header: header(cfg, start)}
	if err := measure(ctx, cfg, rep, log); err != nil {
		log.Error("benchmark failed", "error", err)
		return exitError
	}
	rep.footer = []string{"load average at end: " + benchstat.LoadAverage(),
		"running time: " + time.Since(start).Round(time.Second).String()}
	if err := rep.write(stdout); err != nil {
		log.Error("writing the report", "error", err)
		return exitError
	}
	return exitOK
}

// measure starts the control plane and its tenant, runs both figure
// groups, and stops everything it started.
func measure(ctx context.Context, cfg config, rep *report, log hclog.Logger) (err error) {
	dir, err := os.MkdirTemp("", "strata-cpbench-")
	if err != nil {
		return fmt.Errorf("creating a temporary folder: %w", err)
	}
	defer os.RemoveAll(dir)
	stateDir := filepath.Join(dir, "state")
	if err := os.Mkdir(stateDir, 0o700); err != nil {
		return fmt.Errorf("creating the state folder: %w", err)
	}
	log.Info("starting the control plane", "state_dir", stateDir)
	cp, err := startControlPlane(ctx, cfg.binDir, stateDir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cp.stop()) }()
	return measureWith(ctx, cfg, cp, dir, rep, log)
}

func measureWith(ctx context.Context, cfg config, cp *controlPlane, dir string, rep *report,
	log hclog.Logger) error {
	c, err := cp.client()
	if err != nil {
		return err
	}
	log.Info("creating the cluster and the tenant")
	if err := setupTenant(ctx, c); err != nil {
		return err
	}
	if err := measureTerraform(ctx, cfg, cp, dir, rep, log.Named("terraform")); err != nil {
		return err
	}
	log.Info("measuring API latency")
	figs, err := runLatency(ctx, cfg, cp, log.Named("api"))
	if err != nil {
		return fmt.Errorf("measuring API latency: %w", err)
	}
	rep.sections = append(rep.sections, section{name: "api", figures: figs, notes: []string{
		"PUT creates a new local cluster, GET reads one back; through controlplane/client",
		"baseline: the same client calls to a trivial HTTPS handler in this process " +
			"(canned answer, ECDSA P-256 TLS, HTTP/2)",
		"goal: p50 <= 5x the baseline; p99 is printed without a goal"}})
	return nil
}

func measureTerraform(ctx context.Context, cfg config, cp *controlPlane, dir string,
	rep *report, log hclog.Logger) error {
	strata, floor, err := newWorkspaces(filepath.Join(dir, "tf"), cfg.binDir, cp, cfg.resources)
	if err != nil {
		return err
	}
	log.Info("measuring terraform", "runs", cfg.runs, "resources", cfg.resources)
	figs, err := runTerraform(ctx, cfg, strata, floor, log)
	if err != nil {
		return fmt.Errorf("measuring terraform: %w", err)
	}
	rep.sections = append(rep.sections, section{name: "terraform", figures: figs, notes: []string{
		fmt.Sprintf("Strata: %d strata_bucket in one tenant; baseline (the floor): %d "+
			"terraform_data", cfg.resources, cfg.resources),
		"terraform " + terraformVersion(ctx, strata.terraform) +
			", -parallelism=10, no init (development override); destroyed between runs",
		"CPU time: user and system time of terraform and the provider processes it ran, " +
			"which other load on the machine disturbs less than wall-clock time",
		"goals: apply <= 10x the floor, plan <= 5x the floor; none for CPU time"}})
	return nil
}

// config is the validated command line.
type config struct {
	runs        int    // Terraform runs per figure
	resources   int    // resources per Terraform configuration
	latencyRuns int    // latency runs per figure
	requests    int    // requests of each method per latency run
	concurrency int    // requests in flight in the latency runs
	binDir      string // holds strata-controlplane, storaged, terraform-provider-strata
}

// parseConfig parses and checks the flags.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("cpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.runs, "runs", 3, "Terraform runs per figure; each figure is their median")
	fs.IntVar(&cfg.resources, "resources", 200, "resources in each Terraform configuration")
	fs.IntVar(&cfg.latencyRuns, "latency-runs", 3, "latency runs per figure")
	fs.IntVar(&cfg.requests, "requests", 2000, "requests of each method per latency run")
	fs.IntVar(&cfg.concurrency, "concurrency", 32, "requests in flight in the latency runs")
	fs.StringVar(&cfg.binDir, "bin-dir", "bin",
		"folder with the built strata-controlplane, storaged and terraform-provider-strata")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q; cpbench takes only flags", fs.Arg(0))
	}
	return cfg, cfg.check()
}

// Upper bounds of the counts, which bound the running time.
const (
	maxRuns        = 20
	maxResources   = 2000
	maxRequests    = 100000
	maxConcurrency = 256
)

func (c config) check() error {
	for _, x := range []struct {
		flag     string
		val, max int
	}{
		{"-runs", c.runs, maxRuns}, {"-resources", c.resources, maxResources},
		{"-latency-runs", c.latencyRuns, maxRuns}, {"-requests", c.requests, maxRequests},
		{"-concurrency", c.concurrency, maxConcurrency},
	} {
		if x.val < 1 || x.val > x.max {
			return fmt.Errorf("%s %d: give a number from 1 to %d", x.flag, x.val, x.max)
		}
	}
	return nil
}
