package api

import (
	"context"
	"net/http"

	"github.com/strata-storage/strata/controlplane/model"
)

type keyKindT = kind[model.Key, model.KeySpec, *model.Key]

// keyKind holds the rules of a tenant's keys. The key material is never
// part of the resource, so nothing needs redacting.
func keyKind(s *Server) *keyKindT {
	return &keyKindT{
		s: s, name: model.KindKey, key: childKey, prefix: s.childPrefix,
		prepare: prepareKey,
		admit:   s.admitKey,
		canDelete: func(context.Context, *http.Request, *model.Key) *apiError {
			return nil
		},
	}
}

func prepareKey(r *http.Request, spec *model.KeySpec) model.Violations {
	var v model.Violations
	model.ValidateName(&v, "metadata.name", pathName(r))
	v = append(v, claimTenant(r, &spec.Tenant)...)
	spec.Default()
	return append(v, spec.Validate()...)
}

func (s *Server) admitKey(ctx context.Context, _ *http.Request, old *model.Key,
	spec *model.KeySpec) *apiError {
	if _, e := s.liveTenant(ctx, spec.Tenant); e != nil {
		return e
	}
	var v model.Violations
	if old != nil {
		immutableKeyFields(&v, &old.Spec, spec)
	}
	if spec.Backend == model.KeyBackendVault {
		v.Add("spec.backend", "the vault backend is not available in this build: the "+
			"control plane has no Vault address and token to reach Transit mount %q, key "+
			"%q; use backend builtin", spec.Vault.Mount, spec.Vault.KeyName)
	}
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}

// immutableKeyFields refuses changes that would lose key versions.
func immutableKeyFields(v *model.Violations, old, spec *model.KeySpec) {
	if old.Backend != spec.Backend {
		v.Add("spec.backend", "cannot change from %q to %q: the key's versions live in "+
			"the backend; create a new key instead", old.Backend, spec.Backend)
	}
	if spec.RotationGeneration < old.RotationGeneration {
		v.Add("spec.rotationGeneration", "cannot go down from %d to %d: raise it to "+
			"rotate the key, or leave it as it is", old.RotationGeneration,
			spec.RotationGeneration)
	}
}
