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
package api
