package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// storagedBin is the binary TestMain builds once for every test; it is
// written before any test runs and only read afterwards.
var storagedBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "storaged-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "making a build folder:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "storaged")
	build := exec.Command("go", "build", "-o", bin,
		"github.com/strata-storage/strata/storaged/cmd/storaged")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building storaged: %v\n%s", err, out)
		return 1
	}
	storagedBin = bin
	return m.Run()
}
