package local

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-storage/strata/internal/atomicfile"
)

// topologyFile is where a multi-server tenant's topology lives, in the
// tenant's directory.
const topologyFile = "topology.json"

// topology is the JSON storaged reads with --topology: every node of the
// tenant with its drive RPC endpoint and drive paths, the parity, and an
// ID that names the tenant's erasure sets on its drives (each pool after
// the first has its own ID; see topologyPool). storaged derives
// the erasure sets from it (see storaged/cmd/storaged/topology.go); the
// control plane cannot import storaged, so the shape is written twice and
// both sides must agree.
type topology struct {
	Version int            `json:"version"`
	ID      string         `json:"id"`
	Parity  int            `json:"parity"`
	Pools   []topologyPool `json:"pools"`
}

// topologyPool is one pool of the topology. ID names the pool's erasure
// sets ("<id>-<j>"); the tenant's first pool has none and uses the file's
// ID, so that the drives of a tenant written before pools could be added
// keep opening. SetIDs instead names the sets one by one: the first pool
// of a tenant that ran as a single node has the set ID storaged chose for
// its drives (see adopt.go). Decommission tells storaged to move the
// pool's objects to the other pools and write no new ones to it.
type topologyPool struct {
	Name         string         `json:"name"`
	ID           string         `json:"id,omitempty"`
	SetIDs       []string       `json:"setIds,omitempty"`
	Nodes        []topologyNode `json:"nodes"`
	Decommission bool           `json:"decommission,omitempty"`
}

type topologyNode struct {
	Name     string   `json:"name"`
	Endpoint string   `json:"endpoint"`
	Drives   []string `json:"drives"`
}

// poolNodes are the nodes of one pool, in order, with the pool's ID in the
// topology ("" for the first pool, or on a tenant without a topology), the
// set IDs it names instead, and whether it is being decommissioned
// (removed from the spec).
type poolNodes struct {
	name, id     string
	setIDs       []string
	decommission bool
	nodes        []*node
}

// writeTopology writes the topology of the tenant's nodes into dir, keeping
// the ID of the file already there (the drives carry it), and returns the
// file's path. The file is rewritten only when its content changes.
func writeTopology(dir string, parity int, pools []poolNodes) (string, error) {
	path := filepath.Join(dir, topologyFile)
	old, err := readTopology(path)
	if err != nil {
		return "", err
	}
	t := topology{Version: 1, ID: old.ID, Parity: parity}
	if t.ID == "" {
		t.ID = newTopologyID()
	}
	for _, pn := range pools {
		p := topologyPool{Name: pn.name, ID: pn.id, SetIDs: pn.setIDs,
			Decommission: pn.decommission}
		for _, n := range pn.nodes {
			p.Nodes = append(p.Nodes, topologyNode{Name: n.name, Endpoint: n.endpoint(),
				Drives: n.drivePaths()})
		}
		t.Pools = append(t.Pools, p)
	}
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", fmt.Errorf("local: encoding the topology: %w", err)
	}
	if current, err := os.ReadFile(path); err == nil && bytes.Equal(current, data) {
		return path, nil
	}
	return path, atomicfile.Write(path, data, 0o600)
}

// newTopologyID makes an ID for a topology or a pool: 16 lowercase letters
// and digits.
func newTopologyID() string { return strings.ToLower(rand.Text()[:16]) }

// readTopology reads the topology written before, or returns a zero one
// when there is none.
func readTopology(path string) (topology, error) {
	var t topology
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("local: reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &t); err != nil || t.ID == "" {
		return t, fmt.Errorf("local: %s is damaged (%v): the tenant's drives carry its ID, "+
			"so restore it rather than remove it", path, err)
	}
	return t, nil
}
