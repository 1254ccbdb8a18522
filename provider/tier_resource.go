package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/strata-storage/strata/controlplane/model"
)

// tierResource manages a Tier: a remote storage tier of a tenant.
type tierResource struct {
	resourceBase
	childIdentity
}

var _ resource.ResourceWithIdentity = (*tierResource)(nil)

var (
	_ resource.ResourceWithConfigure      = (*tierResource)(nil)
	_ resource.ResourceWithImportState    = (*tierResource)(nil)
	_ resource.ResourceWithValidateConfig = (*tierResource)(nil)
)

// newTierResource returns the strata_tier resource.
func newTierResource() resource.Resource { return &tierResource{} }

// tierModel is strata_tier's data.
type tierModel struct {
	ID           types.String   `tfsdk:"id"`
	UID          types.String   `tfsdk:"uid"`
	Tenant       types.String   `tfsdk:"tenant"`
	Name         types.String   `tfsdk:"name"`
	StorageClass types.String   `tfsdk:"storage_class"`
	TenantBucket types.Object   `tfsdk:"tenant_bucket"`
	S3           types.Object   `tfsdk:"s3"`
	Reachable    types.Bool     `tfsdk:"reachable"`
	LastChecked  types.String   `tfsdk:"last_checked"`
	Labels       types.Map      `tfsdk:"labels"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// tierTenantBucketModel is a tier's tenant_bucket block.
type tierTenantBucketModel struct {
	Tenant types.String `tfsdk:"tenant"`
	Bucket types.String `tfsdk:"bucket"`
}

// tierS3Model is a tier's s3 block. SecretAccessKey is write-only: it is
// null everywhere but in the configuration.
type tierS3Model struct {
	Endpoint               types.String `tfsdk:"endpoint"`
	Bucket                 types.String `tfsdk:"bucket"`
	Prefix                 types.String `tfsdk:"prefix"`
	Region                 types.String `tfsdk:"region"`
	CABundle               types.String `tfsdk:"ca_bundle"`
	AccessKeyID            types.String `tfsdk:"access_key_id"`
	SecretAccessKey        types.String `tfsdk:"secret_access_key"`
	SecretAccessKeyVersion types.Int64  `tfsdk:"secret_access_key_version"`
}

// Object types of a tier's blocks.
var (
	tierTenantBucketType = map[string]attr.Type{
		"tenant": types.StringType,
		"bucket": types.StringType,
	}
	tierS3Type = map[string]attr.Type{
		"endpoint":                  types.StringType,
		"bucket":                    types.StringType,
		"prefix":                    types.StringType,
		"region":                    types.StringType,
		"ca_bundle":                 types.StringType,
		"access_key_id":             types.StringType,
		"secret_access_key":         types.StringType,
		"secret_access_key_version": types.Int64Type,
	}
)

// secretPath is where the write-only secret sits in the configuration.
var secretPath = path.Root("s3").AtName("secret_access_key")

// Metadata names the resource type strata_tier.
func (r *tierResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tier"
}

// Schema returns strata_tier's schema.
func (r *tierResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = tierSchema(ctx)
}

func tierSchema(ctx context.Context) schema.Schema {
	md := "A remote storage tier of a Strata tenant: a bucket outside the tenant's own " +
		"drives that objects of one storage class will be moved to, either a bucket of " +
		"another Strata tenant (`tenant_bucket`) or a bucket on any S3 endpoint (`s3`). " +
		"The control plane checks that the target bucket answers with the tier's " +
		"credentials; the tier is ready, and `reachable` true, when it does, and otherwise " +
		"the wait fails with the S3 error. Moving objects to the tier (lifecycle " +
		"transitions) is not built yet: for now the tier only declares and checks the " +
		"target. Import it by `tenant/name`, such as `acme/cold`."

	tenant := docString("The name of the tenant that owns the tier. Changing it replaces " +
		"the tier.")
	tenant.Required = true
	tenant.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	tenant.Validators = []validator.String{nameRule()}

	name := docString("The tier's name: " + nameRule().description + ". Changing it " +
		"replaces the tier.")
	name.Required = true
	name.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	name.Validators = []validator.String{nameRule()}

	class := docString("The storage class the tier is used by, as clients send it in " +
		"`x-amz-storage-class`: an uppercase letter, then up to 31 uppercase letters, digits " +
		"and underscores, such as `COLD`. Unique within the tenant; `STANDARD` and " +
		"`REDUCED_REDUNDANCY` are the tenant's own.")
	class.Required = true

	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"id":            idAttribute("The tier's `tenant/name`, as Terraform's ID."),
			"uid":           uidAttribute(model.KindTier),
			"tenant":        tenant,
			"name":          name,
			"storage_class": class,
			"tenant_bucket": tierTenantBucketAttribute(),
			"s3":            tierS3Attribute(),
			"reachable": schema.BoolAttribute{
				Computed:            true,
				Description:         "Whether the target bucket answered at the last check.",
				MarkdownDescription: "Whether the target bucket answered at the last check.",
			},
			"last_checked": changingString("When the control plane last recorded a check " +
				"of the target, in RFC 3339 form: on every change of `reachable`, and at " +
				"least once a minute otherwise."),
			"labels":   labelsAttribute(model.KindTier),
			"timeouts": timeoutsAttribute(ctx, model.KindTier),
		},
	}
}

func tierTenantBucketAttribute() schema.SingleNestedAttribute {
	md := "The target when it is a bucket of another Strata tenant, which the control " +
		"plane reaches with that tenant's endpoint, CA and root credentials. Set this or " +
		"`s3`."
	tenant := docString("The tenant that holds the bucket; not the tier's own.")
	tenant.Required = true
	bucket := docString("The target bucket's name.")
	bucket.Required = true
	return schema.SingleNestedAttribute{
		Optional:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes:          map[string]schema.Attribute{"tenant": tenant, "bucket": bucket},
	}
}

func tierS3Attribute() schema.SingleNestedAttribute {
	md := "The target when it is a bucket on any S3 endpoint, reached with path-style " +
		"requests. Set this or `tenant_bucket`."
	endpoint := docString("The https URL of the S3 service, such as " +
		"`https://s3.eu-west-1.amazonaws.com`.")
	endpoint.Required = true
	bucket := docString("The target bucket's name.")
	bucket.Required = true
	prefix := docString("Put before every object key the tier writes; it does not start " +
		"with a slash.")
	prefix.Optional = true
	region := docString("The region requests are signed for. Default `" +
		model.DefaultRegion + "`.")
	region.Optional, region.Computed = true, true
	region.Default = stringdefault.StaticString(model.DefaultRegion)
	ca := docString("PEM of the CAs to trust for the endpoint. Unset: the system's roots.")
	ca.Optional = true
	keyID := docString("The access key ID of the credentials that reach the bucket.")
	keyID.Required = true
	secret := docString("The secret access key that goes with `access_key_id`. " +
		"Write-only: Terraform sends it to the control plane but keeps it in neither plan " +
		"nor state, and the control plane never returns it. Since Terraform cannot see a " +
		"change of it, change `secret_access_key_version` along with it.")
	secret.Required, secret.Sensitive, secret.WriteOnly = true, true, true
	version := docInt64("Any number you change whenever `secret_access_key` changes, " +
		"such as 1, then 2: a change of it is what makes Terraform send the new secret. " +
		"It is kept only in Terraform's state.")
	version.Optional = true
	return schema.SingleNestedAttribute{
		Optional:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"endpoint":                  endpoint,
			"bucket":                    bucket,
			"prefix":                    prefix,
			"region":                    region,
			"ca_bundle":                 ca,
			"access_key_id":             keyID,
			"secret_access_key":         secret,
			"secret_access_key_version": version,
		},
	}
}

// ValidateConfig checks the tier with the API's rules as far as the
// configuration's values are known.
func (r *tierResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse) {
	var m tierModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateTier(ctx, m)...)
}

// validateTier builds the spec that m declares, defaults and validates it,
// and maps each violation to its attribute. Violations that hang on a value
// not known yet are left for a later plan; while a target is unknown, so is
// whether exactly one is set.
func validateTier(ctx context.Context, m tierModel) diag.Diagnostics {
	spec, unknown := tierSpecFromConfig(ctx, m)
	spec.Default()
	targetsUnknown := m.TenantBucket.IsUnknown() || m.S3.IsUnknown()
	skip := func(field string) bool {
		return unknown.covers(field) || (field == "spec" && targetsUnknown)
	}
	return configViolations("Invalid tier", spec.Validate(), skip)
}

// tierSpecFromConfig builds the spec that m declares, with a valid
// stand-in for each value that is not known yet, and names those values.
func tierSpecFromConfig(ctx context.Context, m tierModel) (model.TierSpec, unknownFields) {
	u := unknownFields{prefixes: map[string]bool{}}
	spec := model.TierSpec{
		Tenant:       knownString(m.Tenant, "spec.tenant", &u, "stand-in"),
		StorageClass: knownString(m.StorageClass, "spec.storageClass", &u, "STAND_IN"),
	}
	var tb tierTenantBucketModel
	switch {
	case m.TenantBucket.IsUnknown():
		u.add("spec.tenantBucket")
	case !m.TenantBucket.IsNull() && !asObject(ctx, m.TenantBucket, &tb).HasError():
		spec.TenantBucket = &model.TierTenantBucket{
			Tenant: knownString(tb.Tenant, "spec.tenantBucket.tenant", &u, "stand-in-target"),
			Bucket: knownString(tb.Bucket, "spec.tenantBucket.bucket", &u, "stand-in"),
		}
	}
	var s3 tierS3Model
	switch {
	case m.S3.IsUnknown():
		u.add("spec.s3")
	case !m.S3.IsNull() && !asObject(ctx, m.S3, &s3).HasError():
		spec.S3 = s3FromConfig(s3, &u)
	}
	return spec, u
}

func s3FromConfig(s tierS3Model, u *unknownFields) *model.TierS3 {
	const f = "spec.s3."
	return &model.TierS3{
		Endpoint:    knownString(s.Endpoint, f+"endpoint", u, "https://stand-in"),
		Bucket:      knownString(s.Bucket, f+"bucket", u, "stand-in"),
		Prefix:      knownString(s.Prefix, f+"prefix", u, ""),
		Region:      knownString(s.Region, f+"region", u, ""),
		CABundle:    knownString(s.CABundle, f+"caBundle", u, ""),
		AccessKeyID: knownString(s.AccessKeyID, f+"accessKeyId", u, "stand-in"),
	}
}

// asObject reads a known object into target.
func asObject(ctx context.Context, o types.Object, target any) diag.Diagnostics {
	return o.As(ctx, target, basetypes.ObjectAsOptions{})
}

// specFromPlan builds the spec to PUT from a known plan, with the secret
// access key from the configuration, the only place it is.
func (m *tierModel) specFromPlan(ctx context.Context,
	config tfsdk.Config) (model.TierSpec, diag.Diagnostics) {
	spec := model.TierSpec{Tenant: m.Tenant.ValueString(),
		StorageClass: m.StorageClass.ValueString()}
	var diags diag.Diagnostics
	if !m.TenantBucket.IsNull() {
		var tb tierTenantBucketModel
		diags.Append(asObject(ctx, m.TenantBucket, &tb)...)
		spec.TenantBucket = &model.TierTenantBucket{Tenant: tb.Tenant.ValueString(),
			Bucket: tb.Bucket.ValueString()}
	}
	if !m.S3.IsNull() {
		var s3 tierS3Model
		var secret types.String
		diags.Append(asObject(ctx, m.S3, &s3)...)
		diags.Append(config.GetAttribute(ctx, secretPath, &secret)...)
		spec.S3 = &model.TierS3{Endpoint: s3.Endpoint.ValueString(),
			Bucket: s3.Bucket.ValueString(), Prefix: s3.Prefix.ValueString(),
			Region: s3.Region.ValueString(), CABundle: s3.CABundle.ValueString(),
			AccessKeyID: s3.AccessKeyID.ValueString(), SecretAccessKey: secret.ValueString()}
	}
	return spec, diags
}

// fromAPI copies what the control plane returned into m. The secret stays
// null and its version keeps the value m had: neither comes from the API.
func (m *tierModel) fromAPI(ctx context.Context, t *model.Tier) diag.Diagnostics {
	if t.Spec.Tenant != "" {
		m.Tenant = types.StringValue(t.Spec.Tenant)
	}
	m.Name = types.StringValue(t.Metadata.Name)
	m.ID = types.StringValue(childID(m.Tenant.ValueString(), t.Metadata.Name))
	m.UID = types.StringValue(t.Metadata.UID)
	m.StorageClass = types.StringValue(t.Spec.StorageClass)
	m.Reachable = types.BoolValue(t.Status.Reachable)
	m.LastChecked = timeString(t.Status.LastChecked)
	m.Labels = labelsFromAPI(t.Metadata.Labels, m.Labels)
	var diags diag.Diagnostics
	m.TenantBucket = types.ObjectNull(tierTenantBucketType)
	if tb := t.Spec.TenantBucket; tb != nil {
		m.TenantBucket, diags = types.ObjectValueFrom(ctx, tierTenantBucketType,
			tierTenantBucketModel{Tenant: types.StringValue(tb.Tenant),
				Bucket: types.StringValue(tb.Bucket)})
	}
	prior := m.S3
	m.S3 = types.ObjectNull(tierS3Type)
	if t.Spec.S3 != nil {
		var d diag.Diagnostics
		m.S3, d = s3FromAPI(ctx, t.Spec.S3, prior)
		diags.Append(d...)
	}
	return diags
}

// s3FromAPI is the state value of an S3 target, with the prior value's
// optional strings kept in their form and its secret version kept.
func s3FromAPI(ctx context.Context, s *model.TierS3,
	prior types.Object) (types.Object, diag.Diagnostics) {
	old := tierS3Model{Prefix: types.StringNull(), CABundle: types.StringNull(),
		SecretAccessKeyVersion: types.Int64Null()}
	if !prior.IsNull() && !prior.IsUnknown() {
		_ = asObject(ctx, prior, &old)
	}
	return types.ObjectValueFrom(ctx, tierS3Type, tierS3Model{
		Endpoint:               types.StringValue(s.Endpoint),
		Bucket:                 types.StringValue(s.Bucket),
		Prefix:                 optionalString(s.Prefix, old.Prefix),
		Region:                 types.StringValue(s.Region),
		CABundle:               optionalString(s.CABundle, old.CABundle),
		AccessKeyID:            types.StringValue(s.AccessKeyID),
		SecretAccessKey:        types.StringNull(),
		SecretAccessKeyVersion: old.SecretAccessKeyVersion,
	})
}

// lifecycle is strata_tier's create, read, update and delete flow.
func (r *tierResource) lifecycle() lifecycle[tierModel, model.Tier] {
	return lifecycle[tierModel, model.Tier]{
		kind:     model.KindTier,
		typeName: "strata_tier",
		ids: func(m *tierModel) (string, string) {
			return m.Tenant.ValueString(), m.Name.ValueString()
		},
		timeouts: func(m *tierModel) timeouts.Value { return m.Timeouts },
		get:      r.client.GetTier,
		put: func(ctx context.Context, m *tierModel, config tfsdk.Config,
			diags *diag.Diagnostics) (*model.Tier, error) {
			spec, d := m.specFromPlan(ctx, config)
			labels, dl := labelsToAPI(ctx, m.Labels)
			diags.Append(append(d, dl...)...)
			if diags.HasError() {
				return nil, nil
			}
			return r.client.PutTier(ctx, spec.Tenant, m.Name.ValueString(), spec, labels)
		},
		del: r.client.DeleteTier,
		progress: func(t *model.Tier) progress {
			return metaProgress(t.Metadata, t.Status.ObservedGeneration, t.Status.Conditions)
		},
		fromAPI: func(ctx context.Context, m *tierModel, t *model.Tier) diag.Diagnostics {
			return m.fromAPI(ctx, t)
		},
	}
}

// Create puts the tier and waits until its target answers.
func (r *tierResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the tier; one that is gone leaves the state.
func (r *tierResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the changed tier, its secret included, and waits until its
// target answers.
func (r *tierResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the tier and waits until it is gone; nothing is deleted
// at the target.
func (r *tierResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.lifecycle().delete(ctx, req, resp)
}

// ImportState imports a tier by "tenant/name". The secret access key is
// not imported, since nothing returns it; the control plane keeps the one
// it has.
func (r *tierResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importChild(ctx, req, resp, "acme/cold", "tier", model.ValidateName)
}
