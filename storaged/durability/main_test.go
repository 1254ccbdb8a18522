package durability

import (
	"fmt"
	"os"
	"testing"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

// storagedBin is the storaged binary built once by TestMain; tests only
// read it.
var storagedBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "strata-durability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	storagedBin, err = testcluster.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
