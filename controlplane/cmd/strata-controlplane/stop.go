package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/strata-storage/strata/controlplane/provision/local"
)

func stop(args []string) int {
	fs := flag.NewFlagSet("stop", flag.ContinueOnError)
	stateDir := fs.String("state-dir", envOr(envStateDir, defaultState),
		"state directory of the control plane to stop ($"+envStateDir+")")
	nodes := fs.Bool("nodes", false, "also stop the storage nodes it started (data is kept)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if err := stopControlPlane(*stateDir); err != nil {
		fmt.Fprintln(os.Stderr, "strata-controlplane stop:", err)
		return 1
	}
	if *nodes {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := local.StopNodes(ctx, filepath.Join(*stateDir, "tenants")); err != nil {
			fmt.Fprintln(os.Stderr, "strata-controlplane stop:", err)
			return 1
		}
	}
	return 0
}

// stopControlPlane stops every control plane whose pid file is in stateDir
// (one with bbolt, one per replica with etcd).
func stopControlPlane(stateDir string) error {
	files, err := filepath.Glob(filepath.Join(stateDir, "controlplane*.pid"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, stopPIDFile(f))
	}
	return errors.Join(errs...)
}

// stopPIDFile sends SIGTERM to the control plane a pid file names and
// waits until it has exited. One that is not running is not an error.
func stopPIDFile(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return fmt.Errorf("%s does not hold a pid", path)
	}
	if !isControlPlane(pid) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return nil
	}
	for range 300 {
		if !isControlPlane(pid) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("control plane (pid %d) did not stop within 15s", pid)
}

func isControlPlane(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !strings.Contains(string(b), "strata-controlplane") {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	i := strings.LastIndexByte(string(stat), ')')
	return err == nil && i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}
