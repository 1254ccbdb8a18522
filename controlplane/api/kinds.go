package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
)

type (
	clusterKindT = kind[model.Cluster, model.ClusterSpec, *model.Cluster]
	tenantKindT  = kind[model.Tenant, model.TenantSpec, *model.Tenant]
	bucketKindT  = kind[model.Bucket, model.BucketSpec, *model.Bucket]
)

func pathName(r *http.Request) string { return r.PathValue("name") }

func topLevel(*http.Request) (string, *apiError) { return "", nil }

func clusterKind(s *Server) *clusterKindT {
	return &clusterKindT{
		s: s, name: model.KindCluster, key: pathName, prefix: topLevel,
		prepare: func(r *http.Request, spec *model.ClusterSpec) model.Violations {
			var v model.Violations
			model.ValidateName(&v, "metadata.name", pathName(r))
			spec.Default()
			return append(v, spec.Validate()...)
		},
		admit:     s.admitCluster,
		canDelete: s.canDeleteCluster,
	}
}

func (s *Server) admitCluster(_ context.Context, _ *http.Request, old *model.Cluster,
	spec *model.ClusterSpec) *apiError {
	var v model.Violations
	if old != nil && old.Spec.Kind != spec.Kind {
		v.Add("spec.kind", "cannot change from %q to %q: create a new cluster instead",
			old.Spec.Kind, spec.Kind)
	}
	if spec.Kind != model.ClusterLocal {
		v.Add("spec.kind", "clusters of kind %q cannot run tenants in this build yet: "+
			"only local clusters are provisioned", spec.Kind)
	}
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}

func (s *Server) canDeleteCluster(ctx context.Context, _ *http.Request,
	c *model.Cluster) *apiError {
	tenants, err := registry.List[model.Tenant, model.TenantSpec](ctx, s.cfg.Store,
		model.KindTenant, "", "", 0)
	if err != nil {
		return internal(err)
	}
	var names []string
	for _, t := range tenants {
		if t.Spec.Cluster == c.Metadata.Name {
			names = append(names, t.Metadata.Name)
		}
	}
	if len(names) > 0 {
		return errorf(http.StatusConflict, model.ErrFailedPrecondition,
			"cluster %q still runs tenants %s: delete them first",
			c.Metadata.Name, strings.Join(names, ", "))
	}
	return nil
}

func tenantKind(s *Server) *tenantKindT {
	return &tenantKindT{
		s: s, name: model.KindTenant, key: pathName, prefix: topLevel,
		// The root keys open every object of the tenant: a reader token,
		// which may only look, does not get them.
		hideFromReaders: func(t *model.Tenant) { t.Status.RootCredentials = nil },
		prepare: func(r *http.Request, spec *model.TenantSpec) model.Violations {
			var v model.Violations
			model.ValidateName(&v, "metadata.name", pathName(r))
			spec.Default()
			spec.DefaultSettings()
			v = append(v, spec.Validate()...)
			v = append(v, spec.ValidateStorageClasses()...)
			return append(v, spec.ValidateSettings()...)
		},
		admit:     s.admitTenant,
		canDelete: s.canDeleteTenant,
	}
}

func (s *Server) admitTenant(ctx context.Context, _ *http.Request, old *model.Tenant,
	spec *model.TenantSpec) *apiError {
	var v model.Violations
	c, _, err := registry.Get[model.Cluster, model.ClusterSpec](ctx, s.cfg.Store,
		model.KindCluster, spec.Cluster)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Add("spec.cluster", "cluster %q does not exist: create it first", spec.Cluster)
	case err != nil:
		return internal(err)
	case c.Metadata.DeleteTime != nil:
		v.Add("spec.cluster", "cluster %q is being deleted", spec.Cluster)
	}
	if old != nil {
		immutableTenantFields(&v, &old.Spec, spec)
		admitPoolChanges(&v, old, spec)
	}
	v = append(v, admitTenantSettings(ctx, c, spec, s.cfg.Secrets)...)
	if len(v) > 0 {
		return unprocessable(v)
	}
	return nil
}

// immutableTenantFields refuses changes that the control plane cannot make
// to a running tenant. The TLS source and metrics may change: the nodes
// restart one at a time to take them (see provision/local).
func immutableTenantFields(v *model.Violations, old, spec *model.TenantSpec) {
	if old.Cluster != spec.Cluster {
		v.Add("spec.cluster", "cannot change from %q to %q: a tenant stays on its cluster",
			old.Cluster, spec.Cluster)
	}
	if old.Region != spec.Region {
		v.Add("spec.region", "cannot change from %q to %q on a running tenant",
			old.Region, spec.Region)
	}
	if old.Parity != spec.Parity {
		v.Add("spec.parity", "cannot change from %d to %d: stored objects keep the parity "+
			"they were written with", old.Parity, spec.Parity)
	}
}

func bucketKind(s *Server) *bucketKindT {
	return &bucketKindT{
		s: s, name: model.KindBucket, key: childKey, prefix: s.childPrefix,
		prepare:   prepareBucket,
		admit:     s.admitBucket,
		canDelete: func(context.Context, *http.Request, *model.Bucket) *apiError { return nil },
	}
}

func prepareBucket(r *http.Request, spec *model.BucketSpec) model.Violations {
	var v model.Violations
	model.ValidateBucketName(&v, "metadata.name", pathName(r))
	v = append(v, claimTenant(r, &spec.Tenant)...)
	spec.Default()
	v = append(v, spec.Validate()...)
	if spec.Policy != "" {
		model.ValidatePolicyResources(&v, "spec.policy", spec.Policy, pathName(r))
	}
	return v
}

func (s *Server) admitBucket(ctx context.Context, r *http.Request, old *model.Bucket,
	spec *model.BucketSpec) *apiError {
	if _, e := s.liveTenant(ctx, spec.Tenant); e != nil {
		return e
	}
	return admitBucketSettings(old, spec)
}

// forceParam reads the force query parameter of a DELETE.
func forceParam(r *http.Request) (bool, *apiError) {
	v := r.URL.Query().Get("force")
	if v == "" {
		return false, nil
	}
	force, err := strconv.ParseBool(v)
	if err != nil {
		var vs model.Violations
		vs.Add("force", "%q is not a boolean: use force=true or force=false", v)
		return false, invalid(vs)
	}
	return force, nil
}

// liveTenant returns the tenant, 404 when it does not exist and 409 when it
// is being deleted.
func (s *Server) liveTenant(ctx context.Context, name string) (*model.Tenant, *apiError) {
	t, _, err := registry.Get[model.Tenant, model.TenantSpec](ctx, s.cfg.Store,
		model.KindTenant, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(model.KindTenant, name)
	case err != nil:
		return nil, internal(fmt.Errorf("reading tenant: %w", err))
	case t.Metadata.DeleteTime != nil:
		return nil, errorf(http.StatusConflict, model.ErrAborted,
			"tenant %q is being deleted", name)
	}
	return t, nil
}
