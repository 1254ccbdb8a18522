package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A tenant of one pool of one server runs storaged with --drive flags and
// no topology, and storaged names that node's only erasure set itself when
// it first formats the drives. When such a tenant gets a second pool (or
// its pool is replaced), the node must join a topology without its drives
// changing name: the tenant's last topology is then the one the node
// implies, a single pool whose "setIds" holds the set ID read from its
// drives, and the topology written from it keeps that name for the set
// (storaged lays one node's drives out in --drive order, so each drive
// keeps its index). From then on the topology file is the record, as for
// any tenant of several servers.
//
// The control plane cannot import storaged, so the drive's format file is
// read here as storaged/drive documents it: <drive>/.strata.sys/format.json,
// a JSON object whose "setID" and "index" name the drive's set and its
// position in it.

// formatPath is where storaged keeps a drive's format, relative to the
// drive.
var formatPath = filepath.Join(".strata.sys", "format.json")

// driveFormat is the part of a drive's format file that the control plane
// reads.
type driveFormat struct {
	Version int    `json:"version"`
	SetID   string `json:"setID"`
	Index   int    `json:"index"`
}

// loadTopology returns the tenant's last topology: its topology file, or
// when there is none the topology its single node implies (see above), or
// a zero topology when no node has ever formatted a drive.
func loadTopology(dir string) (topology, error) {
	path := filepath.Join(dir, topologyFile)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return readTopology(path)
	}
	return singleNodeTopology(dir)
}

// singleNodeTopology returns the topology of a tenant that runs without
// one: its pool and node as their names and drives say, with the set ID
// of the node's drives. It is zero when no node's drives are formatted.
func singleNodeTopology(dir string) (topology, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "nodes"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return topology{}, fmt.Errorf("local: listing nodes: %w", err)
	}
	var ran []topologyPool
	for _, e := range entries {
		nodeDir := filepath.Join(dir, "nodes", e.Name())
		if !e.IsDir() || !isNodeDir(nodeDir) {
			continue
		}
		drives, setID, err := nodeDrives(nodeDir)
		if err != nil {
			return topology{}, err
		}
		if setID == "" {
			continue // never ran: nothing on its drives to keep
		}
		pool, ok := strings.CutSuffix(e.Name(), "-0")
		if !ok {
			return topology{}, fmt.Errorf("local: node %s holds data but the tenant has no %s, "+
				"and only a tenant's single node (named <pool>-0) runs without one: restore "+
				"the file", e.Name(), topologyFile)
		}
		ran = append(ran, topologyPool{Name: pool, SetIDs: []string{setID},
			Nodes: []topologyNode{{Name: e.Name(), Drives: drives}}})
	}
	switch len(ran) {
	case 0:
		return topology{}, nil
	case 1:
		return topology{Version: 1, Pools: ran}, nil
	}
	return topology{}, fmt.Errorf("local: %d nodes hold data but the tenant has no %s, which "+
		"only a tenant of one node runs without: restore the file", len(ran), topologyFile)
}

// nodeDrives returns the paths of a node's drive directories (d0, d1, ...
// up to the highest there) and the set ID their format files agree on, ""
// when none is formatted. Drives that disagree, or that sit at another
// index than their format says, are an error: they were mixed up.
func nodeDrives(nodeDir string) (drives []string, setID string, err error) {
	entries, err := os.ReadDir(filepath.Join(nodeDir, "drives"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("local: listing drives of %s: %w", nodeDir, err)
	}
	count := 0
	for _, e := range entries {
		n, isDrive := strings.CutPrefix(e.Name(), "d")
		if i, err := strconv.Atoi(n); isDrive && err == nil && e.IsDir() && i >= count {
			count = i + 1
		}
	}
	for i := range count {
		d := filepath.Join(nodeDir, "drives", "d"+strconv.Itoa(i))
		drives = append(drives, d)
		f, ok, err := readDriveFormat(d)
		switch {
		case err != nil:
			return nil, "", err
		case !ok:
			continue
		case f.Index != i:
			return nil, "", fmt.Errorf("local: drive %s is formatted as drive %d of its set, "+
				"not %d: put the drive directories back in their places", d, f.Index, i)
		case setID != "" && f.SetID != setID:
			return nil, "", fmt.Errorf("local: drive %s belongs to set %q, the node's other "+
				"drives to %q: put back the drive that belongs here", d, f.SetID, setID)
		}
		setID = f.SetID
	}
	return drives, setID, nil
}

// readDriveFormat reads a drive's format file; ok is false when the drive
// has none (it is new, or was wiped).
func readDriveFormat(drive string) (f driveFormat, ok bool, err error) {
	path := filepath.Join(drive, formatPath)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, false, nil
	case err != nil:
		return f, false, fmt.Errorf("local: reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 || f.SetID == "" ||
		f.Index < 0 {
		return f, false, fmt.Errorf("local: %s is not a drive format storaged writes "+
			"(version 1 with a setID and an index; %v): the drive is damaged", path, err)
	}
	return f, true, nil
}
