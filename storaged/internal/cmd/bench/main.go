// Command bench is what `make bench` runs: it measures Strata's storage
// path against baselines measured in the same run on the same machine, and
// prints, for each figure, the median of several runs with their spread,
// the baseline, the ratio, the goal and whether the goal is met.
//
// Three groups of figures:
//
//   - s3: PutObject and GetObject through aws-sdk-go-v2 over HTTPS on
//     loopback against a real storaged (storaged/internal/teststoraged: 4
//     drive folders, parity 2), for 4 KiB and 64 MiB objects at several
//     concurrencies, beside plain files (write, fsync, rename; read) of
//     the same bytes at the same concurrency on the same file system.
//   - erasure: encoding and reconstruction through storaged/erasure's
//     exported Set (block framing and HighwayHash included) on in-memory
//     drives (for the encode goal, drives that count and drop the shard
//     bytes) and on drive folders in a memory file system, beside bare
//     reedsolomon on the same data, and the hash on its own.
//   - cluster: 64 MiB PutObject and GetObject against the first node of
//     a tenant of 4 storaged processes with 2 drives each and parity 4
//     (storaged/durability/testcluster), beside the physical limit: plain
//     writes and reads of the same shard bytes on the same file system.
//
// Each S3 run writes a capped number of objects, lowered once, before the
// runs, so that one timed PUT phase takes about -phase; baseline and Strata
// always do the same work, and the report prints it. Other work on the
// machine shows in the load average, which the report prints at the start
// and at the end.
//
// It is a report, not a test: a missed goal prints a MISSED line and the
// program still exits 0; it exits 1 only when it cannot measure (a server
// that does not start, a request that fails, bytes that come back wrong)
// and 2 on bad flags. It sends traffic only to the storaged it starts on
// loopback, bounds every loop by count, and removes what it wrote.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
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
		fmt.Fprintf(stderr, "bench: %v\nRun 'bench -help' for the flags.\n", err)
		return exitUsage
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "bench", Output: stderr, Level: hclog.Info})
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	rep := newReport(cfg, start)
	if err := measure(ctx, cfg, rep, log); err != nil {
		log.Error("benchmark failed", "error", err)
		return exitError
	}
	rep.finish(time.Since(start))
	if err := rep.write(stdout); err != nil {
		log.Error("writing the report", "error", err)
		return exitError
	}
	return exitOK
}

// measure runs the figure groups that cfg selects and adds their figures
// to rep.
func measure(ctx context.Context, cfg config, rep *report, log hclog.Logger) error {
	if cfg.groups[groupErasure] {
		figs, notes, err := runErasure(ctx, cfg, log.Named("erasure"))
		if err != nil {
			return fmt.Errorf("measuring erasure coding: %w", err)
		}
		rep.add(groupErasure, figs, notes)
	}
	if cfg.groups[groupS3] {
		figs, notes, err := runS3(ctx, cfg, log.Named("s3"))
		if err != nil {
			return fmt.Errorf("measuring the S3 path: %w", err)
		}
		rep.add(groupS3, figs, notes)
	}
	if cfg.groups[groupCluster] {
		figs, notes, err := runCluster(ctx, cfg, log.Named("cluster"))
		if err != nil {
			return fmt.Errorf("measuring the 4 x 2 tenant: %w", err)
		}
		rep.add(groupCluster, figs, notes)
	}
	return nil
}
