package main

import (
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/strata-storage/strata/internal/benchstat"
)

// machineInfo is what the report says about the machine it ran on.
type machineInfo struct {
	nproc      int
	gomaxprocs int
	goVersion  string
	goos       string
	goarch     string
	cpuModel   string
	loadStart  string
	busy       bool // the 1-minute load average exceeded nproc at the start
	dirFS      string
	memFS      string
}

// readMachine describes this machine now.
func readMachine(cfg config) machineInfo {
	m := machineInfo{
		nproc:      runtime.NumCPU(),
		gomaxprocs: runtime.GOMAXPROCS(0),
		goVersion:  runtime.Version(),
		goos:       runtime.GOOS,
		goarch:     runtime.GOARCH,
		cpuModel:   benchstat.CPUModel(),
		loadStart:  benchstat.LoadAverage(),
		dirFS:      fsType(cfg.dir),
		memFS:      fsType(cfg.memDir),
	}
	if f := strings.Fields(m.loadStart); len(f) > 0 {
		l, err := strconv.ParseFloat(f[0], 64)
		m.busy = err == nil && l > float64(m.nproc)
	}
	return m
}

// Linux file system magic numbers (statfs(2)).
const (
	magicTmpfs   = 0x01021994
	magicExt4    = 0xEF53
	magicXFS     = 0x58465342
	magicBtrfs   = 0x9123683E
	magicOverlay = 0x794C7630
)

// fsType names the file system that holds dir.
func fsType(dir string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "unknown: " + err.Error()
	}
	switch int64(st.Type) {
	case magicTmpfs:
		return "tmpfs"
	case magicExt4:
		return "ext2/3/4"
	case magicXFS:
		return "xfs"
	case magicBtrfs:
		return "btrfs"
	case magicOverlay:
		return "overlay"
	default:
		return "type 0x" + strconv.FormatInt(int64(st.Type), 16)
	}
}

// isTmpfs reports whether dir is on a memory file system.
func isTmpfs(dir string) bool { return fsType(dir) == "tmpfs" }
