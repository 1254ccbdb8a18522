package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
	"github.com/strata-storage/strata/storaged/pools"
	"github.com/strata-storage/strata/storaged/rpc"
	"github.com/strata-storage/strata/storaged/sets"
)

// store is what serves a node's data: the object layer, and on a node of
// a multi-node tenant the drive RPC that lends its drives to the others.
type store struct {
	layer object.Layer
	rpc   http.Handler // nil on a single node
	peers []*rpc.Peer
	heal  *healing
	// pools is the layer over the topology's pools, nil on a single node;
	// stopPools stops its background work.
	pools     *pools.Layers
	stopPools func()
	// noMetrics turns /strata/metrics off (--metrics=false).
	noMetrics bool
	// collectors are further metrics served beside the node's own.
	collectors []prometheus.Collector
}

// close releases the layer's background work and the peers' connections.
func (s *store) close() {
	if s.stopPools != nil {
		s.stopPools()
	}
	if s.heal != nil {
		s.heal.close()
	}
	if c, ok := s.layer.(interface{ Close() error }); ok {
		_ = c.Close()
	}
	for _, p := range s.peers {
		p.Close()
	}
}

// handler routes the RPC's paths to the RPC and everything else to s3. It
// matches the prefix itself: a ServeMux would clean S3 keys' paths.
func (s *store) handler(s3 http.Handler) http.Handler {
	s3 = s.withAdmin(s3)
	if s.rpc == nil {
		return s3
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, rpc.PathPrefix) {
			s.rpc.ServeHTTP(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}

// openStore opens the node's drives: the ones given by --drive on a single
// node, the sets of the topology otherwise.
func openStore(opts options, certs *certReloader, logger hclog.Logger) (*store, error) {
	if opts.cluster == nil {
		layer, heal, err := openLayer(opts.drives, opts.parity, opts.rrsParity, opts.heal,
			logger.Named("erasure"))
		if err != nil {
			return nil, err
		}
		return &store{layer: layer, heal: heal}, nil
	}
	return openCluster(opts.cluster, opts.rrsParity, certs, opts.heal, logger)
}

// openCluster builds every erasure set of the topology from this node's
// drives and its peers' drives, the RPC handler that serves this node's
// drives and locks to the peers, and the layer over the sets, whose
// REDUCED_REDUNDANCY objects get rrsParity (0: the topology's parity).
func openCluster(c *clusterOptions, rrsParity int, certs *certReloader, heal healOptions,
	logger hclog.Logger) (*store, error) {
	topo := c.topology
	roots, err := loadCA(c.tlsCA)
	if err != nil {
		return nil, err
	}
	peers, err := newPeers(topo, roots, certs)
	if err != nil {
		return nil, err
	}
	st := &store{}
	for _, n := range topo.nodes { // in topology order, not map order
		if p, ok := peers[n.Name]; ok {
			st.peers = append(st.peers, p)
		}
	}
	fresh, queues := freshLocalDrives(topo), newHealQueues(len(topo.sets))
	built, local, err := buildSets(topo, peers, queues, logger)
	if err != nil {
		return nil, err
	}
	locks := rpc.NewLockTable()
	if st.rpc, err = rpc.NewHandler(rpc.HandlerConfig{Drives: local, ClientCAs: roots,
		GetClientCAs: certs.roots, Nodes: topo.nodeNames(), Locks: locks}); err != nil {
		return nil, err
	}
	locker, err := rpc.NewLocker(rpc.LockerConfig{Local: locks, Peers: st.peers})
	if err != nil {
		return nil, err
	}
	// A replaced drive gets its buckets back from its drive heal job.
	st.heal, err = startHealing(clusterHealSets(topo, built, queues, fresh), heal,
		sets.ObjectLock(locker), logger.Named("heal"))
	if err != nil {
		return nil, err
	}
	if st.pools, err = poolsOver(topo, built, locker, rrsParity); err != nil {
		return nil, err
	}
	st.layer, st.stopPools = st.pools, startPools(st.pools, topo, heal, logger.Named("pools"))
	return st, nil
}

// buildSets builds the topology's erasure sets and returns them with this
// node's drives by RPC drive ID. At least one of this node's drives must
// open, as on a single node.
func buildSets(topo *topology, peers map[string]*rpc.Peer, queues []*erasure.HealQueue,
	logger hclog.Logger) ([]*erasure.Set, map[string]erasure.Drive, error) {
	local := map[string]erasure.Drive{}
	built := make([]*erasure.Set, len(topo.sets))
	for i, sl := range topo.sets {
		drives, err := setDrives(topo, sl, peers, local, logger)
		if err != nil {
			return nil, nil, err
		}
		built[i], err = erasure.New(erasure.Config{Drives: drives, Parity: topo.parity,
			OnDegraded: degradedTo(logDegraded(logger.Named("erasure"), sl.id, drives),
				queues[i])})
		if err != nil {
			return nil, nil, fmt.Errorf("building erasure set %s: %w", sl.id, err)
		}
	}
	for _, d := range local {
		if !erasure.IsOffline(d) {
			return built, local, nil
		}
	}
	return nil, nil, fmt.Errorf("opening drives: none of node %s's drives %v could be opened",
		topo.self, topo.localDrives())
}

// newPeers returns an RPC client for every other node of the topology.
func newPeers(topo *topology, roots *x509.CertPool,
	certs *certReloader) (map[string]*rpc.Peer, error) {
	peers := map[string]*rpc.Peer{}
	for _, n := range topo.nodes {
		if n.Name == topo.self {
			continue
		}
		p, err := rpc.NewPeer(rpc.PeerConfig{Node: n.Name, Endpoint: n.Endpoint,
			RootCAs: roots, GetRootCAs: certs.roots, GetClientCertificate: certs.getClient})
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Name, err)
		}
		peers[n.Name] = p
	}
	return peers, nil
}

// setDrives returns the drives of one set in set order: this node's own,
// opened (and formatted when fresh) here and added to local, and the
// peers' drives through the RPC.
func setDrives(topo *topology, sl setLayout, peers map[string]*rpc.Peer,
	local map[string]erasure.Drive, logger hclog.Logger) ([]erasure.Drive, error) {
	drives := make([]erasure.Drive, len(sl.drives))
	for j, ref := range sl.drives {
		id := driveID(sl.id, j)
		if ref.node != topo.self {
			drives[j] = peers[ref.node].Drive(id)
			continue
		}
		d, err := openLocalDrive(ref.path, drive.Identity{SetID: sl.id, Index: j}, logger)
		if err != nil {
			return nil, err
		}
		d = erasure.MonitorLocal(d) // formatted again if wiped while running
		drives[j], local[id] = d, d
	}
	return drives, nil
}

// driveID is how nodes address drive index of set setID over the RPC. It
// carries the drive's identity, so a node whose topology disagrees finds no
// such drive instead of the wrong one.
func driveID(setID string, index int) string {
	return setID + ":" + strconv.Itoa(index)
}

// openLocalDrive opens one of this node's drives as id. A drive formatted
// for another set or position is an error (the topology or the disks were
// mixed up); a drive that cannot be opened for another reason is served
// as offline, so that its sets run on quorum.
func openLocalDrive(dir string, id drive.Identity, logger hclog.Logger) (erasure.Drive, error) {
	l, err := drive.Open(dir, id)
	switch {
	case errors.Is(err, drive.ErrFormatMismatch):
		return nil, err
	case err != nil:
		logger.Warn("drive offline", "drive", dir, "error", err)
		return erasure.OfflineDrive(dir, err), nil
	}
	return l, nil
}

// layerOver returns the object layer over one pool's built sets, whose
// changes hold namespace locks across the tenant's nodes.
// REDUCED_REDUNDANCY objects get rrsParity (0: the sets' parity).
func layerOver(built []*erasure.Set, locker sets.Locker, rrsParity int) (object.Layer, error) {
	layers := make([]object.Layer, len(built))
	for i, s := range built {
		l, err := newSetLayer(s, rrsParity)
		if err != nil {
			return nil, err
		}
		layers[i] = l
	}
	return sets.New(sets.Config{Sets: layers, Locker: locker})
}

// logDegraded returns an OnDegraded that logs the failed drives by name.
func logDegraded(logger hclog.Logger, setID string, drives []erasure.Drive) func(erasure.Degraded) {
	return func(d erasure.Degraded) {
		names := make([]string, 0, len(d.Failures))
		for _, f := range d.Failures {
			name := "#" + strconv.Itoa(f.Drive)
			if f.Drive >= 0 && f.Drive < len(drives) {
				name = drives[f.Drive].String()
			}
			names = append(names, name+": "+f.Err.Error())
		}
		logger.Warn("drives failed on an object; it is queued for healing", "set", setID,
			"bucket", d.Bucket, "key", d.Key, "failed_drives", names)
	}
}
