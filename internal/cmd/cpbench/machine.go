package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// header is the report's opening: when, the machine, the method.
func header(cfg config, start time.Time) []string {
	return []string{
		"Strata control plane and provider benchmark, " + start.UTC().Format(time.RFC3339),
		fmt.Sprintf("machine: %d CPUs (nproc), GOMAXPROCS %d, %s, %s/%s", runtime.NumCPU(),
			runtime.GOMAXPROCS(0), cpuModel(), runtime.GOOS, runtime.GOARCH),
		"go: " + runtime.Version(),
		"load average at start: " + loadAverage(),
		fmt.Sprintf("each figure: the median of its runs (%d terraform, %d api), (min-max) "+
			"across them; ratio = Strata median / baseline median; lower is better",
			cfg.runs, cfg.latencyRuns),
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo, or "unknown
// CPU".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
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
