package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The figure groups, as -figures names them.
const (
	groupS3      = "s3"
	groupErasure = "erasure"
	groupCluster = "cluster"
)

// config is the validated command line.
type config struct {
	runs        int             // runs per figure; each figure is their median
	smallCount  int             // 4 KiB objects per run, at most
	largeCount  int             // 64 MiB objects per run, at most, but at least the concurrency
	phase       time.Duration   // the target length of one timed S3 PUT phase; 0 for none
	concurrency []int           // requests in flight, one set of S3 figures each
	dir         string          // parent of storaged's drives and the baseline files
	memDir      string          // parent of the erasure figures' drives
	erasureMiB  int             // object MiB coded per run in the erasure figures
	groups      map[string]bool // which figure groups to run
	storagedBin string          // a built storaged; built from source when empty
}

// parseConfig parses and checks the flags.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var conc, groups string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.runs, "runs", 5, "runs per figure; each figure is their median")
	fs.IntVar(&cfg.smallCount, "small-objects", 2000, "4 KiB objects per run, at most")
	fs.IntVar(&cfg.largeCount, "large-objects", 8,
		"64 MiB objects per run, at most (raised to the concurrency when lower)")
	fs.DurationVar(&cfg.phase, "phase", 3*time.Second,
		"target length of one timed S3 PUT phase: object counts are lowered to fit it, "+
			"never below a floor; 0 keeps the counts as given")
	fs.StringVar(&conc, "concurrency", "1,16", "requests in flight, comma-separated")
	fs.StringVar(&cfg.dir, "dir", os.TempDir(),
		"folder for storaged's drives and the baseline files (one file system)")
	fs.StringVar(&cfg.memDir, "memdir", "/dev/shm",
		"memory file system for the erasure figures' drives")
	fs.IntVar(&cfg.erasureMiB, "erasure-mib", 512,
		"object MiB coded per run in the erasure figures (a multiple of 64)")
	fs.StringVar(&groups, "figures", "erasure,s3,cluster",
		"figure groups to run: erasure, s3, cluster")
	fs.StringVar(&cfg.storagedBin, "storaged", "",
		"a built storaged binary; when empty, storaged is built from source")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q; bench takes only flags", fs.Arg(0))
	}
	return cfg.finish(conc, groups)
}

// finish parses the list flags and checks every value.
func (c config) finish(conc, groups string) (config, error) {
	var err error
	if c.concurrency, err = parseConcurrency(conc); err != nil {
		return config{}, err
	}
	if c.groups, err = parseGroups(groups); err != nil {
		return config{}, err
	}
	switch {
	case c.runs < 1:
		return config{}, fmt.Errorf("-runs %d: give at least 1", c.runs)
	case c.smallCount < 1:
		return config{}, fmt.Errorf("-small-objects %d: give at least 1", c.smallCount)
	case c.largeCount < 1:
		return config{}, fmt.Errorf("-large-objects %d: give at least 1", c.largeCount)
	case c.phase < 0:
		return config{}, fmt.Errorf("-phase %s: give a positive duration, or 0", c.phase)
	case c.erasureMiB < largeMiB || c.erasureMiB%largeMiB != 0:
		return config{}, fmt.Errorf("-erasure-mib %d: give a positive multiple of %d",
			c.erasureMiB, largeMiB)
	}
	if c.storagedBin != "" {
		// Servers may run in other folders; a relative path would move.
		if c.storagedBin, err = filepath.Abs(c.storagedBin); err != nil {
			return config{}, fmt.Errorf("-storaged: %w", err)
		}
		if _, err := os.Stat(c.storagedBin); err != nil {
			return config{}, fmt.Errorf("-storaged: %w; run make build first, or leave the "+
				"flag out to build storaged from source", err)
		}
	}
	return c, nil
}

// maxConcurrency bounds -concurrency, and so the client's memory and
// connections.
const maxConcurrency = 64

// parseConcurrency reads a comma-separated list of concurrencies.
func parseConcurrency(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxConcurrency {
			return nil, fmt.Errorf("-concurrency %q: give numbers from 1 to %d, like 1,16",
				s, maxConcurrency)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseGroups reads a comma-separated list of figure groups.
func parseGroups(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for f := range strings.SplitSeq(s, ",") {
		g := strings.TrimSpace(f)
		if g != groupS3 && g != groupErasure && g != groupCluster {
			return nil, fmt.Errorf("-figures %q: give some of %s, %s and %s, comma-separated",
				s, groupErasure, groupS3, groupCluster)
		}
		out[g] = true
	}
	return out, nil
}
