package api

import (
	"context"
	"net/http"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
)

type tierKindT = kind[model.Tier, model.TierSpec, *model.Tier]

// tierKind holds the rules of a tenant's tiers. The secret access key of
// an S3 target is write-only: stored, sealed with the secrets key as every
// stored value is (see store.Seal), and never answered.
func tierKind(s *Server) *tierKindT {
	return &tierKindT{
		s: s, name: model.KindTier, key: childKey, prefix: s.childPrefix,
		prepare: prepareTier,
		admit:   s.admitTier,
		canDelete: func(context.Context, *http.Request, *model.Tier) *apiError {
			return nil
		},
		redact: func(t *model.Tier) {
			if t.Spec.S3 != nil {
				t.Spec.S3.SecretAccessKey = ""
			}
		},
	}
}

func prepareTier(r *http.Request, spec *model.TierSpec) model.Violations {
	var v model.Violations
	model.ValidateName(&v, "metadata.name", pathName(r))
	v = append(v, claimTenant(r, &spec.Tenant)...)
	spec.Default()
	return append(v, spec.Validate()...)
}

func (s *Server) admitTier(ctx context.Context, r *http.Request, old *model.Tier,
	spec *model.TierSpec) *apiError {
	if _, e := s.liveTenant(ctx, spec.Tenant); e != nil {
		return e
	}
	if v := keepSecret(old, spec); len(v) > 0 {
		return invalid(v)
	}
	return s.uniqueStorageClass(ctx, pathName(r), spec)
}

// keepSecret fills in the stored secret access key when the request
// leaves it out and still talks to the same endpoint with the same access
// key ID; a secret is never sent to an endpoint it was not given for.
func keepSecret(old *model.Tier, spec *model.TierSpec) model.Violations {
	cur := spec.S3
	if cur == nil || cur.SecretAccessKey != "" {
		return nil
	}
	if old != nil && old.Spec.S3 != nil && old.Spec.S3.Endpoint == cur.Endpoint &&
		old.Spec.S3.AccessKeyID == cur.AccessKeyID {
		cur.SecretAccessKey = old.Spec.S3.SecretAccessKey
		return nil
	}
	var v model.Violations
	v.Add("spec.s3.secretAccessKey", "is required when creating an s3 tier or changing "+
		"its endpoint or accessKeyId: it is write-only, so reads never return it")
	return v
}

// uniqueStorageClass refuses a storage class that another tier of the
// tenant uses.
func (s *Server) uniqueStorageClass(ctx context.Context, name string,
	spec *model.TierSpec) *apiError {
	// TODO: two tiers written at once with one class can both pass this check.
	tiers, err := registry.List[model.Tier, model.TierSpec](ctx, s.cfg.Store, model.KindTier,
		registry.ChildPrefix(spec.Tenant), "", 0)
	if err != nil {
		return internal(err)
	}
	for _, t := range tiers {
		if t.Metadata.Name != name && t.Spec.StorageClass == spec.StorageClass {
			var v model.Violations
			v.Add("spec.storageClass", "%q is already used by tier %q of tenant %q: a "+
				"storage class names one tier", spec.StorageClass, t.Metadata.Name, spec.Tenant)
			return unprocessable(v)
		}
	}
	return nil
}
