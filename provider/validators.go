package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/strata-storage/strata/controlplane/model"
)

// modelRule is a string validator that runs one of controlplane/model's
// rules, so that a plan fails with the message the API would give.
type modelRule struct {
	description string
	check       func(value string) model.Violations
}

var _ validator.String = modelRule{}

// Description says what the rule accepts.
func (r modelRule) Description(context.Context) string { return r.description }

// MarkdownDescription says what the rule accepts.
func (r modelRule) MarkdownDescription(context.Context) string { return r.description }

// ValidateString checks a known value and adds one diagnostic per violation.
func (r modelRule) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, v := range r.check(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			v.Description+"\n\n"+adviceInvalid)
	}
}

// nameRule checks a cluster, tenant or pool name.
func nameRule() modelRule {
	return modelRule{
		description: "1 to 63 lowercase letters, digits and hyphens, starting with a " +
			"letter and ending with a letter or digit",
		check: func(s string) model.Violations {
			var v model.Violations
			model.ValidateName(&v, "name", s)
			return v
		},
	}
}

// bucketNameRule checks a bucket name against the S3 naming rules.
func bucketNameRule() modelRule {
	return modelRule{
		description: "3 to 63 lowercase letters, digits, hyphens and dots, starting and " +
			"ending with a letter or digit, not an IP address, and not \"strata\"",
		check: func(s string) model.Violations {
			var v model.Violations
			model.ValidateBucketName(&v, "name", s)
			return v
		},
	}
}

// clusterKindRule checks a cluster's kind with the cluster spec's rules.
func clusterKindRule() modelRule {
	return modelRule{
		description: "one of local, kubernetes, eks",
		check: func(s string) model.Violations {
			spec := model.ClusterSpec{Kind: s}
			spec.Default()
			return spec.Validate()
		},
	}
}

// bucketTenantRule checks a bucket's tenant with the bucket spec's rules.
func bucketTenantRule() modelRule {
	return modelRule{
		description: "the name of an existing tenant",
		check: func(s string) model.Violations {
			spec := model.BucketSpec{Tenant: s}
			spec.Default()
			return spec.Validate()
		},
	}
}
