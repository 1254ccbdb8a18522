package api

import "github.com/strata-storage/strata/controlplane/model"

// admitPoolChanges refuses the pool changes a running tenant cannot take:
// a pool's shape, a pool brought back while it is still decommissioned
// (model.ValidatePoolChanges), and a second pool on a tenant that was
// created with one pool of one server.
//
// Such a tenant runs storaged with its drives on the command line, and its
// drives carry an erasure-set ID that storaged chose itself; a tenant of
// several pools runs from a topology file whose IDs the control plane
// chooses, and the first pool's drives could not be opened under it.
// TODO: a single-server tenant cannot grow by pools until storaged can
// adopt its drives' set ID in a topology; create it with two pools, or a
// pool of two servers, to grow it later.
func admitPoolChanges(v *model.Violations, old *model.Tenant, spec *model.TenantSpec) {
	model.ValidatePoolChanges(v, old, spec)
	if len(spec.Pools) > 1 && runsWithoutTopology(old) {
		v.Add("spec.pools", "tenant %q was created with one pool of one server, whose drives "+
			"run without a topology and cannot be joined by other pools: create a new "+
			"tenant with two pools, or with a pool of two or more servers, to grow it later",
			old.Metadata.Name)
	}
}

// runsWithoutTopology reports whether a tenant's nodes have only ever run
// from the command line: one pool of one server, and no other pool seen in
// its status.
func runsWithoutTopology(t *model.Tenant) bool {
	if len(t.Spec.Pools) != 1 || t.Spec.Pools[0].Servers != 1 {
		return false
	}
	for _, ps := range t.Status.Pools {
		if ps.ID != "" {
			return false
		}
	}
	return true
}
