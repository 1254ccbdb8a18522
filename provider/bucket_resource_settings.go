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
// S3 settings: versioning, tags and policy, and the ones not built yet.
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

func objectLockAttribute() schema.SingleNestedAttribute {
	md := notBuiltMD("The default retention of new object versions.",
		model.NotBuiltObjectLock)
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.Object{notBuiltRule{model.NotBuiltObjectLock}},
		Attributes: map[string]schema.Attribute{
			"mode":  docOptionalString("`GOVERNANCE` or `COMPLIANCE`."),
			"days":  docOptionalInt64("The default retention in days."),
			"years": docOptionalInt64("The default retention in years."),
		},
	}
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

func quotaAttribute() schema.SingleNestedAttribute {
	md := notBuiltMD("Limits of the bucket's size.", model.NotBuiltQuota)
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.Object{notBuiltRule{model.NotBuiltQuota}},
		Attributes: map[string]schema.Attribute{
			"max_size":    docOptionalString("The most bytes the bucket may hold, such as `100Gi`."),
			"max_objects": docOptionalInt64("The most objects the bucket may hold."),
		},
	}
}

func lifecycleRuleAttribute() schema.ListNestedAttribute {
	md := notBuiltMD("Rules that expire objects, or move them to a tier, some days "+
		"after they were written.", model.NotBuiltLifecycle)
	return schema.ListNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.List{notBuiltRule{model.NotBuiltLifecycle}},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":              docOptionalString("The rule's name, unique within the bucket."),
			"prefix":          docOptionalString("The key prefix the rule applies to."),
			"expire_days":     docOptionalInt64("Delete objects this many days after writing."),
			"transition_days": docOptionalInt64("Move objects this many days after writing."),
			"transition_tier": docOptionalString("The `strata_tier` to move objects to."),
		}},
	}
}

func docOptionalString(md string) schema.StringAttribute {
	a := docString(md)
	a.Optional = true
	return a
}

func docOptionalInt64(md string) schema.Int64Attribute {
	a := docInt64(md)
	a.Optional = true
	return a
}

// Object types of the settings that are not built yet; their values are
// always null, since a plan that sets them fails.
var (
	objectLockType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"mode": types.StringType, "days": types.Int64Type, "years": types.Int64Type}}
	encryptionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"algorithm": types.StringType, "key": types.StringType}}
	quotaType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"max_size": types.StringType, "max_objects": types.Int64Type}}
	lifecycleRuleType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "prefix": types.StringType, "expire_days": types.Int64Type,
		"transition_days": types.Int64Type, "transition_tier": types.StringType}}
)

// settingsToAPI puts the settings that m declares into spec.
func (m *bucketModel) settingsToAPI(ctx context.Context, spec *model.BucketSpec) diag.Diagnostics {
	spec.Versioning = m.Versioning.ValueString()
	spec.Policy = m.Policy.ValueString()
	if m.Tags.IsNull() || m.Tags.IsUnknown() {
		return nil
	}
	spec.Tags = map[string]string{}
	return m.Tags.ElementsAs(ctx, &spec.Tags, false)
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
	m.ObjectLock = types.ObjectNull(objectLockType.AttrTypes)
	m.Encryption = types.ObjectNull(encryptionType.AttrTypes)
	m.Quota = types.ObjectNull(quotaType.AttrTypes)
	m.LifecycleRule = types.ListNull(lifecycleRuleType)
}

// observedSettings returns b's declared settings, each replaced by what the
// control plane observed on the tenant when observed is true and the
// status holds a value for it.
func observedSettings(b *model.Bucket, observed bool) model.BucketSpec {
	s := model.BucketSpec{Versioning: b.Spec.Versioning, Tags: b.Spec.Tags,
		Policy: b.Spec.Policy}
	if !observed {
		return s
	}
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
