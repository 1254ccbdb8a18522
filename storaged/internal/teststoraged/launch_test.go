package teststoraged

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLaunchServesUntilStopAndLeavesNothingBehind(t *testing.T) {
	bin, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	p, err := Launch(bin, parent)
	if err != nil {
		t.Fatalf("Launch: got %v, want no error", err)
	}

	resp, err := p.HTTPClient().Get(p.Endpoint + "/strata/health/ready")
	if err != nil {
		_ = p.Stop()
		t.Fatalf("health check: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health check: got status %d, want 200", resp.StatusCode)
	}

	if err := p.Stop(); err != nil {
		t.Errorf("Stop: got %v, want no error", err)
	}
	if left := entries(t, parent); len(left) != 0 {
		t.Errorf("after Stop: got %v in the parent folder, want nothing", left)
	}
}

func TestLaunchReportsAFailedStartAndCleansUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bin  string
		want string
	}{
		{"a binary that does not exist cannot start", "/nonexistent/storaged",
			"starting storaged"},
		{"a binary that exits at once never listens", "/bin/false",
			"exited before listening"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			p, err := Launch(tt.bin, parent)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Launch: got %v, want an error containing %q", err, tt.want)
			}
			if p != nil {
				t.Errorf("Launch: got a process, want nil")
			}
			if left := entries(t, parent); len(left) != 0 {
				t.Errorf("after a failed Launch: got %v in the parent folder, want nothing", left)
			}
		})
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
		names = append(names, filepath.Join(dir, de.Name()))
	}
	return names
}
