package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/strata-storage/strata/internal/benchstat"
)

// header is the report's opening: when, the machine, the method.
func header(cfg config, start time.Time) []string {
	return []string{
		"Strata control plane and provider benchmark, " + start.UTC().Format(time.RFC3339),
		fmt.Sprintf("machine: %d CPUs (nproc), GOMAXPROCS %d, %s, %s/%s", runtime.NumCPU(),
			runtime.GOMAXPROCS(0), benchstat.CPUModel(), runtime.GOOS, runtime.GOARCH),
		"go: " + runtime.Version(),
		"load average at start: " + benchstat.LoadAverage(),
		fmt.Sprintf("each figure: the median of its runs (%d terraform, %d api), (min-max) "+
			"across them; ratio = Strata median / baseline median; lower is better",
			cfg.runs, cfg.latencyRuns),
	}
}

// terraformVersion returns the first line of `terraform version`, without
// the word Terraform, or "(version unknown)".
func terraformVersion(ctx context.Context, tf string) string {
	cmd := exec.CommandContext(ctx, tf, "version")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		return "(version unknown)"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(strings.TrimSpace(line), "Terraform ")
}
