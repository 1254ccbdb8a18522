package model

import (
	"fmt"

	"github.com/strata-storage/strata/internal/logtarget"
)

// Messages for the tenant settings whose storage side is not built yet.
// The API refuses each with its message (422), and the provider's
// plan-time validators give the same words.
const (
	NotBuiltKMS = "server-side encryption is not built yet: storaged cannot encrypt " +
		"objects with a key, so a KMS binding would be accepted and ignored; leave kms out"
)

// Log target types.
const (
	LogTargetWebhook       = logtarget.Webhook
	LogTargetElasticsearch = logtarget.Elasticsearch
)

// TenantKMS binds a tenant to one of its Keys for server-side encryption.
// Not built yet: refused.
type TenantKMS struct {
	// Key names a Key of the tenant.
	Key string `json:"key"`
}

// TenantAudit sends the tenant's S3 audit log (one record per request) to
// targets.
type TenantAudit struct {
	Targets []LogTarget `json:"targets"`
}

// LogTarget is where a tenant's audit or server logs go.
type LogTarget struct {
	// Type is webhook or elasticsearch.
	Type string `json:"type"`
	// Endpoint is the target's http or https URL.
	Endpoint string `json:"endpoint"`
	// Index is the Elasticsearch index; elasticsearch only.
	Index string `json:"index,omitempty"`
}

// TenantMonitoring says how the tenant's metrics are exposed.
type TenantMonitoring struct {
	// Prometheus makes every node serve Prometheus metrics, without
	// authentication, at its endpoint's /strata/metrics; without it the
	// nodes serve none. It is read when the nodes start, so it cannot
	// change on a running tenant.
	Prometheus bool `json:"prometheus"`
}

// DefaultSettings fills in the server-side defaults of the TLS, KMS,
// audit, log and monitoring settings; the API calls it beside Default.
func (s *TenantSpec) DefaultSettings() { s.TLS.defaults() }

// ValidateSettings checks the shape of the TLS, KMS, audit, log and
// monitoring settings, without reading files, and returns every
// violation; the API calls it beside Validate, and the provider at plan
// time.
func (s *TenantSpec) ValidateSettings() Violations {
	var v Violations
	s.validateSettings(&v)
	return v
}

func (s *TenantSpec) validateSettings(v *Violations) {
	s.TLS.validate(v, "spec.tls")
	if s.KMS != nil {
		if s.KMS.Key == "" {
			v.Add("spec.kms.key", "is required: name a key of the tenant")
		} else {
			ValidateName(v, "spec.kms.key", s.KMS.Key)
		}
	}
	if s.Audit != nil {
		if len(s.Audit.Targets) == 0 {
			v.Add("spec.audit.targets", "at least one target is required")
		}
		validateLogTargets(v, "spec.audit.targets", s.Audit.Targets)
	}
	validateLogTargets(v, "spec.logTargets", s.LogTargets)
}

func validateLogTargets(v *Violations, field string, targets []LogTarget) {
	seen := map[string]int{}
	for i, t := range targets {
		at := fmt.Sprintf("%s[%d]", field, i)
		for _, p := range logtarget.Check(t.Type, t.Endpoint, t.Index) {
			v.Add(at+"."+p.Field, "%s", p.Message)
		}
		key := logtarget.Key(t.Type, t.Endpoint, t.Index)
		if j, dup := seen[key]; dup {
			v.Add(at, "is the same target as %s[%d]: give each target once", field, j)
		}
		seen[key] = i
	}
}

// AuditTargets returns where the tenant's S3 audit records go; none
// without an audit block.
func (s *TenantSpec) AuditTargets() []LogTarget {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Targets
}

// MetricsEnabled reports whether the tenant's nodes serve Prometheus
// metrics.
func (s *TenantSpec) MetricsEnabled() bool {
	return s.Monitoring != nil && s.Monitoring.Prometheus
}

// NotBuilt returns a violation for each tenant setting that this build
// cannot carry out; the API refuses them with 422.
func (s *TenantSpec) NotBuilt() Violations {
	var v Violations
	if s.KMS != nil {
		v.Add("spec.kms", "%s", NotBuiltKMS)
	}
	return v
}
