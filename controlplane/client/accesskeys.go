package client

import (
	"context"
	"net/http"

	"github.com/strata-storage/strata/controlplane/model"
)

func accessKeyPath(tenant, name string) string { return childPath(tenant, "access-keys", name) }

// GetAccessKey returns the named access key of a tenant, without its
// secret: status.SecretAccessKey is always empty.
func (c *Client) GetAccessKey(ctx context.Context, tenant, name string) (*model.AccessKey,
	error) {
	return call[model.AccessKey](ctx, c, http.MethodGet, accessKeyPath(tenant, name), nil)
}

// PutAccessKey creates or updates the named access key of a tenant. When
// the PUT creates the key or raises spec.SecretVersion, the answer's
// status.SecretAccessKey holds the new secret; no other answer ever does,
// so the caller must keep it now.
func (c *Client) PutAccessKey(ctx context.Context, tenant, name string,
	spec model.AccessKeySpec, labels map[string]string) (*model.AccessKey, error) {
	return call[model.AccessKey](ctx, c, http.MethodPut, accessKeyPath(tenant, name),
		putBody(spec, labels))
}

// DeleteAccessKey starts deleting the named access key of a tenant; the
// tenant's storage nodes stop accepting it before it is gone.
func (c *Client) DeleteAccessKey(ctx context.Context, tenant, name string) error {
	return c.do(ctx, http.MethodDelete, accessKeyPath(tenant, name), nil, nil, nil)
}

// ListAccessKeys returns every access key of a tenant, without secrets.
func (c *Client) ListAccessKeys(ctx context.Context, tenant string) ([]model.AccessKey,
	error) {
	return listAll[model.AccessKey](ctx, c, tenantPath(tenant)+"/access-keys")
}
