// Package model holds the control plane's resource types (Cluster, Tenant,
// a tenant's Buckets, Keys, Tiers and AccessKeys, and API Tokens) and the validation rules that the
// REST API and the Terraform provider share. It owns the wire shape of every
// resource: metadata, spec and status, with typed conditions.
//
// The package is pure data and rules: it does no I/O, holds no state and
// imports nothing from the rest of Strata but internal/policy, the pure
// grammar of IAM policy documents (no I/O, no state either), so that a
// bucket policy the API and the provider accept is one storaged accepts.
// The provider and the control plane can both depend on it.
package model
