package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// A topology file describes a tenant whose erasure sets span several nodes.
// The control plane writes one file and hands the same file to every node,
// each with its own --node-name:
//
//	{
//	  "version": 1,
//	  "id": "k3J9Q2ZP",                       // names the deployment; set IDs derive from it
//	  "parity": 4,
//	  "pools": [{
//	    "name": "pool-0",
//	    "nodes": [
//	      {"name": "pool-0-0", "endpoint": "https://10.0.0.1:9000",
//	       "drives": ["/data/d0", "/data/d1"]},
//	      ...
//	    ]
//	  }, {
//	    "name": "pool-1", "id": "x8c2m1ab",   // a pool added later names its own sets
//	    "decommission": true,                 // takes no new objects and is drained
//	    "nodes": [...]
//	  }]
//	}
//
// or, with a first pool whose drives a single node formatted, naming its
// sets one by one instead of taking the file's id:
//
//	  "pools": [{"name": "pool-0", "setIds": ["Q5LD..."], "nodes": [...]}, ...]
//
// Every node derives the same erasure sets from it (see layoutSets): each
// pool's drives, interleaved across its nodes (drive 0 of every node, then
// drive 1 of every node, ...), are cut into equal sets of at most
// maxSetSize drives, the fewest that fit. Set i of a pool is named
// "<pool id>-<i>", where a pool without an id (at most one: the tenant's
// first, written before pools could be added) uses the file's id; drive j
// of it is formatted as drive j of that set. A pool may instead name its
// sets one by one with "setIds", exactly as many as it is cut into: that
// is how a single node's drives, formatted under the set ID storaged
// chose for them, join a topology when the tenant grows by a pool (one
// node's drives are interleaved in their --drive order, so drive j keeps
// its index). Such a pool has no "id" and, like the id-less pool, which it
// counts as, is reported under the file's id. Set IDs are unique across
// the file. A node opens its own drives and reaches the others through
// the drive RPC at the node's endpoint.
// The file is part of the on-disk format: changing the order of a pool's
// nodes or drives, a pool's id or the parity of a running tenant makes its
// drives refuse to open or its objects unreadable. Pools are matched by
// id, so a pool may leave the file once drained; storaged/pools says where
// objects go among them.

// topologyVersion is the only version of the file this program reads.
const topologyVersion = 1

// maxSetSize is the largest erasure set a pool is cut into.
const maxSetSize = 16

// topologyIDRE is what a topology ID may look like.
var topologyIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,62}$`)

// topologyFile is the JSON of a --topology file.
type topologyFile struct {
	Version int        `json:"version"`
	ID      string     `json:"id"`
	Parity  int        `json:"parity"`
	Pools   []poolFile `json:"pools"`
}

type poolFile struct {
	Name         string     `json:"name"`
	ID           string     `json:"id,omitempty"`
	SetIDs       []string   `json:"setIds,omitempty"`
	Decommission bool       `json:"decommission,omitempty"`
	Nodes        []nodeFile `json:"nodes"`
}

type nodeFile struct {
	Name     string   `json:"name"`
	Endpoint string   `json:"endpoint"`
	Drives   []string `json:"drives"`
}

// topology is a validated topology file seen from one node.
type topology struct {
	id     string
	parity int
	self   string
	nodes  []nodeFile  // every node of the tenant, in file order
	sets   []setLayout // every pool's sets, pool after pool
	pools  []poolLayout
}

// poolLayout is one pool: its names and its sets, sets[first:end] of the
// topology.
type poolLayout struct {
	name, id     string
	decommission bool
	nodes        []string
	first, end   int
	drives       int
}

// drainRunner returns the node that drains the pools being
// decommissioned: the first node of the first pool in service.
func (t *topology) drainRunner() string {
	for _, p := range t.pools {
		if !p.decommission {
			return p.nodes[0]
		}
	}
	return ""
}

// setLayout is one erasure set: its ID and its drives in set order.
type setLayout struct {
	id     string
	drives []driveRef
}

// driveRef is one drive of a set: the node that holds it and its path
// there.
type driveRef struct {
	node string
	path string
}

// localDrives returns the paths of the node's own drives.
func (t *topology) localDrives() []string {
	for _, n := range t.nodes {
		if n.Name == t.self {
			return n.Drives
		}
	}
	return nil
}

// nodeNames returns the names of every node.
func (t *topology) nodeNames() []string {
	out := make([]string, len(t.nodes))
	for i, n := range t.nodes {
		out[i] = n.Name
	}
	return out
}

// loadTopology reads and validates a topology file for node self.
func loadTopology(path, self string) (*topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--topology: %w", err)
	}
	var f topologyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("--topology %q is not a valid topology file: %w", path, err)
	}
	t, err := f.validate(self)
	if err != nil {
		return nil, fmt.Errorf("--topology %q: %w", path, err)
	}
	return t, nil
}

// validate checks the file, reporting every problem at once, and lays out
// its sets.
func (f topologyFile) validate(self string) (*topology, error) {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if f.Version != topologyVersion {
		add("version %d: this storaged reads version %d", f.Version, topologyVersion)
	}
	if !topologyIDRE.MatchString(f.ID) {
		add("id %q: use 1 to 63 letters, digits and hyphens", f.ID)
	}
	if len(f.Pools) == 0 {
		add("pools: one pool is required")
	}
	errs = append(errs, f.checkPools()...)
	names := map[string]bool{}
	endpoints := map[string]bool{}
	for i, p := range f.Pools {
		errs = append(errs, p.validate(i, names, endpoints)...)
	}
	if self != "" && !names[self] {
		add("--node-name %q is not a node of the topology", self)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f.layout(self)
}

// checkPools checks what ties the pools together: their names and ids
// are unique, at most one pool lacks an id, and one pool stays in service.
func (f topologyFile) checkPools() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	names, ids := map[string]bool{}, map[string]bool{}
	withoutID, inService := 0, 0
	for i, p := range f.Pools {
		if names[p.Name] {
			add("pools[%d].name %q is used twice", i, p.Name)
		}
		names[p.Name] = true
		id := p.ID
		switch {
		case id != "" && len(p.SetIDs) > 0:
			add("pools[%d]: give either id or setIds, not both", i)
		case id == "":
			withoutID++
			id = f.ID
		case !topologyIDRE.MatchString(id):
			add("pools[%d].id %q: use 1 to 63 letters, digits and hyphens", i, id)
		}
		for _, s := range p.SetIDs {
			if !topologyIDRE.MatchString(s) {
				add("pools[%d].setIds: %q: use 1 to 63 letters, digits and hyphens", i, s)
			}
		}
		if ids[id] {
			add("pools[%d].id %q is used twice (a pool without an id uses the file's id)", i, id)
		}
		ids[id] = true
		if !p.Decommission {
			inService++
		}
	}
	if withoutID > 1 {
		add("pools: %d pools have no id (setIds counts as none); only the tenant's first "+
			"pool may omit it", withoutID)
	}
	if len(f.Pools) > 0 && inService == 0 {
		add("pools: every pool is marked decommission; keep at least one in service")
	}
	return errs
}

// layout cuts every pool into sets and checks the parity against them.
func (f topologyFile) layout(self string) (*topology, error) {
	t := &topology{id: f.ID, parity: f.Parity, self: self}
	var errs []error
	setIDs := map[string]int{} // set ID -> pool index
	for i, p := range f.Pools {
		id := p.ID
		if id == "" {
			id = f.ID
		}
		sets, err := layoutSets(id, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("pools[%d]: %w", i, err))
			continue
		}
		for _, s := range sets {
			if j, dup := setIDs[s.id]; dup {
				errs = append(errs, fmt.Errorf("pools[%d]: set ID %q is also a set of "+
					"pools[%d]: set IDs must be unique across the file", i, s.id, j))
			}
			setIDs[s.id] = i
		}
		if size := len(sets[0].drives); f.Parity < 1 || f.Parity > size/2 {
			errs = append(errs, fmt.Errorf("parity %d with pool %q's erasure sets of %d "+
				"drives: use 1 to %d", f.Parity, p.Name, size, size/2))
		}
		pl := poolLayout{name: p.Name, id: id, decommission: p.Decommission,
			first: len(t.sets), end: len(t.sets) + len(sets)}
		for _, n := range p.Nodes {
			pl.nodes = append(pl.nodes, n.Name)
			pl.drives += len(n.Drives)
		}
		t.sets = append(t.sets, sets...)
		t.nodes = append(t.nodes, p.Nodes...)
		t.pools = append(t.pools, pl)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// validate checks pool i's nodes; names and endpoints collect the nodes'
// names and endpoints across pools, which must be unique.
func (p poolFile) validate(i int, names, endpoints map[string]bool) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(p.Nodes) == 0 {
		add("pool %q has no nodes", p.Name)
	}
	for j, n := range p.Nodes {
		where := fmt.Sprintf("pools[%d].nodes[%d]", i, j)
		switch {
		case n.Name == "":
			add("%s.name is required", where)
		case names[n.Name]:
			add("%s.name %q is used twice", where, n.Name)
		}
		names[n.Name] = true
		if err := checkEndpoint(n.Endpoint); err != nil {
			add("%s.endpoint: %w", where, err)
		} else if endpoints[n.Endpoint] {
			add("%s.endpoint %q is used twice", where, n.Endpoint)
		}
		endpoints[n.Endpoint] = true
		errs = append(errs, checkNodeDrives(where, n.Drives, len(p.Nodes[0].Drives))...)
	}
	return errs
}

// checkEndpoint demands an https://host:port URL without a path.
func checkEndpoint(e string) error {
	u, err := url.Parse(e)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.Port() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("%q: give https://host:port", e)
	}
	return nil
}

// checkNodeDrives demands absolute, distinct drive paths, as many as the
// first node has.
func checkNodeDrives(where string, drives []string, want int) []error {
	var errs []error
	if len(drives) == 0 || len(drives) != want {
		errs = append(errs, fmt.Errorf("%s.drives: %d drives; every node of a pool needs the "+
			"same number, at least 1 (the first node has %d)", where, len(drives), want))
	}
	seen := map[string]bool{}
	for _, d := range drives {
		switch {
		case !filepath.IsAbs(d):
			errs = append(errs, fmt.Errorf("%s.drives: %q is not an absolute path", where, d))
		case seen[filepath.Clean(d)]:
			errs = append(errs, fmt.Errorf("%s.drives: %q is listed twice", where, d))
		}
		seen[filepath.Clean(d)] = true
	}
	return errs
}

// setCount returns how many equal erasure sets of at most maxSetSize
// drives n drives make: the fewest that divide n. Sets of fewer than two
// drives cannot keep quorum, so such an n is an error.
func setCount(n int) (int, error) {
	for k := 1; k <= n; k++ {
		if n%k == 0 && n/k <= maxSetSize {
			if n/k < 2 {
				break
			}
			return k, nil
		}
	}
	return 0, fmt.Errorf("%d drives cannot be cut into equal erasure sets of 2 to %d drives: "+
		"use a drive count with a divisor in that range", n, maxSetSize)
}

// layoutSets cuts a pool's drives into erasure sets. The drives are taken
// in interleaved order (drive 0 of every node, then drive 1 of every node,
// and so on), so that each set spreads over as many nodes as it can. Set i
// is named p.SetIDs[i] when the pool names its sets, "<id>-<i>" otherwise.
func layoutSets(id string, p poolFile) ([]setLayout, error) {
	var order []driveRef
	for d := range len(p.Nodes[0].Drives) {
		for _, n := range p.Nodes {
			order = append(order, driveRef{node: n.Name, path: n.Drives[d]})
		}
	}
	k, err := setCount(len(order))
	if err != nil {
		return nil, err
	}
	if len(p.SetIDs) > 0 && len(p.SetIDs) != k {
		return nil, fmt.Errorf("setIds names %d sets, but the pool's %d drives are cut into %d "+
			"set(s) of %d: name exactly %d", len(p.SetIDs), len(order), k, len(order)/k, k)
	}
	size := len(order) / k
	sets := make([]setLayout, k)
	for i := range sets {
		name := id + "-" + strconv.Itoa(i)
		if len(p.SetIDs) > 0 {
			name = p.SetIDs[i]
		}
		sets[i] = setLayout{id: name, drives: order[i*size : (i+1)*size]}
	}
	return sets, nil
}
