package api

import (
	"context"

	"github.com/strata-storage/strata/controlplane/model"
)

// localHosts returns the names a local cluster's S3 endpoint answers to; a
// provided certificate must cover them.
func localHosts() []string { return []string{"127.0.0.1", "localhost"} }

// admitTenantSettings returns the tenant settings that this build cannot
// carry out (their storage side is not built) and the problems of a
// provided certificate, which the control plane reads from its files or
// its Secret. c is nil when the cluster does not exist.
func admitTenantSettings(ctx context.Context, c *model.Cluster, spec *model.TenantSpec,
	secrets model.SecretReader) model.Violations {
	v := spec.NotBuilt()
	var hosts []string
	if c != nil && c.Spec.Kind == model.ClusterLocal {
		hosts = localHosts()
	}
	model.ValidateProvidedTLS(ctx, &v, "spec.tls", spec.TLS, hosts, secrets)
	return v
}
