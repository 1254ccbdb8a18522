package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// accessKeyResource manages an AccessKey: an S3 key pair of a tenant with
// an identity policy.
type accessKeyResource struct {
	resourceBase
	childIdentity
}

var _ resource.ResourceWithIdentity = (*accessKeyResource)(nil)

var (
	_ resource.ResourceWithConfigure      = (*accessKeyResource)(nil)
	_ resource.ResourceWithImportState    = (*accessKeyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*accessKeyResource)(nil)
)

// newAccessKeyResource returns the strata_access_key resource.
func newAccessKeyResource() resource.Resource { return &accessKeyResource{} }

// accessKeyModel is strata_access_key's data. SecretAccessKey comes only
// from the PUT that made it and is kept in state from then on.
type accessKeyModel struct {
	ID              types.String         `tfsdk:"id"`
	UID             types.String         `tfsdk:"uid"`
	Tenant          types.String         `tfsdk:"tenant"`
	Name            types.String         `tfsdk:"name"`
	Description     types.String         `tfsdk:"description"`
	Policy          jsontypes.Normalized `tfsdk:"policy"`
	SecretVersion   types.Int64          `tfsdk:"secret_version"`
	Disabled        types.Bool           `tfsdk:"disabled"`
	AccessKeyID     types.String         `tfsdk:"access_key_id"`
	SecretAccessKey types.String         `tfsdk:"secret_access_key"`
	CreatedAt       types.String         `tfsdk:"created_at"`
	RotatedAt       types.String         `tfsdk:"rotated_at"`
	Labels          types.Map            `tfsdk:"labels"`
	Timeouts        timeouts.Value       `tfsdk:"timeouts"`
}

// secretVersionPath is where the rotation counter sits.
var secretVersionPath = path.Root("secret_version")

// Metadata names the resource type strata_access_key.
func (r *accessKeyResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_key"
}

// Schema returns strata_access_key's schema.
func (r *accessKeyResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = accessKeySchema(ctx)
}

func accessKeySchema(ctx context.Context) schema.Schema {
	md := "An S3 access key of a Strata tenant: a key pair that the control plane makes, " +
		"with an IAM identity policy that says what the key may do. The key may do what " +
		"its policy or a bucket's policy allows, unless either denies it; a bucket " +
		"policy names the key as the principal `arn:aws:iam:::user/<name>`. The control " +
		"plane hands the key to every storage node of the tenant; it is `Ready` once " +
		"every node accepts it. The secret is answered by the control plane only when it " +
		"is made, on create and whenever `secret_version` is raised; the provider keeps " +
		"it in Terraform's state from then on, so protect the state. Import it by " +
		"`tenant/name`, such as `acme/ci`; the secret cannot be imported (it is null " +
		"after an import until the next rotation)."
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes:          accessKeyAttributes(ctx),
	}
}

func accessKeyAttributes(ctx context.Context) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                idAttribute("The access key's `tenant/name`, as Terraform's ID."),
		"uid":               accessKeyUIDAttribute(),
		"tenant":            accessKeyTenantAttribute(),
		"name":              accessKeyNameAttribute(),
		"description":       accessKeyDescriptionAttribute(),
		"policy":            accessKeyPolicyAttribute(),
		"secret_version":    secretVersionAttribute(),
		"disabled":          disabledAttribute(),
		"access_key_id":     accessKeyIDAttribute(),
		"secret_access_key": secretAccessKeyAttribute(),
		"created_at": stableString("When the key pair was made, in RFC 3339 " +
			"form."),
		"rotated_at": rotatedString("When the current secret replaced an earlier one, " +
			"in RFC 3339 form; null until the first rotation."),
		"labels":   labelsAttribute(accessKeyWords),
		"timeouts": timeoutsAttribute(ctx, accessKeyWords),
	}
}

// accessKeyWords names the resource in shared descriptions.
const accessKeyWords = "access key"

func accessKeyUIDAttribute() schema.StringAttribute {
	a := uidAttribute(accessKeyWords)
	md := "The control plane's unique ID of this access key. An access key deleted and " +
		"created again under the same name gets a new `uid`."
	a.Description, a.MarkdownDescription = plain(md), md
	return a
}

func accessKeyTenantAttribute() schema.StringAttribute {
	a := docString("The name of the tenant that owns the key. Changing it replaces the key.")
	a.Required = true
	a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	a.Validators = []validator.String{nameRule()}
	return a
}

func accessKeyNameAttribute() schema.StringAttribute {
	a := docString("The key's name: " + nameRule().description + ". Changing it replaces " +
		"the key, and with it the key pair.")
	a.Required = true
	a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	a.Validators = []validator.String{nameRule()}
	return a
}

func accessKeyDescriptionAttribute() schema.StringAttribute {
	a := docString("What the key is for; at most 256 characters.")
	a.Optional = true
	return a
}

func accessKeyPolicyAttribute() schema.StringAttribute {
	md := "The key's IAM identity policy document as a JSON string, such as from " +
		"`jsonencode()`; at most 6144 bytes, with no `Principal`. A change of white space " +
		"or key order is no difference. The control plane checks it with the storage " +
		"nodes' policy engine and names each problem by its place in the document, such " +
		"as `Statement[0].Action[1]`."
	return schema.StringAttribute{
		Required:            true,
		CustomType:          jsontypes.NormalizedType{},
		Description:         plain(md),
		MarkdownDescription: md,
		Validators:          []validator.String{identityPolicyRule()},
	}
}

func secretVersionAttribute() schema.Int64Attribute {
	a := docInt64("Raise it to make a new secret, such as by 1 after a suspected leak; " +
		"the access key ID stays. The plan shows `secret_access_key` as known after " +
		"apply. It cannot go down. Default `0`.")
	a.Optional, a.Computed = true, true
	a.Default = int64default.StaticInt64(0)
	a.PlanModifiers = []planmodifier.Int64{noDecrease{}}
	return a
}

func disabledAttribute() schema.BoolAttribute {
	md := "Keeps the key but makes every storage node of the tenant refuse it. " +
		"Default `false`."
	return schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(false),
		Description: plain(md), MarkdownDescription: md,
	}
}

func accessKeyIDAttribute() schema.StringAttribute {
	return stableString("The access key ID: 20 upper-case letters and digits, made when " +
		"the key is created and never changed.")
}

func secretAccessKeyAttribute() schema.StringAttribute {
	md := "The secret access key, 40 characters. The control plane answers it only when " +
		"it makes it, on create and when `secret_version` is raised; Terraform keeps it " +
		"in state from then on. Null after an import: raise `secret_version` to get one."
	return schema.StringAttribute{
		Computed: true, Sensitive: true,
		Description: plain(md), MarkdownDescription: md,
		PlanModifiers: []planmodifier.String{newSecretOnRotation{}},
	}
}

// stableString is a computed string that never changes once set.
func stableString(md string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true, Description: plain(md), MarkdownDescription: md,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// rotatedString is a computed string that changes only with a rotation.
func rotatedString(md string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true, Description: plain(md), MarkdownDescription: md,
		PlanModifiers: []planmodifier.String{newSecretOnRotation{}},
	}
}

// ValidateConfig checks the access key with the API's rules as far as the
// configuration's values are known.
func (r *accessKeyResource) ValidateConfig(ctx context.Context,
	req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m accessKeyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateAccessKey(m)...)
}

// validateAccessKey builds the spec that m declares and validates it,
// leaving violations that hang on a value not known yet for a later plan.
// The policy's own rule runs as the attribute's validator.
func validateAccessKey(m accessKeyModel) diag.Diagnostics {
	u := unknownFields{prefixes: map[string]bool{}}
	spec := model.AccessKeySpec{
		Tenant:      knownString(m.Tenant, "spec.tenant", &u, "stand-in"),
		Description: knownString(m.Description, "spec.description", &u, ""),
		Policy:      "{}",
	}
	if m.SecretVersion.IsUnknown() {
		u.add("spec.secretVersion")
	}
	spec.SecretVersion = m.SecretVersion.ValueInt64()
	return configViolations("Invalid access key", spec.Validate(), u.covers)
}

// specFromPlan builds the spec to PUT from a known plan.
func (m *accessKeyModel) specFromPlan() model.AccessKeySpec {
	return model.AccessKeySpec{
		Tenant:        m.Tenant.ValueString(),
		Description:   m.Description.ValueString(),
		Policy:        m.Policy.ValueString(),
		SecretVersion: m.SecretVersion.ValueInt64(),
		Disabled:      m.Disabled.ValueBool(),
	}
}

// fromAPI copies what the control plane returned into m. The secret is
// not among it: m keeps the one it has.
func (m *accessKeyModel) fromAPI(a *model.AccessKey) {
	if a.Spec.Tenant != "" {
		m.Tenant = types.StringValue(a.Spec.Tenant)
	}
	m.Name = types.StringValue(a.Metadata.Name)
	m.ID = types.StringValue(childID(m.Tenant.ValueString(), a.Metadata.Name))
	m.UID = types.StringValue(a.Metadata.UID)
	m.Description = optionalString(a.Spec.Description, m.Description)
	if m.Policy.IsNull() || m.Policy.IsUnknown() ||
		!model.PoliciesEqual(m.Policy.ValueString(), a.Spec.Policy) {
		m.Policy = jsonDocument(a.Spec.Policy)
	}
	m.SecretVersion = types.Int64Value(a.Spec.SecretVersion)
	m.Disabled = types.BoolValue(a.Spec.Disabled)
	m.AccessKeyID = types.StringValue(a.Status.AccessKeyID)
	m.CreatedAt = timeString(a.Status.CreatedAt)
	m.RotatedAt = timeString(a.Status.RotatedAt)
	m.Labels = labelsFromAPI(a.Metadata.Labels, m.Labels)
	if m.SecretAccessKey.IsUnknown() {
		m.SecretAccessKey = types.StringNull() // no PUT made one: none is known
	}
}

// lifecycle is strata_access_key's create, read, update and delete flow.
func (r *accessKeyResource) lifecycle() lifecycle[accessKeyModel, model.AccessKey] {
	return lifecycle[accessKeyModel, model.AccessKey]{
		kind:     model.KindAccessKey,
		typeName: "strata_access_key",
		ids: func(m *accessKeyModel) (string, string) {
			return m.Tenant.ValueString(), m.Name.ValueString()
		},
		timeouts: func(m *accessKeyModel) timeouts.Value { return m.Timeouts },
		get:      r.client.GetAccessKey,
		put:      r.put,
		del:      r.client.DeleteAccessKey,
		progress: func(a *model.AccessKey) progress {
			return metaProgress(a.Metadata, a.Status.ObservedGeneration, a.Status.Conditions)
		},
		fromAPI: func(_ context.Context, m *accessKeyModel, a *model.AccessKey) diag.Diagnostics {
			m.fromAPI(a)
			return nil
		},
	}
}

// put sends the spec and keeps the secret that the answer carries when
// the PUT made one, the only time the control plane shows it.
func (r *accessKeyResource) put(ctx context.Context, m *accessKeyModel, _ tfsdk.Config,
	diags *diag.Diagnostics) (*model.AccessKey, error) {
	labels, d := labelsToAPI(ctx, m.Labels)
	diags.Append(d...)
	if diags.HasError() {
		return nil, nil
	}
	spec := m.specFromPlan()
	a, err := r.client.PutAccessKey(ctx, spec.Tenant, m.Name.ValueString(), spec, labels)
	if err == nil && a.Status.SecretAccessKey != "" {
		m.SecretAccessKey = types.StringValue(a.Status.SecretAccessKey)
	}
	return a, err
}

// Create puts the access key, keeps its secret and waits until every node
// of the tenant accepts it.
func (r *accessKeyResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the access key, keeping the secret in state; one that is
// gone leaves the state.
func (r *accessKeyResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the changed access key, keeping the new secret when
// secret_version went up, and waits until every node has the change.
func (r *accessKeyResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the access key and waits until no node accepts it.
func (r *accessKeyResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.lifecycle().delete(ctx, req, resp)
}

// ImportState imports an access key by "tenant/name". The secret cannot
// be imported: it stays null until the next rotation.
func (r *accessKeyResource) ImportState(ctx context.Context,
	req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importChild(ctx, req, resp, "acme/ci", "access key", model.ValidateName)
}
