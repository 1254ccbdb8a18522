package compat

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// updateREADME makes TestClientCompatibility write its matrix into
// README.md when every client matched its gap table.
var updateREADME = flag.Bool("update-readme", false,
	"write the compatibility matrix into README.md's \"S3 client compatibility\" section")

// storagedBin is the binary TestMain builds once for every test; it is
// written before any test runs and only read afterwards.
var storagedBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "storaged-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "making a build folder:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin, err := teststoraged.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	storagedBin = bin
	return m.Run()
}
