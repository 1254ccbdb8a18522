package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// Pools come and go on a running tenant through its topology file, which
// is the record of what the nodes run with:
//
//   - A pool of the spec that the topology lacks is added: new nodes, and a
//     fresh pool ID (none for a tenant's very first pool, which uses the
//     file's ID). Pools keep their order; new ones go last. A tenant that
//     ran as a single node has as its topology the one its node implies
//     (see adopt.go), so that node's pool stays first under its set ID.
//   - A pool of the topology that the spec lacks is decommissioned: it
//     stays in the file with "decommission": true, its nodes keep running,
//     and the drain runner (the first node of the first pool that is not
//     decommissioned) moves its objects to the other pools. The runner's
//     GET /strata/admin/pools says how far it is.
//   - Once the runner says "done", the pool leaves the file, its nodes stop
//     and their directories are deleted. A node directory that neither the
//     spec nor the topology names is what such a removal left when the
//     control plane stopped half-way, and is removed the same way.
//
// Each change of the file restarts every node together (see restart.go).

// planPools lays out the tenant's pools from its topology as last written
// (old) and its spec, giving every node its folders, port and certificate,
// so that the topology can name them all before any starts.
func (p *Provisioner) planPools(t *model.Tenant, old topology, ca *pki.CA,
	pc *model.ProvidedCert) ([]poolNodes, error) {
	pools := p.layoutPools(t, old)
	return pools, prepareAll(pools, ca, pc)
}

// layoutPools returns the tenant's pools in topology order: those of old,
// each decommissioned unless the spec still has it, then the spec's new
// pools, each with a fresh ID unless it is the tenant's very first.
func (p *Provisioner) layoutPools(t *model.Tenant, old topology) []poolNodes {
	inSpec := map[string]model.Pool{}
	for _, sp := range t.Spec.Pools {
		inSpec[sp.Name] = sp
	}
	var pools []poolNodes
	known := map[string]bool{}
	for _, op := range old.Pools {
		known[op.Name] = true
		sp, kept := inSpec[op.Name]
		if !kept {
			sp = model.Pool{Name: op.Name, Servers: len(op.Nodes), DrivesPerServer: drivesOf(op)}
		}
		pools = append(pools, poolNodes{name: op.Name, id: op.ID, setIDs: op.SetIDs,
			decommission: !kept, nodes: p.poolNodes(t, sp)})
	}
	for _, sp := range t.Spec.Pools {
		if known[sp.Name] {
			continue
		}
		pn := poolNodes{name: sp.Name, nodes: p.poolNodes(t, sp)}
		if len(pools) > 0 {
			pn.id = newTopologyID()
		}
		pools = append(pools, pn)
	}
	return pools
}

// tenantNodes returns every node of the tenant, those of pools being
// decommissioned included, without preparing them.
func (p *Provisioner) tenantNodes(t *model.Tenant) ([]*node, error) {
	old, err := loadTopology(p.TenantDir(t.Metadata.Name))
	if err != nil {
		return nil, err
	}
	return allNodes(p.layoutPools(t, old)), nil
}

// drivesOf returns the drives per node of a pool of the topology.
func drivesOf(tp topologyPool) int {
	if len(tp.Nodes) == 0 {
		return 0
	}
	return len(tp.Nodes[0].Drives)
}

// poolNodes returns the nodes of one pool.
func (p *Provisioner) poolNodes(t *model.Tenant, pool model.Pool) []*node {
	nodes := make([]*node, pool.Servers)
	for i := range nodes {
		nodes[i] = p.node(t, pool, i)
	}
	return nodes
}

// prepareAll prepares every node.
func prepareAll(pools []poolNodes, ca *pki.CA, pc *model.ProvidedCert) error {
	for _, n := range allNodes(pools) {
		n.providedCert = pc
		if err := n.prepare(ca); err != nil {
			return fmt.Errorf("node %s: %w", n.name, err)
		}
	}
	return nil
}

// usesTopology reports whether the tenant's nodes run from a topology
// file: when a pool has several servers, when there are several pools
// (those of the spec and those being decommissioned), and ever after a
// topology was written. A tenant of one pool of one server runs storaged
// with its drives on the command line, as it always has, until it gets a
// second pool.
func usesTopology(pools []poolNodes, old topology) bool {
	return old.ID != "" || len(pools) > 1 || (len(pools) == 1 && len(pools[0].nodes) > 1)
}

// drainRunner returns the node that drains decommissioned pools: the first
// node of the first pool that is not decommissioned.
func drainRunner(pools []poolNodes) *node {
	for _, pn := range pools {
		if !pn.decommission && len(pn.nodes) > 0 {
			return pn.nodes[0]
		}
	}
	return nil
}

// observePools asks the drain runner about the pools, fills in the
// tenant's status.pools and removes the decommissioned pools that the
// runner reports done. It returns the pools that remain.
func (p *Provisioner) observePools(ctx context.Context, dir string, parity int,
	pools []poolNodes, ca *pki.CA, obs *provision.Observed) ([]poolNodes, error) {
	fileID := ""
	if old, err := readTopology(filepath.Join(dir, topologyFile)); err == nil {
		fileID = old.ID
	}
	var rep *poolsReport
	if runner := drainRunner(pools); runner != nil && obs.Ready && fileID != "" {
		var err error
		if rep, err = runner.poolsReport(ctx, ca, obs.Credentials); err != nil &&
			hasDecommission(pools) {
			obs.Decommissioning = fmt.Sprintf("waiting for the drain runner %s: %v",
				runner.name, err)
		}
	}
	var done []string
	for _, pn := range pools {
		ps := poolStatus(pn, fileID, rep)
		if ps.Decommission != nil && ps.Decommission.State == model.DecommissionDone {
			ps.State = model.PoolRemoved
			done = append(done, pn.name)
		}
		obs.Pools = append(obs.Pools, ps)
	}
	if obs.Decommissioning == "" {
		obs.Decommissioning = decommissionMessage(obs.Pools)
	}
	if len(done) == 0 {
		return pools, nil
	}
	return p.removePools(ctx, dir, parity, pools, done, obs)
}

// hasDecommission reports whether any pool is being decommissioned.
func hasDecommission(pools []poolNodes) bool {
	for _, pn := range pools {
		if pn.decommission {
			return true
		}
	}
	return false
}

// poolStatus is one pool as the tenant's status shows it, with what the
// runner reported of it (matched by ID, the first pool by the file's).
func poolStatus(pn poolNodes, fileID string, rep *poolsReport) model.PoolStatus {
	id := pn.id
	if id == "" {
		id = fileID
	}
	ps := model.PoolStatus{Name: pn.name, ID: id, State: model.PoolActive}
	if pn.decommission {
		ps.State = model.PoolDecommissioning
		ps.Decommission = &model.PoolDecommission{State: model.DecommissionDraining,
			ObjectsLeft: -1}
	}
	if r := rep.find(id); r != nil {
		ps.TotalBytes, ps.FreeBytes = r.TotalBytes, r.FreeBytes
		if pn.decommission && r.Decommission != nil {
			ps.Decommission = r.Decommission
		}
	}
	return ps
}

// decommissionMessage says how far each decommissioning pool is, or ""
// when none is.
func decommissionMessage(pools []model.PoolStatus) string {
	var parts []string
	for _, ps := range pools {
		if ps.Decommission != nil {
			parts = append(parts, fmt.Sprintf("pool %s %s", ps.Name, ps.Decommission.Summary()))
		}
	}
	return strings.Join(parts, "; ")
}

// removePools takes the pools named done out of the topology, then stops
// their nodes and deletes their directories. The remaining nodes restart
// with the new topology at the next reconcile.
func (p *Provisioner) removePools(ctx context.Context, dir string, parity int,
	pools []poolNodes, done []string, obs *provision.Observed) ([]poolNodes, error) {
	var keep, gone []poolNodes
	for _, pn := range pools {
		if pn.decommission && slices.Contains(done, pn.name) {
			gone = append(gone, pn)
		} else {
			keep = append(keep, pn)
		}
	}
	if err := joinTopology(dir, parity, keep); err != nil {
		return pools, err
	}
	for _, pn := range gone {
		p.cfg.Logger.Info("decommissioned pool drained, removing it", "pool", pn.name)
		for _, n := range pn.nodes {
			if err := removeNodeDir(ctx, n.dir); err != nil {
				return keep, err
			}
		}
	}
	obs.Nodes = slices.DeleteFunc(obs.Nodes, func(n model.Node) bool {
		return slices.Contains(done, n.Pool)
	})
	obs.Ready = false
	obs.Message = fmt.Sprintf("pool(s) %s drained and removed: restarting the other nodes",
		strings.Join(done, ", "))
	return keep, nil
}

// removeNodeDir stops the storaged of a node directory and deletes it with
// its drives.
func removeNodeDir(ctx context.Context, nodeDir string) error {
	if err := stopNode(ctx, nodeDir); err != nil {
		return fmt.Errorf("stopping %s: %w", filepath.Base(nodeDir), err)
	}
	if err := os.RemoveAll(nodeDir); err != nil {
		return fmt.Errorf("local: removing %s: %w", nodeDir, err)
	}
	return nil
}

// removeOrphans removes the node directories of a tenant that runs from a
// topology which no pool names: what a pool removal left behind when the
// control plane stopped between rewriting the topology and deleting the
// nodes.
func removeOrphans(ctx context.Context, dir string, pools []poolNodes) error {
	entries, err := os.ReadDir(filepath.Join(dir, "nodes"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("local: listing nodes: %w", err)
	}
	named := map[string]bool{}
	for _, n := range allNodes(pools) {
		named[n.name] = true
	}
	for _, e := range entries {
		nodeDir := filepath.Join(dir, "nodes", e.Name())
		if !e.IsDir() || named[e.Name()] || !isNodeDir(nodeDir) {
			continue
		}
		if err := removeNodeDir(ctx, nodeDir); err != nil {
			return err
		}
	}
	return nil
}

// isNodeDir reports whether a directory is a node's: it has node.json.
func isNodeDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "node.json"))
	return err == nil
}
