// Package local is the Provisioner for clusters of kind local: each storage
// node of a tenant is a storaged process on this machine, listening on a
// loopback port, with its drives as directories under the control plane's
// state directory.
//
// Layout of a tenant's directory, <state>/tenants/<tenant>/:
//
//	ca.pem, ca-key.pem        the tenant's CA (key mode 0600); ca.pem holds the
//	                          active CA first, then any staged or old CA that
//	                          is still trusted (the bundle nodes and clients use)
//	ca-next.pem, ca-next-key.pem  a staged CA during a rotation (pki.Rotation)
//	credentials.json          root S3 keys (mode 0600)
//	topology.json             every pool, node and drive, on a tenant of
//	                          several servers or pools
//	nodes/<node>/node.json    the node's port, chosen once and kept
//	nodes/<node>/topology.applied  the SHA-256 of the topology.json its
//	                          process started with (see restart.go)
//	nodes/<node>/cert.pem     its certificate (common name the node's name, for
//	                          server and client use), key.pem its key
//	nodes/<node>/endpoint-cert.pem, endpoint-key.pem
//	                          a copy of a provided certificate, on tenants
//	                          whose tls.source is provided
//	nodes/<node>/drives/dN    one directory per drive
//	nodes/<node>/storaged.pid and storaged.log
//
// A tenant of one server runs storaged with its drives and parity on the
// command line until it gets a second pool; it then joins a topology whose
// first pool names the erasure set storaged chose for its drives (see
// adopt.go), and keeps its port, so the tenant's endpoint stays the same
// while that pool serves. A tenant whose pool has several servers, or that has
// several pools, shares erasure sets across its nodes: every node runs
// with the same topology.json (written before any node starts, its ID kept
// for the tenant's life; pools are added and decommissioned through it,
// see pools.go), its own
// --node-name and the tenant's CA, and the nodes reach each other's drives
// over the drive RPC on their S3 ports, each presenting its node
// certificate. Every node serves S3 for all the tenant's data; the
// tenant's endpoint is the first node of the first pool that is not being
// decommissioned (also the drain runner), so removing that pool moves the
// endpoint to the next pool's first node as soon as the spec drops it.
//
// TLS: node certificates always come from the tenant's CA and name the
// node (common name and DNS name). With a provided certificate, storaged
// serves it to S3 clients and the node certificate to clients that ask for
// a node name by SNI: the other nodes and the control plane's probes. The
// tenant's CA rotates in three steps (stage, promote, prune; see
// pki.Rotation), with a SIGHUP to every node at each, so that no request
// fails on the way.
//
// Nodes are started in their own session so that they outlive the control
// plane; when the control plane starts again it finds them through their
// pid files and adopts them instead of starting new ones. A node whose
// command line or topology is no longer what the spec asks for is
// restarted: one at a time for new settings (TLS source, metrics), all
// together for new pools (see restart.go).
package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// Config says where the provisioner keeps tenants and which storaged to run.
type Config struct {
	// StateDir is the control plane's state directory.
	StateDir string
	// StoragedBin is the path of the storaged binary.
	StoragedBin string
	Logger      hclog.Logger
	// CertLifetime is how long node certificates are valid; zero means
	// pki.CertLifetime.
	CertLifetime time.Duration
	// CertRenewBefore is how long before expiry they are replaced; zero
	// means DefaultRenewBefore.
	CertRenewBefore time.Duration
	// CALifetime is how long a tenant CA is valid; zero means
	// DefaultCALifetime.
	CALifetime time.Duration
	// CARenewBefore is how long before a tenant CA expires its successor
	// is made and published; it signs from half that before expiry (see
	// pki.Rotation). Zero means DefaultCARenewBefore.
	CARenewBefore time.Duration
	// Secrets reads the Secrets that tenants name for their provided
	// certificate; nil when the control plane has no Kubernetes API.
	Secrets model.SecretReader
}

// Provisioner runs tenants as local processes.
type Provisioner struct {
	cfg Config
}

var _ provision.Provisioner = (*Provisioner)(nil)

// New checks cfg and returns a Provisioner.
func New(cfg Config) (*Provisioner, error) {
	if _, err := os.Stat(cfg.StoragedBin); err != nil {
		return nil, fmt.Errorf("local: storaged binary: %w (build it with make build, or "+
			"pass --storaged-bin)", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.CertLifetime == 0 {
		cfg.CertLifetime = pki.CertLifetime
	}
	if cfg.CertRenewBefore == 0 {
		cfg.CertRenewBefore = DefaultRenewBefore
	}
	if cfg.CALifetime == 0 {
		cfg.CALifetime = DefaultCALifetime
	}
	if cfg.CARenewBefore == 0 {
		cfg.CARenewBefore = DefaultCARenewBefore
	}
	if cfg.CARenewBefore >= cfg.CALifetime {
		return nil, fmt.Errorf("local: tenant CAs renewed %s before expiry would be renewed "+
			"at once: make the CA renewal window shorter than the CA lifetime (%s)",
			cfg.CARenewBefore, cfg.CALifetime)
	}
	if cfg.CertRenewBefore >= cfg.CertLifetime {
		return nil, fmt.Errorf("local: certificates renewed %s before expiry would be renewed "+
			"at once: make the renewal window shorter than the lifetime (%s)",
			cfg.CertRenewBefore, cfg.CertLifetime)
	}
	return &Provisioner{cfg: cfg}, nil
}

// TenantDir returns the directory of a tenant.
func (p *Provisioner) TenantDir(tenant string) string {
	return filepath.Join(p.cfg.StateDir, "tenants", tenant)
}

// Ensure implements provision.Provisioner.
func (p *Provisioner) Ensure(ctx context.Context, t *model.Tenant) (provision.Observed, error) {
	dir := p.TenantDir(t.Metadata.Name)
	ca, reload, err := p.tenantCA(dir, t.Metadata.Name)
	if err != nil {
		return provision.Observed{}, err
	}
	pc, err := providedCert(ctx, t, p.cfg.Secrets)
	if err != nil {
		return provision.Observed{}, err
	}
	creds, err := loadOrCreateCredentials(filepath.Join(dir, credentialsFile))
	if err != nil {
		return provision.Observed{}, err
	}
	obs := provision.Observed{Credentials: creds, Ready: true}
	pools, err := p.ensurePools(ctx, t, ca, pc, reload, &obs)
	if err != nil {
		return obs, err
	}
	if runner := drainRunner(pools); runner != nil {
		obs.Endpoint = runner.endpoint()
	}
	if obs.Ready {
		if ca, err = p.pruneCA(dir, ca, pools); err != nil {
			return obs, err
		}
	}
	endpointStatus(&obs, ca, pc)
	obs.CAExpiry = ca.Cert.NotAfter
	if pc != nil {
		obs.TLSWarning, obs.TLSExpired = providedWarning(pc.NotAfter(), time.Now(),
			p.cfg.CertRenewBefore, t.Spec.TLS.ReplaceAdvice())
	}
	return obs, nil
}

// ensurePools lays out the tenant's pools, writes its topology, restarts
// the nodes that run with stale settings, starts those that do not run,
// and follows the decommission of removed pools. It returns the pools
// that remain.
func (p *Provisioner) ensurePools(ctx context.Context, t *model.Tenant, ca *pki.CA,
	pc *model.ProvidedCert, reload bool, obs *provision.Observed) ([]poolNodes, error) {
	dir := p.TenantDir(t.Metadata.Name)
	old, err := loadTopology(dir)
	if err != nil {
		return nil, err
	}
	pools, err := p.planPools(t, old, ca, pc)
	if err != nil {
		return nil, err
	}
	if reload {
		reloadAll(pools)
	}
	topo := usesTopology(pools, old)
	if topo {
		if err := joinTopology(dir, t.Spec.Parity, pools); err != nil {
			return nil, err
		}
		if err := removeOrphans(ctx, dir, pools); err != nil {
			return nil, err
		}
	}
	if obs.Restarting, err = p.restartStale(ctx, pools, ca); err != nil {
		return nil, err
	}
	for _, n := range allNodes(pools) {
		if err := p.ensureNode(ctx, n, ca, obs); err != nil {
			return nil, fmt.Errorf("node %s: %w", n.name, err)
		}
	}
	if obs.Restarting != "" {
		obs.Ready, obs.Message = false, obs.Restarting
	}
	if !topo {
		for _, pn := range pools {
			obs.Pools = append(obs.Pools, model.PoolStatus{Name: pn.name,
				State: model.PoolActive})
		}
		return pools, nil
	}
	return p.observePools(ctx, dir, t.Spec.Parity, pools, ca, obs)
}

// joinTopology writes the tenant's topology and points every node at it
// and at the tenant's CA.
func joinTopology(dir string, parity int, pools []poolNodes) error {
	path, err := writeTopology(dir, parity, pools)
	if err != nil {
		return err
	}
	for _, pn := range pools {
		for _, n := range pn.nodes {
			n.topology, n.caFile = path, filepath.Join(dir, pki.CACertFile)
		}
	}
	return nil
}

// Destroy implements provision.Provisioner.
func (p *Provisioner) Destroy(ctx context.Context, tenant string) error {
	dir := p.TenantDir(tenant)
	if err := StopNodes(ctx, dir); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("local: removing %s: %w", dir, err)
	}
	return nil
}

func (p *Provisioner) node(t *model.Tenant, pool model.Pool, i int) *node {
	name := fmt.Sprintf("%s-%d", pool.Name, i)
	return &node{
		name:   name,
		pool:   pool.Name,
		dir:    filepath.Join(p.TenantDir(t.Metadata.Name), "nodes", name),
		drives: pool.DrivesPerServer,
		parity: t.Spec.Parity,
		region: t.Spec.Region,

		lifetime:    p.cfg.CertLifetime,
		renewBefore: p.cfg.CertRenewBefore,
		provided:    t.Spec.TLS.Provided(),
		metrics:     t.Spec.MetricsEnabled(),
		rrsParity:   t.Spec.ReducedRedundancyParity(),

		auditTargets: t.Spec.AuditTargets(),
		logTargets:   t.Spec.LogTargets,
	}
}

// ensureNode starts a prepared node unless it runs, and reports it.
func (p *Provisioner) ensureNode(ctx context.Context, n *node, ca *pki.CA,
	obs *provision.Observed) error {
	if obs.CertNotAfter.IsZero() || n.certNotAfter.Before(obs.CertNotAfter) {
		obs.CertNotAfter = n.certNotAfter
	}
	state, msg, err := p.ensureProcess(n)
	if err != nil {
		return err
	}
	obs.Restarted = obs.Restarted || msg != ""
	ready := state == stateRunning && n.ready(ctx, ca)
	if !ready {
		obs.Ready = false
		obs.Message = msg
		if msg == "" {
			obs.Message = fmt.Sprintf("node %s is starting", n.name)
		}
		state = stateStarting
	}
	online := 0
	if ready {
		var offline []string
		online, offline = n.driveStates(ctx, ca)
		obs.OfflineDrives = append(obs.OfflineDrives, offline...)
		if rep, err := n.healing(ctx, ca, obs.Credentials); err == nil {
			addHealing(obs, n, rep)
		}
	}
	obs.Drives += n.drives
	obs.Nodes = append(obs.Nodes, model.Node{
		Name: n.name, Pool: n.pool, Endpoint: n.endpoint(), State: state, DrivesOnline: online,
	})
	return nil
}

const (
	stateRunning  = "Running"
	stateStarting = "Starting"
)

// ensureProcess adopts the node's running process or starts a new one. When
// a process it started before has exited, the message carries the end of
// its log.
func (p *Provisioner) ensureProcess(n *node) (state, msg string, err error) {
	if _, ok := livePID(n.dir); ok {
		return stateRunning, "", nil
	}
	if tail := n.exitedLogTail(); tail != "" {
		msg = fmt.Sprintf("node %s exited and is being restarted; its log ends: %s", n.name, tail)
		p.cfg.Logger.Warn("storage node exited, restarting", "node", n.name, "log", tail)
	}
	if err := n.start(p.cfg.StoragedBin, p.cfg.Logger); err != nil {
		return "", "", err
	}
	return stateStarting, msg, nil
}

// readyTimeout bounds one readiness probe of a node.
const readyTimeout = 2 * time.Second
