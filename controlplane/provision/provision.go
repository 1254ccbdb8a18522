// Package provision defines how the control plane turns a tenant into
// running storage nodes. Each cluster kind has its own Provisioner in a
// sub-package (local/ runs processes on this machine); the reconcilers
// choose one by the cluster's kind and never start anything themselves.
package provision

import (
	"context"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
)

// Observed is what a provisioner saw of a tenant's nodes after bringing
// them towards the spec.
type Observed struct {
	// Endpoint is the tenant's S3 URL.
	Endpoint string
	// CABundle is the PEM of the CA that signed the nodes' certificates.
	CABundle string
	// Credentials are the tenant's root S3 keys.
	Credentials model.Credentials
	Nodes       []model.Node
	// Ready is true when every node answers its readiness check.
	Ready bool
	// Message says what is not ready yet, when Ready is false.
	Message string
	// Restarted is true when a node had exited on its own and was started
	// again; Message then carries the end of its log. Callers back off, so
	// that a node that cannot start is not restarted in a tight loop.
	Restarted bool
	// OfflineDrives names the drives of running nodes that do not answer,
	// as node:drive.
	OfflineDrives []string
	// CertNotAfter is the earliest expiry of the nodes' certificates.
	CertNotAfter time.Time
	// CAExpiry is when the tenant's internal CA expires.
	CAExpiry time.Time
	// TLSWarning says that a certificate the control plane cannot renew (a
	// provided one) expires soon, or has expired when TLSExpired is set.
	TLSWarning string
	TLSExpired bool
	// Healing is what the running nodes report of their healing; nil when
	// none answered.
	Healing *model.TenantHealing
	// Restarting says which nodes restart to take new settings or pools,
	// "" when none does; Ready is then false.
	Restarting string
	// Pools are the tenant's pools as its nodes run them, with the
	// progress of those being decommissioned.
	Pools []model.PoolStatus
	// Decommissioning says how far the decommission of removed pools is,
	// "" when no pool is being decommissioned.
	Decommissioning string
	// Drives counts the drives of every node, those of pools being
	// decommissioned included.
	Drives int
}

// Provisioner runs the storage nodes of tenants on one kind of cluster.
// Implementations are safe for concurrent use on different tenants; the
// reconcilers never call them concurrently for the same tenant.
type Provisioner interface {
	// Ensure brings the tenant's nodes towards its spec and reports what
	// it sees. It is idempotent and does not wait for nodes to become
	// ready: callers poll by calling it again.
	Ensure(ctx context.Context, t *model.Tenant) (Observed, error)
	// Destroy stops the tenant's nodes and removes their data. Destroying
	// a tenant that has nothing left is not an error.
	Destroy(ctx context.Context, tenant string) error
}
