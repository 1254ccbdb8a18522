package api

import (
	"net/http"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
)

// The rules that every resource a tenant owns (buckets, keys, tiers)
// shares: it lives at /v1/tenants/{tenant}/<collection>/{name}, is stored
// as "tenant/name", names its tenant in spec.tenant, and can only be
// written while its tenant exists and is not being deleted.

// childKey returns the store name of the tenant-owned item a request
// addresses.
func childKey(r *http.Request) string {
	return registry.ChildKey(r.PathValue("tenant"), pathName(r))
}

// childPrefix returns the store-name prefix of a tenant's items, 404 when
// the tenant does not exist and 409 when it is being deleted.
func (s *Server) childPrefix(r *http.Request) (string, *apiError) {
	tenant := r.PathValue("tenant")
	if _, e := s.liveTenant(r.Context(), tenant); e != nil {
		return "", e
	}
	return registry.ChildPrefix(tenant), nil
}

// claimTenant sets a child spec's tenant to the one in the path; a body
// that names another tenant is a violation.
func claimTenant(r *http.Request, tenant *string) model.Violations {
	var v model.Violations
	inPath := r.PathValue("tenant")
	if *tenant != "" && *tenant != inPath {
		v.Add("spec.tenant", "%q differs from the tenant in the path, %q: leave it out "+
			"or make them equal", *tenant, inPath)
	}
	*tenant = inPath
	return v
}
