package api

import "github.com/strata-storage/strata/controlplane/model"

// localHosts returns the names a local cluster's S3 endpoint answers to; a
// provided certificate must cover them.
func localHosts() []string { return []string{"127.0.0.1", "localhost"} }

// admitTenantSettings returns the tenant settings that this build cannot
// carry out (their storage side is not built) and the problems of a
// provided certificate's files, which the control plane reads. c is nil
// when the cluster does not exist.
func admitTenantSettings(c *model.Cluster, spec *model.TenantSpec) model.Violations {
	v := spec.NotBuilt()
	var hosts []string
	if c != nil && c.Spec.Kind == model.ClusterLocal {
		hosts = localHosts()
	}
	model.ValidateProvidedTLS(&v, "spec.tls", spec.TLS, hosts)
	return v
}
