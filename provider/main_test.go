package provider

import (
	"os"
	"testing"

	"github.com/strata-storage/strata/internal/testcp"
)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m)) }
