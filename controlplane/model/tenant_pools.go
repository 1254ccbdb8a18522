package model

import "fmt"

// A running tenant's pools change in two ways only: a pool is added (new
// nodes with new drives join the tenant) or a pool is removed, which
// decommissions it: the tenant stops writing to it, moves every object off
// it to the other pools, and only then stops its nodes and deletes its
// drives. A pool's shape (servers, drives per server, drive size, media)
// never changes in place, since its drives are cut into erasure sets by
// that shape; to reshape a pool, add a new one and remove the old.

// Pool states in a tenant's status.pools.
const (
	// PoolActive is a pool that takes new objects.
	PoolActive = "Active"
	// PoolDecommissioning is a pool removed from the spec whose objects are
	// being moved to the other pools.
	PoolDecommissioning = "Decommissioning"
	// PoolRemoved is a decommissioned pool whose nodes were stopped and
	// whose drives were deleted; it leaves status.pools at the next
	// reconcile.
	PoolRemoved = "Removed"
)

// Decommission states, as storaged reports them.
const (
	DecommissionDraining = "draining"
	DecommissionDone     = "done"
	DecommissionFailed   = "failed"
)

// PoolStatus is one pool of a tenant as the control plane last saw it:
// those of the spec and those still being decommissioned.
type PoolStatus struct {
	Name string `json:"name"`
	// ID names the pool's erasure sets on its drives; empty on a tenant
	// that runs without a topology (one pool of one server).
	ID string `json:"id,omitempty"`
	// State is Active, Decommissioning or Removed.
	State string `json:"state"`
	// TotalBytes and FreeBytes are the pool's capacity as its nodes report
	// it; zero when no node answered.
	TotalBytes int64 `json:"totalBytes,omitempty"`
	FreeBytes  int64 `json:"freeBytes,omitempty"`
	// Decommission is the progress of moving the pool's objects away; nil
	// unless the pool is being decommissioned.
	Decommission *PoolDecommission `json:"decommission,omitempty"`
}

// PoolDecommission is the progress of a pool's decommission, as the
// tenant's drain runner reports it.
type PoolDecommission struct {
	// State is draining, done or failed (a pass ended with objects that
	// could not be moved; the runner tries them again).
	State string `json:"state"`
	// Runner is the node that moves the objects.
	Runner string `json:"runner,omitempty"`
	// StartedAt is when the runner began, RFC 3339.
	StartedAt string `json:"startedAt,omitempty"`
	// ObjectsMoved and BytesMoved count what was moved so far.
	ObjectsMoved int64 `json:"objectsMoved"`
	BytesMoved   int64 `json:"bytesMoved"`
	// ObjectsLeft counts the object versions still on the pool when last
	// measured, -1 when unknown; UploadsLeft the multipart uploads that
	// must complete or be aborted first.
	ObjectsLeft int64 `json:"objectsLeft"`
	UploadsLeft int64 `json:"uploadsLeft"`
	// Failed names the objects the last pass could not move, with why.
	Failed []string `json:"failed,omitempty"`
}

// Summary says how far the decommission is, in one phrase.
func (d *PoolDecommission) Summary() string {
	left := "objects left unknown"
	if d.ObjectsLeft >= 0 {
		left = fmt.Sprintf("%d left", d.ObjectsLeft)
	}
	uploads := "uploads left unknown"
	if d.UploadsLeft >= 0 {
		uploads = fmt.Sprintf("%d upload(s) to finish", d.UploadsLeft)
	}
	s := fmt.Sprintf("%s: %d object(s) moved (%d bytes), %s, %s",
		d.State, d.ObjectsMoved, d.BytesMoved, left, uploads)
	if len(d.Failed) > 0 {
		s += fmt.Sprintf(", %d failed (first: %s)", len(d.Failed), d.Failed[0])
	}
	return s
}

// ValidatePoolChanges checks how spec changes a running tenant's pools:
// pools may be added and removed, but a pool keeps its shape, and a pool
// that is still being decommissioned cannot come back under its name.
// old is the tenant as stored; every violation names the field and what
// to do instead.
func ValidatePoolChanges(v *Violations, old *Tenant, spec *TenantSpec) {
	before := map[string]Pool{}
	for _, p := range old.Spec.Pools {
		before[p.Name] = p
	}
	leaving := map[string]bool{}
	for _, ps := range old.Status.Pools {
		if _, kept := before[ps.Name]; !kept && ps.State != PoolRemoved {
			leaving[ps.Name] = true
		}
	}
	for i, p := range spec.Pools {
		field := fmt.Sprintf("spec.pools[%d]", i)
		if prev, ok := before[p.Name]; ok {
			samePoolShape(v, field, prev, p)
			continue
		}
		if leaving[p.Name] {
			v.Add(field+".name", "pool %q is still being decommissioned: wait until "+
				"status.pools no longer lists it (its drives are deleted first), then add it "+
				"again, or give the new pool another name", p.Name)
		}
	}
}

// samePoolShape refuses a change of a pool's shape, naming each field.
func samePoolShape(v *Violations, field string, old, p Pool) {
	const fix = "a pool's shape is fixed once it runs: add a new pool and remove this one"
	if old.Servers != p.Servers {
		v.Add(field+".servers", "cannot change from %d to %d: %s", old.Servers, p.Servers, fix)
	}
	if old.DrivesPerServer != p.DrivesPerServer {
		v.Add(field+".drivesPerServer", "cannot change from %d to %d: %s",
			old.DrivesPerServer, p.DrivesPerServer, fix)
	}
	if old.DriveSize != p.DriveSize {
		v.Add(field+".driveSize", "cannot change from %q to %q: %s", old.DriveSize,
			p.DriveSize, fix)
	}
	if old.Media != p.Media {
		v.Add(field+".media", "cannot change from %q to %q: %s", old.Media, p.Media, fix)
	}
}
