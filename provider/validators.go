package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

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
			ruleDescription(v.Description)+"\n\n"+adviceInvalid)
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

// versioningRule checks a bucket's versioning state with the model's rule.
func versioningRule() modelRule {
	return modelRule{
		description: "Enabled or Suspended",
		check: func(s string) model.Violations {
			var v model.Violations
			model.ValidateVersioning(&v, "versioning", s)
			return v
		},
	}
}

// policyRule checks a bucket policy document with the model's rule.
func policyRule() modelRule {
	return modelRule{
		description: "an IAM policy document as a JSON string",
		check: func(s string) model.Violations {
			var v model.Violations
			model.ValidateBucketPolicy(&v, "policy", s)
			return v
		},
	}
}

// tagsRule checks a bucket's tags against S3's limits with the model's
// rule.
type tagsRule struct{}

var _ validator.Map = tagsRule{}

// Description says what the rule accepts.
func (tagsRule) Description(context.Context) string {
	return "at most 50 tags; keys of 1 to 128 characters not starting with aws:, values " +
		"of at most 256 characters; both made of " + model.TagCharacters
}

// MarkdownDescription says what the rule accepts.
func (r tagsRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

// ValidateMap checks the known tags and adds one diagnostic per violation.
func (tagsRule) ValidateMap(ctx context.Context, req validator.MapRequest,
	resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	tags := map[string]string{}
	for k, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		tags[k] = s.ValueString()
	}
	var v model.Violations
	if len(req.ConfigValue.Elements()) > model.MaxBucketTags {
		v.Add("", "%d tags given: S3 allows at most %d on a bucket",
			len(req.ConfigValue.Elements()), model.MaxBucketTags)
	}
	for k, val := range tags {
		model.ValidateTag(&v, fmt.Sprintf("tag %q", k), k, val)
	}
	for _, f := range v {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			strings.TrimSpace(f.Field+" "+ruleDescription(f.Description))+"\n\n"+
				adviceInvalid)
	}
}

// notBuiltRule refuses, at plan time, a bucket setting whose storage side
// is not built yet, with the message the API gives (model.NotBuilt*).
type notBuiltRule struct {
	message string
}

var (
	_ validator.Object = notBuiltRule{}
	_ validator.List   = notBuiltRule{}
)

// Description says that the setting cannot be used yet.
func (r notBuiltRule) Description(context.Context) string {
	return "must be left out: " + r.message
}

// MarkdownDescription says that the setting cannot be used yet.
func (r notBuiltRule) MarkdownDescription(ctx context.Context) string {
	return r.Description(ctx)
}

// ValidateObject refuses any value but null.
func (r notBuiltRule) ValidateObject(_ context.Context, req validator.ObjectRequest,
	resp *validator.ObjectResponse) {
	if !req.ConfigValue.IsNull() {
		r.refuse(req.Path, &resp.Diagnostics)
	}
}

// ValidateList refuses any value but null or an empty list.
func (r notBuiltRule) ValidateList(_ context.Context, req validator.ListRequest,
	resp *validator.ListResponse) {
	if !req.ConfigValue.IsNull() && (req.ConfigValue.IsUnknown() ||
		len(req.ConfigValue.Elements()) > 0) {
		r.refuse(req.Path, &resp.Diagnostics)
	}
}

func (r notBuiltRule) refuse(p path.Path, diags *diag.Diagnostics) {
	diags.AddAttributeError(p, "Not built yet", capitalize(r.message)+".\n\n"+
		"Remove it from the configuration; the control plane refuses it with the same "+
		"message.")
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// nonEmptyList refuses an empty list, which the API would not keep: the
// attribute is then left out instead.
type nonEmptyList struct{ advice string }

var _ validator.List = nonEmptyList{}

// Description says what the rule accepts.
func (r nonEmptyList) Description(context.Context) string {
	return "at least one element; " + r.advice
}

// MarkdownDescription says what the rule accepts.
func (r nonEmptyList) MarkdownDescription(ctx context.Context) string {
	return r.Description(ctx)
}

// ValidateList refuses a known, empty list.
func (r nonEmptyList) ValidateList(_ context.Context, req validator.ListRequest,
	resp *validator.ListResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() &&
		len(req.ConfigValue.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
			"The list is empty: "+r.advice+".")
	}
}
