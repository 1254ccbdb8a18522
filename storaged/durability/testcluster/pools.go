package testcluster

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// PoolConfig is one pool of a tenant that StartPools starts.
type PoolConfig struct {
	// Name names the pool; its nodes are "<name>-<i>".
	Name string
	// ID names the pool's sets; "" for the tenant's first pool, whose
	// sets take the topology's ID.
	ID string
	// Nodes and DrivesPerNode give the pool's shape.
	Nodes, DrivesPerNode int
	// Decommission marks the pool for draining.
	Decommission bool
}

// Pool is one pool of a running tenant.
type Pool struct {
	PoolConfig
	Nodes []*Node
}

// Pools returns the tenant's pools, in topology order.
func (c *Cluster) Pools() []*Pool { return c.pools }

// StartPools is Start for a tenant of several pools (cfg's Nodes and
// DrivesPerNode are not used): Nodes lists every pool's nodes, pool
// after pool.
func StartPools(t testing.TB, cfg Config, pools []PoolConfig) *Cluster {
	t.Helper()
	c := &Cluster{cfg: cfg, dir: t.TempDir(), pools: []*Pool{}}
	c.ca = newCA(t)
	c.Roots, c.CAFile = c.ca.pool, c.ca.write(t, c.dir)
	c.creds = writeCredentials(t, c.dir)
	t.Cleanup(func() { c.stopAll(t) })
	c.RestartWithPools(t, pools)
	return c
}

// RestartWithPools stops every node, writes a topology of the pools given
// and starts the nodes of its pools, all at once, waiting until each is
// ready. A pool named as before keeps its nodes and drives (its
// Decommission flag may change); a new name makes a pool of new nodes;
// the nodes of a pool left out stay stopped, their folders kept, and
// leave Nodes.
func (c *Cluster) RestartWithPools(t testing.TB, pools []PoolConfig) {
	t.Helper()
	for i := range c.Nodes {
		if c.Running(i) {
			c.Stop(t, i)
		}
	}
	old := map[string]*Pool{}
	for _, p := range c.pools {
		old[p.Name] = p
	}
	c.pools, c.Nodes = nil, nil
	for _, pc := range pools {
		p := old[pc.Name]
		if p == nil {
			p = c.newPool(t, pc)
		}
		p.PoolConfig = pc
		c.pools = append(c.pools, p)
		c.Nodes = append(c.Nodes, p.Nodes...)
	}
	c.setArgs(c.writeTopology(t))
	c.RestartAll(t)
}

// newPool prepares a pool's nodes: their ports, folders and certificates.
func (c *Cluster) newPool(t testing.TB, pc PoolConfig) *Pool {
	t.Helper()
	p := &Pool{PoolConfig: pc}
	for i := range pc.Nodes {
		name := pc.Name + "-" + strconv.Itoa(i)
		n := &Node{Name: name, Dir: filepath.Join(c.dir, name)}
		n.Addr = "127.0.0.1:" + strconv.Itoa(freePort(t))
		n.Endpoint = "https://" + n.Addr
		for d := range pc.DrivesPerNode {
			drive := filepath.Join(n.Dir, "drives", fmt.Sprintf("d%d", d))
			if err := os.MkdirAll(drive, 0o700); err != nil {
				t.Fatal(err)
			}
			n.Drives = append(n.Drives, drive)
		}
		c.ca.writeNodeCert(t, n.Dir, n.Name)
		p.Nodes = append(p.Nodes, n)
	}
	return p
}

// writePoolsTopology writes the topology of c.pools.
func (c *Cluster) writePoolsTopology(t testing.TB) string {
	t.Helper()
	type node struct {
		Name     string   `json:"name"`
		Endpoint string   `json:"endpoint"`
		Drives   []string `json:"drives"`
	}
	type pool struct {
		Name         string `json:"name"`
		ID           string `json:"id,omitempty"`
		Decommission bool   `json:"decommission,omitempty"`
		Nodes        []node `json:"nodes"`
	}
	topo := struct {
		Version int    `json:"version"`
		ID      string `json:"id"`
		Parity  int    `json:"parity"`
		Pools   []pool `json:"pools"`
	}{Version: 1, ID: "testcluster", Parity: c.cfg.Parity}
	for _, p := range c.pools {
		tp := pool{Name: p.Name, ID: p.ID, Decommission: p.Decommission}
		for _, n := range p.Nodes {
			tp.Nodes = append(tp.Nodes, node{Name: n.Name, Endpoint: n.Endpoint, Drives: n.Drives})
		}
		topo.Pools = append(topo.Pools, tp)
	}
	data, err := json.MarshalIndent(topo, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, "topology.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
