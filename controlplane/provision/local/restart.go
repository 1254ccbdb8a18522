package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// A node runs with what its command line and its topology file said when
// it started. When the tenant's spec changes what a node should run with,
// the node is restarted:
//
//   - A new command line (the TLS source switched, metrics turned on or
//     off) restarts the nodes one at a time: a node is stopped only when
//     every node of the tenant answers ready, and started again at once
//     with the new flags, so that the others keep serving. A tenant of one
//     node has a short gap in service while it restarts.
//   - A new topology (a pool added, decommissioned or removed) restarts
//     every node together: the nodes place objects by the pools they know,
//     and two nodes with different pools would place the same object
//     differently, so no node may serve with the old pools once another
//     serves with the new. A single node that ran without a topology and
//     now has one (its tenant got a second pool) counts as a new topology.
//
// The decision is made from what runs, not from what the control plane
// remembers doing: the command line comes from /proc, and each node's
// topology.applied holds the SHA-256 of the topology file its process
// started with. A control plane that dies mid-way therefore finishes the
// job at its next reconcile.
const topologyApplied = "topology.applied"

// staleness says why a node's process must restart.
type staleness int

const (
	current staleness = iota
	staleArgs
	staleTopology
)

// staleness compares the node's running process, if any, with what it
// should run with.
func (n *node) staleness() staleness {
	pid, running := livePID(n.dir)
	if !running {
		return current
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return current // exited meanwhile: it is started with the new flags
	}
	args := bytes.Split(bytes.TrimSuffix(cmdline, []byte{0}), []byte{0})
	if len(args) == 0 || !equalArgs(args[1:], n.args(n.credentialsPath())) {
		if n.topology != "" && !slices.ContainsFunc(args, isTopologyFlag) {
			return staleTopology // a single node joins its tenant's new pools
		}
		return staleArgs
	}
	if n.topology == "" {
		return current
	}
	applied, err := os.ReadFile(filepath.Join(n.dir, topologyApplied))
	if err != nil {
		// TODO: a node started before topology.applied existed is taken
		// to run the current topology; restart it by hand after a change.
		return current
	}
	if want, err := fileHash(n.topology); err == nil && string(applied) != want {
		return staleTopology
	}
	return current
}

// isTopologyFlag reports whether a command-line argument is --topology.
func isTopologyFlag(arg []byte) bool { return string(arg) == "--topology" }

func equalArgs(got [][]byte, want []string) bool {
	return slices.EqualFunc(got, want, func(g []byte, w string) bool { return string(g) == w })
}

// fileHash is the hex SHA-256 of a file's content.
func fileHash(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b)), nil
}

// markTopology records the topology that the node's new process starts
// with.
func (n *node) markTopology() error {
	if n.topology == "" {
		return nil
	}
	h, err := fileHash(n.topology)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(n.dir, topologyApplied), []byte(h), 0o600)
}

// restartStale stops the nodes that must restart, as the comment above
// says; ensureNode then starts them with what they should run with. It
// returns what it is doing for the tenant's conditions, "" when no node is
// stale.
func (p *Provisioner) restartStale(ctx context.Context, pools []poolNodes,
	ca *pki.CA) (string, error) {
	var stale []*node
	together := false
	for _, n := range allNodes(pools) {
		switch n.staleness() {
		case staleTopology:
			together = true
			stale = append(stale, n)
		case staleArgs:
			stale = append(stale, n)
		}
	}
	switch {
	case len(stale) == 0:
		return "", nil
	case together:
		return p.restartTogether(ctx, stale)
	}
	for _, n := range allNodes(pools) {
		if _, running := livePID(n.dir); !running || !n.ready(ctx, ca) {
			return fmt.Sprintf("restarting nodes one at a time to take new settings, %d "+
				"left: waiting for node %s to answer ready", len(stale), n.name), nil
		}
	}
	n := stale[0]
	p.cfg.Logger.Info("restarting storage node to take new settings", "node", n.name)
	if err := n.stop(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("restarting nodes one at a time to take new settings, %d left: "+
		"restarting node %s", len(stale), n.name), nil
}

// restartTogether stops every running node so that all start again with
// the new topology.
func (p *Provisioner) restartTogether(ctx context.Context, stale []*node) (string, error) {
	p.cfg.Logger.Info("restarting storage nodes together to take a new topology",
		"nodes", len(stale))
	for _, n := range stale {
		if err := n.stop(ctx); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("restarting %d node(s) together to take the tenant's new pools",
		len(stale)), nil
}

// stop ends the node's process and forgets its pid, so that starting it
// again is not taken for a crash.
func (n *node) stop(ctx context.Context) error {
	if err := stopNode(ctx, n.dir); err != nil {
		return fmt.Errorf("stopping node %s: %w", n.name, err)
	}
	if err := os.Remove(filepath.Join(n.dir, pidFile)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("stopping node %s: %w", n.name, err)
	}
	return nil
}

// allNodes lists the nodes of every pool, in order.
func allNodes(pools []poolNodes) []*node {
	var out []*node
	for _, pn := range pools {
		out = append(out, pn.nodes...)
	}
	return out
}
