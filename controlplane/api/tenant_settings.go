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

// immutableTLSSource refuses switching a running tenant between the
// internal and a provided certificate: its nodes run with the certificate
// files of their source on the command line. Changing the provided files
// is fine.
func immutableTLSSource(v *model.Violations, old, spec *model.TenantTLS) {
	if old.Provided() != spec.Provided() {
		v.Add("spec.tls.source", "cannot change between internal and provided on a running "+
			"tenant yet: its nodes would need a restart; keep the source it was created with")
	}
}

// immutableMonitoring refuses turning a running tenant's metrics on or off:
// its nodes read the setting when they start.
func immutableMonitoring(v *model.Violations, old, spec *model.TenantSpec) {
	if old.MetricsEnabled() != spec.MetricsEnabled() {
		v.Add("spec.monitoring.prometheus", "cannot change on a running tenant yet: its "+
			"nodes would need a restart; keep %t, or create the tenant again",
			old.MetricsEnabled())
	}
}
