package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/strata-storage/strata/controlplane/model"
)

func tokenPath(name string) string { return "/v1/tokens/" + url.PathEscape(name) }

// PutToken creates the named token with a role (model.RoleAdmin or
// model.RoleReader). The answer to the PUT that creates the token is the
// only one that carries its secret, in Status.Secret; keep it then. A PUT
// of an existing token with the same role and labels answers it without a
// secret; another role or labels is a 409 error. Only admin tokens may
// call it.
func (c *Client) PutToken(ctx context.Context, name string, spec model.TokenSpec,
	labels map[string]string) (*model.Token, error) {
	return call[model.Token](ctx, c, http.MethodPut, tokenPath(name), putBody(spec, labels))
}

// GetToken returns the named token, without its secret.
func (c *Client) GetToken(ctx context.Context, name string) (*model.Token, error) {
	return call[model.Token](ctx, c, http.MethodGet, tokenPath(name), nil)
}

// ListTokens returns every token, without their secrets.
func (c *Client) ListTokens(ctx context.Context) ([]model.Token, error) {
	return listAll[model.Token](ctx, c, "/v1/tokens")
}

// DeleteToken revokes the named token at once.
func (c *Client) DeleteToken(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, tokenPath(name), nil, nil, nil)
}
