package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/strata-storage/strata/controlplane/model"
)

// strata_bucket's object_lock, quota and lifecycle_rule: their schemas,
// their plan-time rules (the model's, with its words) and their
// translation to and from the API.

// objectLockModel is the object_lock attribute's value.
type objectLockModel struct {
	Mode  types.String `tfsdk:"mode"`
	Days  types.Int64  `tfsdk:"days"`
	Years types.Int64  `tfsdk:"years"`
}

// quotaModel is the quota attribute's value.
type quotaModel struct {
	MaxSize    types.String `tfsdk:"max_size"`
	MaxObjects types.Int64  `tfsdk:"max_objects"`
}

// lifecycleRuleModel is one element of the lifecycle_rule attribute.
type lifecycleRuleModel struct {
	ID             types.String `tfsdk:"id"`
	Prefix         types.String `tfsdk:"prefix"`
	ExpireDays     types.Int64  `tfsdk:"expire_days"`
	TransitionDays types.Int64  `tfsdk:"transition_days"`
	TransitionTier types.String `tfsdk:"transition_tier"`
}

// Object types of the settings' values.
var (
	objectLockType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"mode": types.StringType, "days": types.Int64Type, "years": types.Int64Type}}
	quotaType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"max_size": types.StringType, "max_objects": types.Int64Type}}
	lifecycleRuleType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"id": types.StringType, "prefix": types.StringType, "expire_days": types.Int64Type,
		"transition_days": types.Int64Type, "transition_tier": types.StringType}}
)

func objectLockAttribute() schema.SingleNestedAttribute {
	md := "The bucket's S3 object lock, with the default retention of new object " +
		"versions. It needs `versioning = \"Enabled\"`, and once set it cannot be removed " +
		"(S3 never takes object lock off a bucket); its mode and period may change. Left " +
		"out, object lock is S3's to manage."
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators:    []validator.Object{objectLockRule{}},
		PlanModifiers: []planmodifier.Object{keepObjectLockDeclared{}},
		Attributes: map[string]schema.Attribute{
			"mode": requiredString("`GOVERNANCE` or `COMPLIANCE`."),
			"days": docOptionalInt64("The default retention in days, 1 to 36500; set " +
				"exactly one of `days` and `years`."),
			"years": docOptionalInt64("The default retention in years, 1 to 100."),
		},
	}
}

func quotaAttribute() schema.SingleNestedAttribute {
	md := "Hard limits of the bucket's size and of its number of objects; set " +
		"`max_size`, `max_objects` or both. A write that would take the bucket over a " +
		"limit is refused (403 `XStrataBucketQuotaExceeded`). Left out, the quota is the " +
		"tenant root key's to manage; removing the attribute after it was set removes " +
		"the quota from the bucket. A quota changed through storaged's admin endpoint is " +
		"put back."
	return schema.SingleNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.Object{quotaRule{}},
		Attributes: map[string]schema.Attribute{
			"max_size": docOptionalString("The most bytes the bucket may hold, such as " +
				"`100Gi` (units Ki, Mi, Gi, Ti or K, M, G, T)."),
			"max_objects": docOptionalInt64("The most objects the bucket may hold, at " +
				"least 1. Every version of an object counts, delete markers do not; " +
				"replacing the object of a key in a bucket that never had versioning " +
				"adds none."),
		},
	}
}

func lifecycleRuleAttribute() schema.ListNestedAttribute {
	md := "Rules that expire the objects under a prefix some days after they were " +
		"written, applied as the bucket's S3 lifecycle configuration. Left out, the " +
		"lifecycle is S3's to manage; removing the attribute after it was set deletes the " +
		"bucket's lifecycle configuration."
	transition := notBuiltMD("Move objects to a tier this many days after writing.",
		model.NotBuiltTransition)
	prefix := docOptionalString("The key prefix the rule applies to; empty (the default) " +
		"means every object.")
	prefix.Computed = true
	prefix.Default = stringdefault.StaticString("")
	return schema.ListNestedAttribute{
		Optional: true, Description: plain(md), MarkdownDescription: md,
		Validators: []validator.List{lifecycleRules{}},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":     requiredString("The rule's name, unique within the bucket."),
			"prefix": prefix,
			"expire_days": docOptionalInt64("Delete objects this many days after they " +
				"were written; at least 1."),
			"transition_days": docOptionalInt64(transition),
			"transition_tier": docOptionalString(notBuiltMD("The `strata_tier` to move "+
				"objects to.", model.NotBuiltTransition)),
		}},
	}
}

// requiredString is a required string attribute with its docs filled in.
func requiredString(md string) schema.StringAttribute {
	a := docString(md)
	a.Required = true
	return a
}

// objectLockToAPI is the object lock that v declares, nil when null.
func objectLockToAPI(ctx context.Context, v types.Object) (*model.BucketObjectLock,
	diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return nil, nil
	}
	var m objectLockModel
	d := v.As(ctx, &m, basetypes.ObjectAsOptions{})
	return &model.BucketObjectLock{Mode: m.Mode.ValueString(), Days: int(m.Days.ValueInt64()),
		Years: int(m.Years.ValueInt64())}, d
}

// quotaToAPI is the quota that v declares, nil when null.
func quotaToAPI(ctx context.Context, v types.Object) (*model.BucketQuota, diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return nil, nil
	}
	var m quotaModel
	d := v.As(ctx, &m, basetypes.ObjectAsOptions{})
	return &model.BucketQuota{MaxSize: m.MaxSize.ValueString(),
		MaxObjects: m.MaxObjects.ValueInt64()}, d
}

// lifecycleToAPI is the lifecycle rules that v declares, nil when null.
func lifecycleToAPI(ctx context.Context, v types.List) ([]model.BucketLifecycleRule,
	diag.Diagnostics) {
	if v.IsNull() || v.IsUnknown() {
		return nil, nil
	}
	var ms []lifecycleRuleModel
	d := v.ElementsAs(ctx, &ms, false)
	rules := make([]model.BucketLifecycleRule, len(ms))
	for i, m := range ms {
		rules[i] = model.BucketLifecycleRule{ID: m.ID.ValueString(),
			Prefix: m.Prefix.ValueString(), ExpireDays: int(m.ExpireDays.ValueInt64()),
			TransitionDays: int(m.TransitionDays.ValueInt64()),
			TransitionTier: m.TransitionTier.ValueString()}
	}
	return rules, d
}

// objectLockValue is l as the object_lock attribute, null when nil.
func objectLockValue(l *model.BucketObjectLock) types.Object {
	if l == nil {
		return types.ObjectNull(objectLockType.AttrTypes)
	}
	return types.ObjectValueMust(objectLockType.AttrTypes, map[string]attr.Value{
		"mode": types.StringValue(l.Mode), "days": intOrNull(l.Days),
		"years": intOrNull(l.Years)})
}

// quotaValue is q as the quota attribute, null when nil.
func quotaValue(q *model.BucketQuota) types.Object {
	if q == nil {
		return types.ObjectNull(quotaType.AttrTypes)
	}
	return types.ObjectValueMust(quotaType.AttrTypes, map[string]attr.Value{
		"max_size": stringOrNull(q.MaxSize), "max_objects": int64OrNull(q.MaxObjects)})
}

// lifecycleValue is rules as the lifecycle_rule attribute, null when
// there are none.
func lifecycleValue(rules []model.BucketLifecycleRule) types.List {
	if len(rules) == 0 {
		return types.ListNull(lifecycleRuleType)
	}
	elems := make([]attr.Value, len(rules))
	for i, r := range rules {
		elems[i] = types.ObjectValueMust(lifecycleRuleType.AttrTypes, map[string]attr.Value{
			"id": types.StringValue(r.ID), "prefix": types.StringValue(r.Prefix),
			"expire_days": intOrNull(r.ExpireDays), "transition_days": intOrNull(r.TransitionDays),
			"transition_tier": stringOrNull(r.TransitionTier)})
	}
	return types.ListValueMust(lifecycleRuleType, elems)
}

// intOrNull is n as an Int64 value, null when 0.
func intOrNull(n int) types.Int64 { return int64OrNull(int64(n)) }

// int64OrNull is n as an Int64 value, null when 0.
func int64OrNull(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

// stringOrNull is s as a String value, null when empty.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// known reports whether v and every value inside it is known, so that a
// plan-time rule can check it whole.
func known(v attr.Value) bool {
	switch x := v.(type) {
	case types.Object:
		if x.IsUnknown() {
			return false
		}
		for _, e := range x.Attributes() {
			if !known(e) {
				return false
			}
		}
	case types.List:
		if x.IsUnknown() {
			return false
		}
		for _, e := range x.Elements() {
			if !known(e) {
				return false
			}
		}
	default:
		return !v.IsUnknown()
	}
	return true
}

// addRuleViolations adds one plan-time error per violation, with the model's
// words.
func addRuleViolations(diags *diag.Diagnostics, p path.Path, summary string,
	v model.Violations) {
	for _, f := range v {
		diags.AddAttributeError(p, summary, fmt.Sprintf("%s %s.\n\n%s", ruleField(f.Field),
			ruleDescription(f.Description), adviceInvalid))
	}
}

// objectLockRule checks object_lock with the model's rules: its mode and
// period, and that the configuration sets versioning Enabled.
type objectLockRule struct{}

var _ validator.Object = objectLockRule{}

// Description says what the rule accepts.
func (objectLockRule) Description(context.Context) string {
	return "mode GOVERNANCE or COMPLIANCE with days (1 to 36500) or years (1 to 100); " +
		"needs versioning Enabled"
}

// MarkdownDescription says what the rule accepts.
func (r objectLockRule) MarkdownDescription(ctx context.Context) string {
	return r.Description(ctx)
}

// ValidateObject checks a known object lock and the versioning beside it.
func (objectLockRule) ValidateObject(ctx context.Context, req validator.ObjectRequest,
	resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || !known(req.ConfigValue) {
		return
	}
	lock, d := objectLockToAPI(ctx, req.ConfigValue)
	resp.Diagnostics.Append(d...)
	if lock == nil {
		return
	}
	var v model.Violations
	model.ValidateObjectLock(&v, "object_lock", *lock)
	var versioning types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("versioning"),
		&versioning)...)
	if !versioning.IsUnknown() {
		spec := model.BucketSpec{Versioning: versioning.ValueString(), ObjectLock: lock}
		model.ValidateObjectLockChange(&v, "object_lock", nil, &spec)
	}
	addRuleViolations(&resp.Diagnostics, req.Path, "Invalid object lock", v)
}

// keepObjectLockDeclared refuses, at plan time, removing object_lock from
// the configuration once it was set, with the words of the model's rule.
type keepObjectLockDeclared struct{}

var _ planmodifier.Object = keepObjectLockDeclared{}

// Description says what the modifier refuses.
func (keepObjectLockDeclared) Description(context.Context) string {
	return "once set, object lock cannot be removed"
}

// MarkdownDescription says what the modifier refuses.
func (m keepObjectLockDeclared) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

// PlanModifyObject adds an error when the state has an object lock and
// the configuration drops it.
func (keepObjectLockDeclared) PlanModifyObject(_ context.Context,
	req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.StateValue.IsNull() || !req.ConfigValue.IsNull() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Object lock cannot be removed",
		"object_lock "+model.ObjectLockCannotBeRemoved+".\n\n"+adviceInvalid)
}

// quotaRule checks quota with the model's rules: it sets max_size (a
// size), max_objects (a positive number) or both.
type quotaRule struct{}

var _ validator.Object = quotaRule{}

// Description says what the rule accepts.
func (quotaRule) Description(context.Context) string {
	return "max_size such as 100Gi, max_objects of at least 1, or both"
}

// MarkdownDescription says what the rule accepts.
func (r quotaRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

// ValidateObject checks a known quota.
func (quotaRule) ValidateObject(ctx context.Context, req validator.ObjectRequest,
	resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || !known(req.ConfigValue) {
		return
	}
	var m quotaModel
	resp.Diagnostics.Append(req.ConfigValue.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	if refuseEmptyQuotaLimit(m, req.Path, &resp.Diagnostics) {
		return
	}
	var v model.Violations
	model.ValidateQuota(&v, "quota", model.BucketQuota{MaxSize: m.MaxSize.ValueString(),
		MaxObjects: m.MaxObjects.ValueInt64()})
	for i := range v {
		v[i].Description = quotaWords.Replace(v[i].Description)
	}
	addRuleViolations(&resp.Diagnostics, req.Path, "Invalid quota", v)
}

// quotaWords names the quota's limits, where the model's messages use the
// API's names, by their attributes.
var quotaWords = strings.NewReplacer("maxSize", "max_size", "maxObjects", "max_objects")

// refuseEmptyQuotaLimit refuses a limit set to its zero value, which the
// API reads as no limit, and reports whether it did.
func refuseEmptyQuotaLimit(m quotaModel, p path.Path, diags *diag.Diagnostics) bool {
	refused := false
	if !m.MaxObjects.IsNull() && m.MaxObjects.ValueInt64() == 0 {
		diags.AddAttributeError(p.AtName("max_objects"), "Invalid quota",
			"quota.max_objects must be at least 1; leave it out for no limit on objects.\n\n"+
				adviceInvalid)
		refused = true
	}
	if !m.MaxSize.IsNull() && m.MaxSize.ValueString() == "" {
		diags.AddAttributeError(p.AtName("max_size"), "Invalid quota",
			"quota.max_size must be a size such as 100Gi; leave it out for no limit on "+
				"bytes.\n\n"+adviceInvalid)
		refused = true
	}
	return refused
}

// lifecycleRules checks lifecycle_rule with the model's rules, and
// refuses transitions, which are not built.
type lifecycleRules struct{}

var _ validator.List = lifecycleRules{}

// Description says what the rule accepts.
func (lifecycleRules) Description(context.Context) string {
	return "at most 1000 rules with unique ids and expire_days of at least 1; no " +
		"transitions"
}

// MarkdownDescription says what the rule accepts.
func (r lifecycleRules) MarkdownDescription(ctx context.Context) string {
	return r.Description(ctx)
}

// ValidateList checks known rules.
func (lifecycleRules) ValidateList(ctx context.Context, req validator.ListRequest,
	resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || !known(req.ConfigValue) {
		return
	}
	var ms []lifecycleRuleModel
	resp.Diagnostics.Append(req.ConfigValue.ElementsAs(ctx, &ms, false)...)
	rules := make([]model.BucketLifecycleRule, len(ms))
	for i, m := range ms {
		if !m.TransitionDays.IsNull() || !m.TransitionTier.IsNull() {
			notBuiltRule{model.NotBuiltTransition}.refuse(req.Path.AtListIndex(i),
				&resp.Diagnostics)
		}
		rules[i] = model.BucketLifecycleRule{ID: m.ID.ValueString(),
			Prefix: m.Prefix.ValueString(), ExpireDays: int(m.ExpireDays.ValueInt64())}
	}
	var v model.Violations
	model.ValidateLifecycle(&v, "lifecycle_rule", rules)
	addRuleViolations(&resp.Diagnostics, req.Path, "Invalid lifecycle rule", v)
}
