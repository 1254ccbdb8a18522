package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/strata-storage/strata/controlplane/model"
)

// keyResource manages a Key: an encryption key of a tenant.
type keyResource struct {
	resourceBase
	childIdentity
}

var _ resource.ResourceWithIdentity = (*keyResource)(nil)

var (
	_ resource.ResourceWithConfigure      = (*keyResource)(nil)
	_ resource.ResourceWithImportState    = (*keyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*keyResource)(nil)
)

// newKeyResource returns the strata_key resource.
func newKeyResource() resource.Resource { return &keyResource{} }

// keyModel is strata_key's data.
type keyModel struct {
	ID                 types.String   `tfsdk:"id"`
	UID                types.String   `tfsdk:"uid"`
	Tenant             types.String   `tfsdk:"tenant"`
	Name               types.String   `tfsdk:"name"`
	Backend            types.String   `tfsdk:"backend"`
	Vault              types.Object   `tfsdk:"vault"`
	RotationPeriod     types.String   `tfsdk:"rotation_period"`
	RotationGeneration types.Int64    `tfsdk:"rotation_generation"`
	Versions           types.Int64    `tfsdk:"versions"`
	LastRotation       types.String   `tfsdk:"last_rotation"`
	Labels             types.Map      `tfsdk:"labels"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// vaultKeyModel is a key's vault block.
type vaultKeyModel struct {
	Mount   types.String `tfsdk:"mount"`
	KeyName types.String `tfsdk:"key_name"`
}

// vaultKeyType is the object type of a key's vault block.
var vaultKeyType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"mount":    types.StringType,
	"key_name": types.StringType,
}}

// Metadata names the resource type strata_key.
func (r *keyResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_key"
}

// Schema returns strata_key's schema.
func (r *keyResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = keySchema(ctx)
}

func keySchema(ctx context.Context) schema.Schema {
	md := "An encryption key of a Strata tenant, with every version it ever had: the " +
		"newest version encrypts, every version decrypts. With the `builtin` backend the " +
		"control plane makes each version from random bytes and keeps it sealed " +
		"(AES-256-GCM) under a master key in its state directory; the key material never " +
		"appears in the API or in Terraform's state. A new version is made when " +
		"`rotation_period` has passed since the last one, and whenever `rotation_generation` " +
		"is raised. Destroying the key destroys all its versions, and with them what they " +
		"encrypted. Import it by `tenant/name`, such as `acme/data`."

	tenant := docString("The name of the tenant that owns the key. Changing it replaces " +
		"the key.")
	tenant.Required = true
	tenant.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	tenant.Validators = []validator.String{nameRule()}

	name := docString("The key's name: " + nameRule().description + ". Changing it " +
		"replaces the key and destroys its versions.")
	name.Required = true
	name.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	name.Validators = []validator.String{nameRule()}

	backend := docString("Where the key's versions live: `builtin`, the control plane's own " +
		"KMS, or `vault`, a Vault Transit key (not available yet: the control plane refuses " +
		"it with a message). Default `builtin`. It cannot change; the control plane " +
		"refuses a change rather than replacing the key.")
	backend.Optional, backend.Computed = true, true
	backend.Default = stringdefault.StaticString(model.KeyBackendBuiltin)

	period := docString("How often a new version is made, as a duration with units `h`, " +
		"`m` or `s`, such as `720h` for 30 days; at least `1h`. Unset: only when " +
		"`rotation_generation` is raised.")
	period.Optional = true

	gen := docInt64("Raise it to make a new version now, such as by 1 after a suspected " +
		"leak. It cannot go down. Default `0`.")
	gen.Optional, gen.Computed = true, true
	gen.Default = int64default.StaticInt64(0)

	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"id":                  idAttribute("The key's `tenant/name`, as Terraform's ID."),
			"uid":                 uidAttribute(model.KindKey),
			"tenant":              tenant,
			"name":                name,
			"backend":             backend,
			"vault":               vaultAttribute(),
			"rotation_period":     period,
			"rotation_generation": gen,
			"versions": changingInt64("The number of versions the key has: 1 after " +
				"creation, one more after each rotation."),
			"last_rotation": changingString("When the newest version was made, in RFC 3339 " +
				"form."),
			"labels":   labelsAttribute(model.KindKey),
			"timeouts": timeoutsAttribute(ctx, model.KindKey),
		},
	}
}

func vaultAttribute() schema.SingleNestedAttribute {
	md := "The Vault Transit key, with the `vault` backend only."
	mount := docString("The path the Transit engine is mounted at, such as `transit`.")
	mount.Required = true
	keyName := docString("The name of the key in that mount.")
	keyName.Required = true
	return schema.SingleNestedAttribute{
		Optional:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes:          map[string]schema.Attribute{"mount": mount, "key_name": keyName},
	}
}

// changingInt64 is a computed int64 that the control plane may change
// between plans, so a plan that changes the resource leaves it unknown.
func changingInt64(md string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, Description: plain(md),
		MarkdownDescription: md}
}

// changingString is a computed string that the control plane may change
// between plans.
func changingString(md string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, Description: plain(md),
		MarkdownDescription: md}
}

// ValidateConfig checks the key with the API's rules as far as the
// configuration's values are known.
func (r *keyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse) {
	var m keyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateKey(ctx, m)...)
}

// validateKey builds the spec that m declares, defaults and validates it,
// and maps each violation to its attribute, leaving those that hang on a
// value not known yet for a later plan.
func validateKey(ctx context.Context, m keyModel) diag.Diagnostics {
	spec, unknown := keySpecFromConfig(ctx, m)
	spec.Default()
	return configViolations("Invalid key", spec.Validate(), unknown.covers)
}

// keySpecFromConfig builds the spec that m declares, with a valid stand-in
// for each value that is not known yet, and names those values.
func keySpecFromConfig(ctx context.Context, m keyModel) (model.KeySpec, unknownFields) {
	u := unknownFields{prefixes: map[string]bool{}}
	spec := model.KeySpec{
		Tenant:         knownString(m.Tenant, "spec.tenant", &u, "stand-in"),
		Backend:        knownString(m.Backend, "spec.backend", &u, ""),
		RotationPeriod: knownString(m.RotationPeriod, "spec.rotationPeriod", &u, ""),
	}
	if m.RotationGeneration.IsUnknown() {
		u.add("spec.rotationGeneration")
	}
	spec.RotationGeneration = m.RotationGeneration.ValueInt64()
	var vault vaultKeyModel
	switch {
	case m.Vault.IsUnknown():
		u.add("spec.vault")
		u.add("spec.backend")
	case !m.Vault.IsNull() && !m.Vault.As(ctx, &vault, basetypes.ObjectAsOptions{}).HasError():
		spec.Vault = &model.VaultKey{
			Mount:   knownString(vault.Mount, "spec.vault.mount", &u, "stand-in"),
			KeyName: knownString(vault.KeyName, "spec.vault.keyName", &u, "stand-in"),
		}
	}
	return spec, u
}

// specFromPlan builds the spec to PUT from a known plan.
func (m *keyModel) specFromPlan(ctx context.Context) (model.KeySpec, diag.Diagnostics) {
	spec := model.KeySpec{
		Tenant:             m.Tenant.ValueString(),
		Backend:            m.Backend.ValueString(),
		RotationPeriod:     m.RotationPeriod.ValueString(),
		RotationGeneration: m.RotationGeneration.ValueInt64(),
	}
	if m.Vault.IsNull() || m.Vault.IsUnknown() {
		return spec, nil
	}
	var vault vaultKeyModel
	diags := m.Vault.As(ctx, &vault, basetypes.ObjectAsOptions{})
	spec.Vault = &model.VaultKey{Mount: vault.Mount.ValueString(),
		KeyName: vault.KeyName.ValueString()}
	return spec, diags
}

// fromAPI copies what the control plane returned into m.
func (m *keyModel) fromAPI(ctx context.Context, k *model.Key) diag.Diagnostics {
	if k.Spec.Tenant != "" {
		m.Tenant = types.StringValue(k.Spec.Tenant)
	}
	m.Name = types.StringValue(k.Metadata.Name)
	m.ID = types.StringValue(childID(m.Tenant.ValueString(), k.Metadata.Name))
	m.UID = types.StringValue(k.Metadata.UID)
	m.Backend = types.StringValue(k.Spec.Backend)
	m.RotationPeriod = optionalString(k.Spec.RotationPeriod, m.RotationPeriod)
	m.RotationGeneration = types.Int64Value(k.Spec.RotationGeneration)
	m.Versions = types.Int64Value(int64(k.Status.Versions))
	m.LastRotation = timeString(k.Status.LastRotation)
	m.Labels = labelsFromAPI(k.Metadata.Labels, m.Labels)
	m.Vault = types.ObjectNull(vaultKeyType.AttrTypes)
	if v := k.Spec.Vault; v != nil {
		var diags diag.Diagnostics
		m.Vault, diags = types.ObjectValueFrom(ctx, vaultKeyType.AttrTypes, vaultKeyModel{
			Mount: types.StringValue(v.Mount), KeyName: types.StringValue(v.KeyName)})
		return diags
	}
	return nil
}

// optionalString is the state value of an optional string the server
// returns empty when unset: null, unless the configuration said "".
func optionalString(v string, prior types.String) types.String {
	if v == "" && (prior.IsNull() || prior.IsUnknown() || prior.ValueString() != "") {
		return types.StringNull()
	}
	return types.StringValue(v)
}

// timeString is the state value of a time: RFC 3339, or null when unset.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// lifecycle is strata_key's create, read, update and delete flow.
func (r *keyResource) lifecycle() lifecycle[keyModel, model.Key] {
	return lifecycle[keyModel, model.Key]{
		kind:     model.KindKey,
		typeName: "strata_key",
		ids: func(m *keyModel) (string, string) {
			return m.Tenant.ValueString(), m.Name.ValueString()
		},
		timeouts: func(m *keyModel) timeouts.Value { return m.Timeouts },
		get:      r.client.GetKey,
		put: func(ctx context.Context, m *keyModel, _ tfsdk.Config,
			diags *diag.Diagnostics) (*model.Key, error) {
			spec, d := m.specFromPlan(ctx)
			labels, dl := labelsToAPI(ctx, m.Labels)
			diags.Append(append(d, dl...)...)
			if diags.HasError() {
				return nil, nil
			}
			return r.client.PutKey(ctx, spec.Tenant, m.Name.ValueString(), spec, labels)
		},
		del: r.client.DeleteKey,
		progress: func(k *model.Key) progress {
			return metaProgress(k.Metadata, k.Status.ObservedGeneration, k.Status.Conditions)
		},
		fromAPI: func(ctx context.Context, m *keyModel, k *model.Key) diag.Diagnostics {
			return m.fromAPI(ctx, k)
		},
	}
}

// Create puts the key and waits until its first version exists.
func (r *keyResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the key; one that is gone leaves the state.
func (r *keyResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the changed key and waits until the control plane made it
// real, a new version included when rotation_generation went up.
func (r *keyResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the key with all its versions and waits until it is gone.
func (r *keyResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.lifecycle().delete(ctx, req, resp)
}

// ImportState imports a key by "tenant/name".
func (r *keyResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importChild(ctx, req, resp, "acme/data", "key", model.ValidateName)
}
