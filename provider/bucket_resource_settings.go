package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// Who wins on drift: the control plane. A bucket setting declared here is
// read back from the tenant on every reconcile and put back when someone
// changed it through S3, with a DriftRepaired condition; Read shows what
// the control plane last observed on the tenant (after any repair), so a
// plan shows a difference only while the tenant still differs, such as
// when the repair failed.

// jsonDocument returns s as a JSON document attribute value (a policy),
// null when empty. jsontypes.Normalized makes white space and key order no
// difference in a plan.
func jsonDocument(s string) jsontypes.Normalized {
	if s == "" {
		return jsontypes.NewNormalizedNull()
	}
	return jsontypes.NewNormalizedValue(s)
}

// keepVersioningDeclared refuses, at plan time, removing versioning from
// the configuration once it was set, with the words of the model's rule.
type keepVersioningDeclared struct{}

var _ planmodifier.String = keepVersioningDeclared{}

// Description says what the modifier refuses.
func (keepVersioningDeclared) Description(context.Context) string {
	return "once set, versioning cannot be removed; set it to Suspended instead"
}

// MarkdownDescription says what the modifier refuses.
func (m keepVersioningDeclared) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

// PlanModifyString adds an error when the state has versioning and the
// configuration drops it.
func (keepVersioningDeclared) PlanModifyString(_ context.Context,
	req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.ValueString() == "" ||
		!req.ConfigValue.IsNull() {
		return
	}
	var v model.Violations
	model.ValidateVersioningChange(&v, "versioning", req.StateValue.ValueString(), "")
	for _, f := range v {
		resp.Diagnostics.AddAttributeError(req.Path, "Versioning cannot be removed",
			"versioning "+f.Description+".\n\n"+adviceInvalid)
	}
}

// bucketSettingAttributes are strata_bucket's attributes for the bucket's
// S3 settings: versioning, tags, policy, object lock, quota and lifecycle
// rules, and default encryption, which is not built yet.
func bucketSettingAttributes() map[string]schema.Attribute {
	versioningMD := "`Enabled` or `Suspended`. Left out, versioning is S3's to manage. " +
		"Once set it cannot be removed (S3 cannot return a bucket to never having had " +
		"versioning): set `Suspended` to stop keeping new versions."
	tagsMD := "The bucket's S3 tags: at most 50, keys of 1 to 128 characters not " +
		"starting with `aws:`, values of at most 256 characters. Left out, the tags are " +
		"S3's to manage; `{}` declares that the bucket has none. Removing the attribute " +
		"after it was set deletes the tags from the bucket."
	policyMD := "The bucket policy, an IAM policy document as a JSON string (use " +
		"`jsonencode`). White space and key order are not a difference. Removing the " +
		"attribute after it was set deletes the policy from the bucket."
	return map[string]schema.Attribute{
		"versioning": schema.StringAttribute{
			Optional: true, Description: plain(versioningMD),
			MarkdownDescription: versioningMD,
			Validators:          []validator.String{versioningRule()},
			PlanModifiers:       []planmodifier.String{keepVersioningDeclared{}},
		},
		"tags": schema.MapAttribute{
			Optional: true, ElementType: types.StringType, Description: plain(tagsMD),
			MarkdownDescription: tagsMD, Validators: []validator.Map{tagsRule{}},
		},
		"policy": schema.StringAttribute{
			Optional: true, CustomType: jsontypes.NormalizedType{}, Description: plain(policyMD),
			MarkdownDescription: policyMD, Validators: []validator.String{policyRule()},
		},
		"object_lock":    objectLockAttribute(),
		"encryption":     encryptionAttribute(),
		"quota":          quotaAttribute(),
		"lifecycle_rule": lifecycleRuleAttribute(),
	}
}

// notBuiltMD documents a setting that cannot be used yet.
func notBuiltMD(what, message string) string {
	return what + " " + capitalize(message) + ". A plan that sets it fails."
}

func encryptionAttribute() schema.SingleNestedAttribute {
	md := notBuiltMD("The bucket's default server-side encryption.",
		model.NotBuiltEncryption)
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.Object{notBuiltRule{model.NotBuiltEncryption}},
		Attributes: map[string]schema.Attribute{
			"algorithm": docOptionalString("`AES256` (SSE-S3) or `aws:kms` (SSE-KMS)."),
			"key":       docOptionalString("The tenant's `strata_key` to use with `aws:kms`."),
		},
	}
}

func docOptionalString(md string) schema.StringAttribute {
	a := docString(md)
	a.Optional = true
	return a
}

func docRequiredString(md string) schema.StringAttribute {
	a := docString(md)
	a.Required = true
	return a
}

func docOptionalInt64(md string) schema.Int64Attribute {
	a := docInt64(md)
	a.Optional = true
	return a
}

// encryptionType is the object type of encryption, which is not built
// yet; its value is always null, since a plan that sets it fails.
var encryptionType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"algorithm": types.StringType, "key": types.StringType}}

// settingsToAPI puts the settings that m declares into spec.
func (m *bucketModel) settingsToAPI(ctx context.Context, spec *model.BucketSpec) diag.Diagnostics {
	spec.Versioning = m.Versioning.ValueString()
	spec.Policy = m.Policy.ValueString()
	var diags, d diag.Diagnostics
	spec.ObjectLock, d = objectLockToAPI(ctx, m.ObjectLock)
	diags.Append(d...)
	spec.Quota, d = quotaToAPI(ctx, m.Quota)
	diags.Append(d...)
	spec.Lifecycle, d = lifecycleToAPI(ctx, m.LifecycleRule)
	diags.Append(d...)
	if m.Tags.IsNull() || m.Tags.IsUnknown() {
		return diags
	}
	spec.Tags = map[string]string{}
	diags.Append(m.Tags.ElementsAs(ctx, &spec.Tags, false)...)
	return diags
}

// settingsFromAPI copies the bucket's settings into m: what the spec
// declares when observed is false (after an apply, so that the state is
// what was planned), else what the control plane last observed on the
// tenant for each declared setting. A setting the spec does not declare
// is null.
func (m *bucketModel) settingsFromAPI(b *model.Bucket, observed bool) {
	s := observedSettings(b, observed)
	m.Versioning = types.StringNull()
	if s.Versioning != "" {
		m.Versioning = types.StringValue(s.Versioning)
	}
	m.Tags = tagsValue(s.Tags)
	m.Policy = jsonDocument(s.Policy)
	m.ObjectLock = objectLockValue(s.ObjectLock)
	m.Encryption = types.ObjectNull(encryptionType.AttrTypes)
	m.Quota = quotaValue(s.Quota)
	m.LifecycleRule = lifecycleValue(s.Lifecycle)
}

// observedSettings returns b's declared settings, each replaced by what the
// control plane observed on the tenant when observed is true and the
// status holds a value for it.
func observedSettings(b *model.Bucket, observed bool) model.BucketSpec {
	s := model.BucketSpec{Versioning: b.Spec.Versioning, Tags: b.Spec.Tags,
		Policy: b.Spec.Policy, ObjectLock: b.Spec.ObjectLock, Quota: b.Spec.Quota,
		Lifecycle: b.Spec.Lifecycle}
	if !observed {
		return s
	}
	observedRules(&s, b.Status)
	if s.Versioning != "" && b.Status.Versioning != "" {
		s.Versioning = b.Status.Versioning
	}
	if s.Tags != nil && b.Status.Tags != nil {
		s.Tags = b.Status.Tags
	}
	if s.Policy != "" && b.Status.Policy != "" {
		s.Policy = b.Status.Policy
	}
	return s
}

// observedRules replaces s's object lock, quota and lifecycle, where s
// declares them, by what the status observed on the tenant, when it holds
// a value.
func observedRules(s *model.BucketSpec, st model.BucketStatus) {
	if s.ObjectLock != nil && st.ObjectLock != nil {
		s.ObjectLock = st.ObjectLock
	}
	if s.Quota != nil && st.Quota != nil {
		s.Quota = st.Quota
	}
	if len(s.Lifecycle) > 0 && len(st.Lifecycle) > 0 {
		s.Lifecycle = st.Lifecycle
	}
}

// tagsValue is tags as a Terraform map, null when nil.
func tagsValue(tags map[string]string) types.Map {
	if tags == nil {
		return types.MapNull(types.StringType)
	}
	elems := make(map[string]attr.Value, len(tags))
	for k, v := range maps.All(tags) {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}
