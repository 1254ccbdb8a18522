package s3api

import (
	"context"
	"net/http"
	"time"
)

// PoolControl is the tenant's pools as the admin endpoint reaches them.
type PoolControl interface {
	// PoolStatus reports every pool of the tenant, in topology order.
	PoolStatus(ctx context.Context) []PoolStatus
}

// PoolStatus is one pool in the JSON body of GET /strata/admin/pools.
type PoolStatus struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	Sets       int    `json:"sets"`
	Drives     int    `json:"drives"`
	TotalBytes uint64 `json:"totalBytes"`
	FreeBytes  uint64 `json:"freeBytes"`
	// Decommission is null for a pool in service.
	Decommission *DecommissionStatus `json:"decommission"`
}

// DecommissionStatus is the drain of a pool being decommissioned. Only
// the node that runs the drain knows the counters; the others report -1
// for what is left, zero moved, and the state they can see.
type DecommissionStatus struct {
	// State is "draining", "done" or "failed".
	State string `json:"state"`
	// Runner names the node that runs the drain.
	Runner    string     `json:"runner,omitempty"`
	StartedAt *time.Time `json:"startedAt,omitempty"`
	// ObjectsMoved and BytesMoved count the versions moved off the pool.
	ObjectsMoved int64 `json:"objectsMoved"`
	BytesMoved   int64 `json:"bytesMoved"`
	// ObjectsLeft and UploadsLeft are the versions and uploads still on
	// the pool when last measured; -1 when unknown.
	ObjectsLeft int64 `json:"objectsLeft"`
	UploadsLeft int64 `json:"uploadsLeft"`
	// Failed names what the last pass could not move ("bucket/key: why").
	Failed []string `json:"failed"`
}

// PoolsStatus is the JSON body of GET /strata/admin/pools.
type PoolsStatus struct {
	Pools []PoolStatus `json:"pools"`
}

// servePools answers GET of the pools endpoint, for requests signed with
// the root key.
func (a *Admin) servePools(w http.ResponseWriter, req *request) {
	r := req.r
	w.Header().Set("X-Amz-Request-Id", req.id)
	if err := a.s3.authenticateRoot(req); err != nil {
		writeAPIError(w, req, toAPIError(err))
		return
	}
	switch {
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET")
		writeAPIError(w, req, newError("MethodNotAllowed"))
	case a.pools == nil:
		writeJSON(w, http.StatusNotImplemented,
			adminError{"this node runs no pools: it was started without --topology"})
	default:
		writeJSON(w, http.StatusOK, newPoolsStatus(a.pools.PoolStatus(r.Context())))
	}
}

// newPoolsStatus fills in the empty lists JSON should show as [].
func newPoolsStatus(pools []PoolStatus) PoolsStatus {
	if pools == nil {
		pools = []PoolStatus{}
	}
	for _, p := range pools {
		if p.Decommission != nil && p.Decommission.Failed == nil {
			p.Decommission.Failed = []string{}
		}
	}
	return PoolsStatus{Pools: pools}
}
