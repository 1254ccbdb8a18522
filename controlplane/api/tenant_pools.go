package api

import "github.com/strata-storage/strata/controlplane/model"

// admitPoolChanges refuses the pool changes a running tenant cannot take:
// a pool's shape, a pool brought back while it is still decommissioned
// (model.ValidatePoolChanges), and a second pool (or a new one in place of
// the first) on a tenant of one server whose drives form a set larger than
// a topology's sets may be.
//
// A tenant created with one pool of one server runs storaged with its
// drives on the command line, in one erasure set of all of them. When it
// gets a second pool the provisioner moves it to a topology that names
// that set (storaged's "setIds"), which works while the set has at most
// model.MaxSetSize drives, the most a topology cuts a pool's sets into.
func admitPoolChanges(v *model.Violations, old *model.Tenant, spec *model.TenantSpec) {
	model.ValidatePoolChanges(v, old, spec)
	if runsWithoutTopology(old) && old.Spec.Pools[0].DrivesPerServer > model.MaxSetSize &&
		(len(spec.Pools) != 1 || spec.Pools[0].Name != old.Spec.Pools[0].Name) {
		// TODO: a single server of more than MaxSetSize drives cannot grow by pools, since
		// storaged's topology would cut its one erasure set in several.
		v.Add("spec.pools", "tenant %q runs on one server whose %d drives form one erasure "+
			"set, larger than the %d drives a set of a tenant with several pools may have: "+
			"create a new tenant with sets of at most %d drives to grow it later",
			old.Metadata.Name, old.Spec.Pools[0].DrivesPerServer, model.MaxSetSize,
			model.MaxSetSize)
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
