package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// stopGrace is how long a node gets to exit after SIGTERM before SIGKILL.
const stopGrace = 10 * time.Second

// StopNodes stops every storaged process under dir (a tenant's directory,
// or the whole state directory) that a pid file names, and waits for them
// to exit.
func StopNodes(ctx context.Context, dir string) error {
	pidFiles, err := findPIDFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range pidFiles {
		nodeDir := filepath.Dir(f)
		if err := stopNode(ctx, nodeDir); err != nil {
			return err
		}
		_ = os.Remove(f)
	}
	return nil
}

func findPIDFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil && path == dir && os.IsNotExist(err):
			return filepath.SkipAll
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "drives":
			return filepath.SkipDir
		case d.Name() == pidFile:
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: finding nodes under %s: %w", dir, err)
	}
	return out, nil
}

func stopNode(ctx context.Context, nodeDir string) error {
	pid, ok := livePID(nodeDir)
	if !ok {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(stopGrace)
	for time.Now().Before(deadline) {
		if _, ok := livePID(nodeDir); !ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return nil
}
