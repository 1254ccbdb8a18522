package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/strata-storage/strata/controlplane/model"
)

// DeleteOptions are the optional parts of a DELETE.
type DeleteOptions struct {
	// Force deletes a tenant together with its buckets.
	Force bool
}

func (o DeleteOptions) query() url.Values {
	q := url.Values{}
	if o.Force {
		q.Set("force", "true")
	}
	return q
}

func putBody[S any](spec S, labels map[string]string) model.PutRequest[S] {
	return model.PutRequest[S]{Metadata: &model.PutMetadata{Labels: labels}, Spec: spec}
}

// call sends one request and decodes the answer into a new T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (*T, error) {
	var out T
	if err := c.do(ctx, method, path, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// listAll follows page tokens to the end of a list.
func listAll[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var all []T
	q := url.Values{}
	for {
		var page model.List[T]
		if err := c.do(ctx, http.MethodGet, path, q, nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextPageToken == "" {
			return all, nil
		}
		q.Set("pageToken", page.NextPageToken)
	}
}

func clusterPath(name string) string        { return "/v1/clusters/" + url.PathEscape(name) }
func tenantPath(name string) string         { return "/v1/tenants/" + url.PathEscape(name) }
func bucketPath(tenant, name string) string { return childPath(tenant, "buckets", name) }
func keyPath(tenant, name string) string    { return childPath(tenant, "keys", name) }
func tierPath(tenant, name string) string   { return childPath(tenant, "tiers", name) }

// childPath is the path of a tenant's item in the named collection.
func childPath(tenant, collection, name string) string {
	return tenantPath(tenant) + "/" + collection + "/" + url.PathEscape(name)
}

// GetCluster returns the named cluster.
func (c *Client) GetCluster(ctx context.Context, name string) (*model.Cluster, error) {
	return call[model.Cluster](ctx, c, http.MethodGet, clusterPath(name), nil)
}

// PutCluster creates or updates the named cluster.
func (c *Client) PutCluster(ctx context.Context, name string, spec model.ClusterSpec,
	labels map[string]string) (*model.Cluster, error) {
	return call[model.Cluster](ctx, c, http.MethodPut, clusterPath(name), putBody(spec, labels))
}

// DeleteCluster starts deleting the named cluster. It returns once the
// control plane accepted the delete; poll GetCluster until it is not found.
func (c *Client) DeleteCluster(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, clusterPath(name), nil, nil, nil)
}

// ListClusters returns every cluster.
func (c *Client) ListClusters(ctx context.Context) ([]model.Cluster, error) {
	return listAll[model.Cluster](ctx, c, "/v1/clusters")
}

// GetTenant returns the named tenant, root credentials included.
func (c *Client) GetTenant(ctx context.Context, name string) (*model.Tenant, error) {
	return call[model.Tenant](ctx, c, http.MethodGet, tenantPath(name), nil)
}

// PutTenant creates or updates the named tenant.
func (c *Client) PutTenant(ctx context.Context, name string, spec model.TenantSpec,
	labels map[string]string) (*model.Tenant, error) {
	return call[model.Tenant](ctx, c, http.MethodPut, tenantPath(name), putBody(spec, labels))
}

// DeleteTenant starts deleting the named tenant.
func (c *Client) DeleteTenant(ctx context.Context, name string, opts DeleteOptions) error {
	return c.do(ctx, http.MethodDelete, tenantPath(name), opts.query(), nil, nil)
}

// ListTenants returns every tenant.
func (c *Client) ListTenants(ctx context.Context) ([]model.Tenant, error) {
	return listAll[model.Tenant](ctx, c, "/v1/tenants")
}

// GetBucket returns the named bucket of a tenant.
func (c *Client) GetBucket(ctx context.Context, tenant, name string) (*model.Bucket, error) {
	return call[model.Bucket](ctx, c, http.MethodGet, bucketPath(tenant, name), nil)
}

// PutBucket creates or updates the named bucket of a tenant.
func (c *Client) PutBucket(ctx context.Context, tenant, name string, spec model.BucketSpec,
	labels map[string]string) (*model.Bucket, error) {
	path := bucketPath(tenant, name)
	return call[model.Bucket](ctx, c, http.MethodPut, path, putBody(spec, labels))
}

// DeleteBucket starts deleting the named bucket of a tenant.
func (c *Client) DeleteBucket(ctx context.Context, tenant, name string) error {
	return c.do(ctx, http.MethodDelete, bucketPath(tenant, name), nil, nil, nil)
}

// ListBuckets returns every bucket of a tenant.
func (c *Client) ListBuckets(ctx context.Context, tenant string) ([]model.Bucket, error) {
	return listAll[model.Bucket](ctx, c, tenantPath(tenant)+"/buckets")
}

// GetKey returns the named key of a tenant. Its status tells how many
// versions it has; the key material never leaves the control plane.
func (c *Client) GetKey(ctx context.Context, tenant, name string) (*model.Key, error) {
	return call[model.Key](ctx, c, http.MethodGet, keyPath(tenant, name), nil)
}

// PutKey creates or updates the named key of a tenant. Raising
// spec.RotationGeneration makes a new key version.
func (c *Client) PutKey(ctx context.Context, tenant, name string, spec model.KeySpec,
	labels map[string]string) (*model.Key, error) {
	return call[model.Key](ctx, c, http.MethodPut, keyPath(tenant, name), putBody(spec, labels))
}

// DeleteKey starts deleting the named key of a tenant and all its versions.
func (c *Client) DeleteKey(ctx context.Context, tenant, name string) error {
	return c.do(ctx, http.MethodDelete, keyPath(tenant, name), nil, nil, nil)
}

// ListKeys returns every key of a tenant.
func (c *Client) ListKeys(ctx context.Context, tenant string) ([]model.Key, error) {
	return listAll[model.Key](ctx, c, tenantPath(tenant)+"/keys")
}

// GetTier returns the named tier of a tenant. The secret access key of an
// S3 target is write-only and comes back empty.
func (c *Client) GetTier(ctx context.Context, tenant, name string) (*model.Tier, error) {
	return call[model.Tier](ctx, c, http.MethodGet, tierPath(tenant, name), nil)
}

// PutTier creates or updates the named tier of a tenant.
func (c *Client) PutTier(ctx context.Context, tenant, name string, spec model.TierSpec,
	labels map[string]string) (*model.Tier, error) {
	return call[model.Tier](ctx, c, http.MethodPut, tierPath(tenant, name), putBody(spec, labels))
}

// DeleteTier starts deleting the named tier of a tenant.
func (c *Client) DeleteTier(ctx context.Context, tenant, name string) error {
	return c.do(ctx, http.MethodDelete, tierPath(tenant, name), nil, nil, nil)
}

// ListTiers returns every tier of a tenant.
func (c *Client) ListTiers(ctx context.Context, tenant string) ([]model.Tier, error) {
	return listAll[model.Tier](ctx, c, tenantPath(tenant)+"/tiers")
}
