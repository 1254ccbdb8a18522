package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestRunReportsEveryFigureAndExitsZeroEvenWhenGoalsAreMissed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"-runs", "1", "-small-objects", "8", "-large-objects", "1",
		"-concurrency", "1", "-phase", "0", "-erasure-mib", "64",
		"-dir", dir, "-memdir", t.TempDir()}
	var stdout, stderr strings.Builder
	if code := run(context.Background(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit status: got %d, want %d; stderr:\n%s", code, exitOK, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"PUT 4 KiB, 1 in flight", "GET 4 KiB, 1 in flight", "8 x 4 KiB",
		"PUT 64 MiB, 1 in flight", "GET 64 MiB, 1 in flight", "1 x 64 MiB",
		"encode", "reconstruct, 2 data shards lost", "encode on -memdir files",
		"4 x 2 tenant: PUT 64 MiB, 1 in flight", "4 x 2 tenant: GET 64 MiB, 1 in flight",
		"goals met:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q; got:\n%s", want, out)
		}
	}
	if left := entries(t, dir); len(left) != 0 {
		t.Errorf("after the run: got %v in -dir, want nothing", left)
	}
}

func TestRunRefusesBadFlagsWithStatusTwo(t *testing.T) {
	t.Parallel()
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"-runs", "-3"}, &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("exit status: got %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "-runs -3") {
		t.Errorf("stderr: got %q, want the bad flag named", stderr.String())
	}
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}
