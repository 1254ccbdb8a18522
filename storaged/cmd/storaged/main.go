// Command storaged is Strata's storage daemon. It serves the S3 API over
// HTTPS on one port, beside the health endpoints /strata/health/live and
// /strata/health/ready, and stores objects erasure-coded across the drive
// directories it is given.
//
// A node of a tenant that spans several nodes runs with --topology (the
// tenant's nodes, their drives and the parity; see topology.go),
// --node-name and --tls-ca instead of --drive and --parity. It then builds
// the tenant's erasure sets from its own drives and, through the drive RPC
// (storaged/rpc) mounted on the same port under /strata/rpc/v1/, the other
// nodes' drives; it asks TLS clients for a certificate, which only the RPC
// requires (a node certificate signed by the tenant's CA), and orders its
// changes with the other nodes' through namespace locks.
//
// Every flag has an environment fallback (see the env* constants); a
// flag given on the command line wins. Bad flags exit with status 2 and a
// message that says what to fix; a failure while running exits with 1.
// SIGTERM and SIGINT shut the server down gracefully; SIGHUP reloads the
// TLS certificate and key from their files, for rotation without restart,
// and the --access-keys-file (a file that fails to load is logged and the
// previous keys stay). Keys of that file other than the root key may do
// what their identity policies and the buckets' policies allow.
//
// --audit-target and --log-target send one record per S3 request and one
// per log line to webhooks or Elasticsearch (storaged/telemetry), without
// changing what is written to stderr; the counts of records sent, dropped
// and failed are in /strata/metrics.
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
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stderr))
}

// run is main without the process: it parses args (with getenv as the
// environment), serves until ctx ends or a signal arrives, and returns
// the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	opts, err := parseOptions(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "storaged: %v\nRun 'storaged --help' for the flags.\n", err)
		return exitUsage
	}
	logger := newLogger(opts, stderr)
	tel, err := startTelemetry(opts, logger, stderr)
	if err != nil {
		logger.Error("storaged failed", "error", err)
		return exitError
	}
	defer stopTelemetry(tel, logger)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, opts, logger, tel); err != nil {
		logger.Error("storaged failed", "error", err)
		return exitError
	}
	return exitOK
}
