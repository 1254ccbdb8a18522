package testkube

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BinaryEnv names the environment variable that holds the path of the
// kube-apiserver binary. scripts/test.sh sets it.
const BinaryEnv = "STRATA_KUBE_APISERVER"

// binary returns the path of the kube-apiserver binary: $STRATA_KUBE_APISERVER,
// or else the cached build that scripts/tools.sh prints, building it first
// if need be.
func binary(t testing.TB) string {
	t.Helper()
	if path := os.Getenv(BinaryEnv); path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s=%s: %v; unset it or run scripts/tools.sh kube-apiserver", BinaryEnv, path, err)
		}
		return path
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("finding scripts/tools.sh: %v; set %s to a kube-apiserver binary", err, BinaryEnv)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "scripts", "tools.sh"), "kube-apiserver")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/tools.sh kube-apiserver: %v\n%s\nrun it from %s to see why, "+
			"or set %s to a kube-apiserver v1.36 binary", err, stderr.String(), root, BinaryEnv)
	}
	return strings.TrimSpace(stdout.String())
}

// moduleRoot walks up from the working directory, the package's directory
// under go test, to the directory that holds go.mod and scripts/tools.sh.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, errMod := os.Stat(filepath.Join(dir, "go.mod"))
		_, errTools := os.Stat(filepath.Join(dir, "scripts", "tools.sh"))
		if errMod == nil && errTools == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no directory above the working directory holds go.mod and scripts/tools.sh")
		}
		dir = parent
	}
}
