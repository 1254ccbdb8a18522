package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/registry"
)

// TenantBucketLister is an optional capability of the Config's Notifier:
// it asks a tenant's storage nodes, with the tenant's root credentials,
// for the names of every bucket they hold, those made through S3 included.
// It must not change anything and is safe to call concurrently. The
// reconcile Controller has it.
//
// Before deleting a tenant without force, the API asks it, because the
// store knows only the buckets made through the API. A Notifier without
// it, like a tenant's nodes that do not answer, gets a tenant that has
// ever served S3 refused unless the delete is forced.
type TenantBucketLister interface {
	TenantBuckets(ctx context.Context, t *model.Tenant) ([]string, error)
}

// tenantAskTimeout bounds how long a delete waits for the tenant's nodes
// to list their buckets.
const tenantAskTimeout = 15 * time.Second

// canDeleteTenant refuses, unless forced, to delete a tenant that holds
// buckets, whether the control plane made them or they were made through
// S3, and a tenant whose nodes cannot say which buckets they hold.
func (s *Server) canDeleteTenant(ctx context.Context, r *http.Request,
	t *model.Tenant) *apiError {
	force, e := forceParam(r)
	if e != nil || force {
		return e
	}
	known, err := s.knownBuckets(ctx, t.Metadata.Name)
	if err != nil {
		return internal(err)
	}
	if neverServed(t) {
		return bucketsLeft(t, known, nil)
	}
	stored, e := s.storedBuckets(ctx, t)
	if e != nil {
		return e
	}
	return bucketsLeft(t, known, stored)
}

// knownBuckets returns the names of the tenant's buckets in the store.
func (s *Server) knownBuckets(ctx context.Context, tenant string) ([]string, error) {
	buckets, err := registry.List[model.Bucket, model.BucketSpec](ctx, s.cfg.Store,
		model.KindBucket, tenant+"/", "", 0)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(buckets))
	for i, b := range buckets {
		names[i] = b.Metadata.Name
	}
	return names, nil
}

// neverServed is true for a tenant with nothing to lose: its nodes never
// served S3 (no endpoint or root keys were ever recorded) or report no
// drive at all, so no bucket can have been made through S3.
func neverServed(t *model.Tenant) bool {
	st := &t.Status
	if st.Endpoint == "" || st.RootCredentials == nil || st.RootCredentials.AccessKeyID == "" {
		return true
	}
	return len(st.Nodes) == 0 && st.DrivesOnline+st.DrivesOffline == 0
}

// storedBuckets asks the tenant's nodes for their buckets; it answers 409
// when they cannot be asked.
func (s *Server) storedBuckets(ctx context.Context, t *model.Tenant) ([]string, *apiError) {
	l, ok := s.cfg.Notifier.(TenantBucketLister)
	if !ok {
		return nil, unaskable(t, "this control plane runs no reconcilers to ask them")
	}
	ctx, cancel := context.WithTimeout(ctx, tenantAskTimeout)
	defer cancel()
	names, err := l.TenantBuckets(ctx, t)
	if err != nil {
		return nil, unaskable(t, err.Error())
	}
	return names, nil
}

// unaskable is the refusal of a delete when the tenant's nodes cannot say
// which buckets they hold.
func unaskable(t *model.Tenant, why string) *apiError {
	return errorf(http.StatusConflict, model.ErrFailedPrecondition,
		"cannot ask the storage nodes of tenant %q at %s which buckets they hold (%s), "+
			"so its drives may still hold data: start or repair its nodes and delete again, "+
			"or delete with ?force=true to remove the tenant with whatever its drives hold",
		t.Metadata.Name, t.Status.Endpoint, why)
}

// bucketsLeft refuses the delete when the tenant has buckets: known are
// those in the store, stored those its nodes hold. A bucket only the nodes
// know was made through S3, and the message says so.
func bucketsLeft(t *model.Tenant, known, stored []string) *apiError {
	names := slices.Clone(known)
	for _, b := range stored {
		if !slices.Contains(known, b) {
			names = append(names, b+" (made through S3)")
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return errorf(http.StatusConflict, model.ErrFailedPrecondition,
		"tenant %q still has %d bucket(s) (%s): delete them first, or delete with "+
			"?force=true to remove the tenant with all its data",
		t.Metadata.Name, len(names), strings.Join(names, ", "))
}
