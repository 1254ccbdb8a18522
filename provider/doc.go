// Package provider is Strata's Terraform provider, built on the plugin
// framework and served over protocol 6 by the repository's root main.go.
//
// It owns the Terraform view of Strata's resources: one file per resource
// (strata_cluster, strata_tenant, strata_bucket, strata_key, strata_tier),
// each with its schema in a function of its own, its CRUD, its import and
// its plan-time validation. The resources a tenant owns beside buckets
// share one create-read-update-delete flow (lifecycle.go).
// Plan-time validation calls the rules of controlplane/model, so a plan fails
// with the same message the API would give.
//
// The provider reaches the control plane only through controlplane/client and
// never blocks on a request: after a PUT it polls GET until the Ready
// condition is True for the current generation, and after a DELETE until the
// resource is gone (wait.go). A 404 on read removes a resource from state; a
// 401, a 403 or any other error is a diagnostic, never "gone". The messages
// that several resources share live in diag.go.
//
// Secrets the user gives (a tier's secret access key) are write-only
// attributes: sent to the control plane from the configuration, kept in
// neither plan nor state, with a companion *_version attribute whose change
// makes Terraform send a new value.
//
// The package must never import anything from the control plane beyond the
// client and the model, never log, and never put a secret in a diagnostic.
package provider
