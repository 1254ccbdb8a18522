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
// ID that names the tenant's erasure sets on its drives. storaged derives
// the erasure sets from it (see storaged/cmd/storaged/topology.go); the
// control plane cannot import storaged, so the shape is written twice and
// both sides must agree.
type topology struct {
	Version int            `json:"version"`
	ID      string         `json:"id"`
	Parity  int            `json:"parity"`
	Pools   []topologyPool `json:"pools"`
}

type topologyPool struct {
	Name  string         `json:"name"`
	Nodes []topologyNode `json:"nodes"`
}

type topologyNode struct {
	Name     string   `json:"name"`
	Endpoint string   `json:"endpoint"`
	Drives   []string `json:"drives"`
}

// poolNodes are the nodes of one pool, in order.
type poolNodes struct {
	name  string
	nodes []*node
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
		t.ID = strings.ToLower(rand.Text()[:16])
	}
	for _, pn := range pools {
		p := topologyPool{Name: pn.name}
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
