// Command quickstart brings Strata's quickstart up or down; the GNUmakefile's
// quickstart targets run it.
//
//	quickstart up      start the control plane, apply examples/quickstart, check S3
//	quickstart down    stop the control plane and storage nodes, keep the data
//	quickstart clean   down, then remove the state directory and Terraform state
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/strata-storage/strata/internal/quickstart"
)

func main() {
	cfg := quickstart.Config{Out: os.Stdout}
	fs := flag.NewFlagSet("quickstart", flag.ExitOnError)
	fs.StringVar(&cfg.StateDir, "state-dir", envOr("STRATA_STATE_DIR", ".strata"),
		"state directory")
	fs.StringVar(&cfg.Listen, "listen", envOr("STRATA_LISTEN", "127.0.0.1:7443"),
		"control plane address")
	fs.StringVar(&cfg.BinDir, "bin-dir", "bin", "directory with the built binaries")
	fs.StringVar(&cfg.ExampleDir, "example", "examples/quickstart", "Terraform configuration")
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: quickstart up|down|clean [flags]")
		os.Exit(2)
	}
	_ = fs.Parse(os.Args[2:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "up":
		_, err = quickstart.Up(ctx, cfg)
	case "down":
		err = quickstart.Down(ctx, cfg)
	case "clean":
		err = quickstart.Clean(ctx, cfg)
	default:
		err = fmt.Errorf("unknown command %q: use up, down or clean", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
