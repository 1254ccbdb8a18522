// Package api is the control plane's REST API: routing, bearer-token
// authentication, the JSON error model, and the create-or-update, read,
// list and delete handlers for every resource kind.
//
// The handlers only record desired state in the store and wake the
// reconcilers; they never start processes or call a tenant themselves, so
// every request returns quickly and clients poll status.conditions for slow
// work. Conventions (after the Kubernetes API conventions and Google's AIPs):
//
//   - PUT on an item creates (201) or updates (200) it; the same PUT twice
//     changes nothing and bumps no generation.
//   - Every read and write returns the whole resource with an ETag header;
//     If-Match on a write or delete that does not match answers 412.
//   - DELETE answers 202 while the work runs and 404 once it is done.
//   - Errors are JSON with a status word, a message a person can act on,
//     and every field violation with its path.
//   - Write-only fields (a tier's S3 secret access key) are stored and
//     never answered; a write that leaves one out keeps the stored value
//     where that is safe (see keepSecret).
//
// Authentication and roles: every request carries a bearer token, either
// the bootstrap admin token from the state directory or one made at
// /v1/tokens (tokens.go). A token's role is admin (everything) or reader
// (GET only, and not on /v1/tokens); an unknown or revoked token answers
// 401 and a role that does not allow the request 403. A token's secret is
// made by the server, answered once by the PUT that creates it, and kept
// only as a SHA-256 hash; it is never logged and never answered again.
//
// The API's contract is openapi.json, an OpenAPI 3.1 document written by
// hand beside the handlers and embedded in the binary. It is served at
// GET /v1/openapi.json behind the same bearer token as every other path:
// it holds no secret, but one rule for the whole listener leaves no
// unauthenticated surface to reason about, and a client that can use the
// API already has the token. Tests keep the document honest: the server's
// routes and the document's operations must be the same set, every request
// and response of the API tests is validated against the document with
// kin-openapi, and the document's schemas must name exactly the JSON fields
// of the model types. Change the document in the same change as the code.
package api
