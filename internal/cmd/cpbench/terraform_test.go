package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRunCountsTheCPUTimeOfWhatTerraformStarts runs a stand-in for
// terraform that, as terraform does with a provider, starts a child
// process and waits for it; the child burns CPU. The CPU time that run
// reports must include the child's.
func TestRunCountsTheCPUTimeOfWhatTerraformStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := filepath.Join(dir, "terraform")
	script := "#!/bin/sh\nsh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w := tfWorkspace{terraform: fake, dir: dir, env: os.Environ()}
	r, err := w.run(context.Background(), "plan")
	if err != nil {
		t.Fatal(err)
	}
	if r.cpu < 50*time.Millisecond || r.cpu > 2*r.wall+10*time.Millisecond {
		t.Errorf("got CPU time %v for a wall time of %v, want at least 50ms (the child's "+
			"loop) and at most twice the wall time", r.cpu, r.wall)
	}
}
