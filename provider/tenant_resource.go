package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// tenantResource manages a Tenant: one S3 service with its own storage
// nodes, endpoint, certificates and root credentials.
type tenantResource struct {
	resourceBase
	nameIdentity
}

var _ resource.ResourceWithIdentity = (*tenantResource)(nil)

var (
	_ resource.ResourceWithConfigure      = (*tenantResource)(nil)
	_ resource.ResourceWithImportState    = (*tenantResource)(nil)
	_ resource.ResourceWithValidateConfig = (*tenantResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*tenantResource)(nil)
)

// newTenantResource returns the strata_tenant resource.
func newTenantResource() resource.Resource { return &tenantResource{} }

// tenantModel is strata_tenant's data. ForceDestroy lives only in
// Terraform's state: it is sent as the delete's force parameter.
type tenantModel struct {
	ID              types.String   `tfsdk:"id"`
	UID             types.String   `tfsdk:"uid"`
	Name            types.String   `tfsdk:"name"`
	Cluster         types.String   `tfsdk:"cluster"`
	Region          types.String   `tfsdk:"region"`
	Parity          types.Int64    `tfsdk:"parity"`
	Pools           types.List     `tfsdk:"pools"`
	Labels          types.Map      `tfsdk:"labels"`
	Endpoint        types.String   `tfsdk:"endpoint"`
	CABundle        types.String   `tfsdk:"ca_bundle"`
	AccessKeyID     types.String   `tfsdk:"access_key_id"`
	SecretAccessKey types.String   `tfsdk:"secret_access_key"`
	TLS             types.Object   `tfsdk:"tls"`
	KMS             types.Object   `tfsdk:"kms"`
	Audit           types.Object   `tfsdk:"audit"`
	LogTargets      types.List     `tfsdk:"log_targets"`
	Monitoring      types.Object   `tfsdk:"monitoring"`
	StorageClasses  types.Object   `tfsdk:"storage_classes"`
	ForceDestroy    types.Bool     `tfsdk:"force_destroy"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
}

// poolModel is one element of a tenant's pools.
type poolModel struct {
	Name            types.String `tfsdk:"name"`
	Servers         types.Int64  `tfsdk:"servers"`
	DrivesPerServer types.Int64  `tfsdk:"drives_per_server"`
	DriveSize       types.String `tfsdk:"drive_size"`
	Media           types.String `tfsdk:"media"`
}

// poolType is the object type of one pool.
var poolType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"name":              types.StringType,
	"servers":           types.Int64Type,
	"drives_per_server": types.Int64Type,
	"drive_size":        types.StringType,
	"media":             types.StringType,
}}

// Metadata names the resource type strata_tenant.
func (r *tenantResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

// Schema returns strata_tenant's schema.
func (r *tenantResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = tenantSchema(ctx)
}

// computedString is a computed string that keeps its value across plans.
func computedString(md string, sensitive bool) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		Sensitive:           sensitive,
		Description:         plain(md),
		MarkdownDescription: md,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// docString is a string attribute with its docs filled in.
func docString(md string) schema.StringAttribute {
	return schema.StringAttribute{Description: plain(md), MarkdownDescription: md}
}

// docInt64 is an int64 attribute with its docs filled in.
func docInt64(md string) schema.Int64Attribute {
	return schema.Int64Attribute{Description: plain(md), MarkdownDescription: md}
}

func tenantSchema(ctx context.Context) schema.Schema {
	md := "A Strata tenant: one S3 service with its own storage nodes, endpoint, TLS " +
		"certificates and root credentials, running on a cluster. The control plane " +
		"cannot change a running tenant's parity or region, nor the shape of a pool: a " +
		"parity or pool-shape change fails at plan, a region change at apply, with the " +
		"control plane's message instead of replacing the tenant, since replacing it " +
		"would destroy its data. Pools may be added and removed in place: a " +
		"removed pool's objects are first moved to the other pools. Changing the TLS " +
		"source, metrics or storage classes restarts the nodes one at a time; adding or " +
		"removing a pool restarts them all together."

	name := docString("The tenant's name: " + nameRule().description + ". Changing it " +
		"replaces the tenant and destroys its data.")
	name.Required = true
	name.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	name.Validators = []validator.String{nameRule()}

	cluster := docString("The name of the cluster the tenant's storage nodes run on. " +
		"Changing it replaces the tenant and destroys its data.")
	cluster.Required = true
	cluster.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}

	region := docString("The S3 region the tenant answers for, such as `eu-west-1`. " +
		"Default `" + model.DefaultRegion + "`.")
	region.Optional, region.Computed = true, true
	region.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}

	parity := docInt64("The number of parity shards in each erasure set: how many " +
		"drives of a set may fail without losing data. Default: 2 for sets of 4 or 5 " +
		"drives, 3 for 6 or 7, 4 from 8, half the drives for smaller sets. At most half " +
		"of each pool's drives.")
	parity.Optional, parity.Computed = true, true
	parity.PlanModifiers = []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}

	attrs := map[string]schema.Attribute{
		"id":      idAttribute("The tenant's name, as Terraform's ID."),
		"uid":     uidAttribute(model.KindTenant),
		"name":    name,
		"cluster": cluster,
		"region":  region,
		"parity":  parity,
		"pools":   poolsAttribute(),
		"labels":  labelsAttribute(model.KindTenant),
		"endpoint": movableString(computedString("The tenant's S3 endpoint URL, such as "+
			"`https://127.0.0.1:9000`: a node of the first pool. Removing that pool moves "+
			"it to the next pool's.", false), poolRemoved),
		"ca_bundle": movableString(computedString("The PEM of the CA that signed the S3 "+
			"endpoint's certificate, for `AWS_CA_BUNDLE` or an SDK's TLS settings.", false),
			tlsChanged),
		"access_key_id": computedString("The access key ID of the tenant's root "+
			"credentials.", false),
		"secret_access_key": computedString("The secret access key of the tenant's "+
			"root credentials.", true),
		"force_destroy": forceDestroyAttribute(),
		"timeouts":      timeoutsAttribute(ctx, model.KindTenant),
	}
	maps.Copy(attrs, tenantSettingAttributes())
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes:          attrs,
	}
}

// forceDestroyAttribute is the tenant's force_destroy, which only the
// provider reads.
func forceDestroyAttribute() schema.BoolAttribute {
	md := "Whether destroying the tenant also destroys the data it still holds. The " +
		"control plane refuses to delete a tenant that has buckets, those made through " +
		"S3 and unknown to Terraform included, or whose storage nodes it cannot ask, " +
		"unless this is `true`. Set it and run `terraform apply` before destroying; " +
		"changing it changes nothing else. Default `false`."
	return schema.BoolAttribute{
		Optional:            true,
		Computed:            true,
		Default:             booldefault.StaticBool(false),
		Description:         plain(md),
		MarkdownDescription: md,
	}
}

func poolsAttribute() schema.ListNestedAttribute {
	md := "The groups of identical servers that hold the tenant's drives; at least one, " +
		"with unique names. Each pool's `servers` × `drives_per_server` drives are cut " +
		"into equal erasure sets. Changes are made in place: a new pool gets new nodes; a " +
		"removed pool is decommissioned (its objects move to the other pools, then its " +
		"nodes stop and its drives are deleted), which the tenant's `Decommissioning` " +
		"condition follows after the apply. A pool's shape cannot change (add a new pool " +
		"and remove the old one), a pool still being decommissioned cannot be added back, " +
		"and a single server of more than 16 drives cannot take a second pool: the " +
		"control plane refuses these (HTTP 422) and the apply fails with its message. A " +
		"tenant of one server that gets a second pool keeps its drives and its S3 endpoint."

	name := docString("The pool's name, unique within the tenant: " +
		nameRule().description + ".")
	name.Required = true
	servers := docInt64(fmt.Sprintf("The number of storage nodes in the pool, 1 to %d.",
		model.MaxServersPerPool))
	servers.Required = true
	drives := docInt64(fmt.Sprintf("The number of drives on each node, 1 to %d. A pool "+
		"needs at least 2 drives in all.", model.MaxDrivesPerNode))
	drives.Required = true
	size := docString("The size of each drive, such as `10Gi` (units `Ki`, `Mi`, `Gi`, " +
		"`Ti`, or `K`, `M`, `G`, `T`), at least `64Mi`. Default `" + model.DefaultDriveSize +
		"`. On a `local` cluster it is advisory.")
	// Defaults rather than the state: list elements are matched by index,
	// so a pool added or removed would otherwise be planned with another
	// pool's value, or with none.
	size.Optional, size.Computed = true, true
	size.Default = stringdefault.StaticString(model.DefaultDriveSize)
	media := docString("The drives' media: `nvme`, `ssd` or `hdd`. Default `ssd`. On " +
		"`eks`, it picks the node group.")
	media.Optional, media.Computed = true, true
	media.Default = stringdefault.StaticString(model.MediaSSD)

	return schema.ListNestedAttribute{
		Required:            true,
		Description:         plain(md),
		MarkdownDescription: md,
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"name":              name,
				"servers":           servers,
				"drives_per_server": drives,
				"drive_size":        size,
				"media":             media,
			},
		},
	}
}

// ValidateConfig checks the tenant with the API's rules as far as the
// configuration's values are known.
func (r *tenantResource) ValidateConfig(ctx context.Context,
	req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m tenantModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateTenant(ctx, m)...)
}

// ModifyPlan refuses at plan time a change of an existing pool's shape or
// of the tenant's parity, with the API's words, as the API would at apply:
// a pool is reshaped by adding a new one and removing the old. Pools may
// be added and removed.
func (r *tenantResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan tenantModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	old, _ := specFromConfig(ctx, state)
	spec, unknown := specFromConfig(ctx, plan)
	old.Default()
	spec.Default()
	var v model.Violations
	model.ValidatePoolChanges(&v, &model.Tenant{Spec: old}, &spec)
	resp.Diagnostics.Append(configViolations("Invalid tenant", v, unknown.covers)...)
	resp.Diagnostics.Append(configViolations("Invalid tenant",
		parityChange(state.Parity, plan.Parity), nil)...)
}

// parityChange refuses a change of a known parity: objects keep the parity
// they were written with, so the API refuses it too.
func parityChange(state, plan types.Int64) model.Violations {
	var v model.Violations
	if state.IsNull() || state.IsUnknown() || plan.IsNull() || plan.IsUnknown() ||
		state.Equal(plan) {
		return v
	}
	v.Add("spec.parity", "cannot change from %d to %d: stored objects keep the parity "+
		"they were written with", state.ValueInt64(), plan.ValueInt64())
	return v
}

// validateTenant builds the spec that m declares, defaults and validates it,
// and maps each violation to its attribute. Violations that hang on a value
// not known yet are left for a later plan.
func validateTenant(ctx context.Context, m tenantModel) diag.Diagnostics {
	spec, unknown := specFromConfig(ctx, m)
	var diags diag.Diagnostics
	if !m.Parity.IsNull() && !m.Parity.IsUnknown() && m.Parity.ValueInt64() < 1 {
		// The API reads 0 as "not set" and fills in the default, which
		// Terraform would see as the provider changing a configured value.
		diags.AddAttributeError(path.Root("parity"), "Invalid tenant",
			fmt.Sprintf("parity = %d: set at least 1, or leave parity out for the default",
				m.Parity.ValueInt64()))
		return diags
	}
	spec.Default()
	spec.DefaultSettings()
	vs := append(spec.Validate(), spec.ValidateSettings()...)
	if !unknown.cross { // the tenant's parity is known
		vs = append(vs, spec.ValidateStorageClasses()...)
	}
	skip := unknown.covers
	if spec.Audit != nil && len(spec.Audit.Targets) == 0 {
		// audit.targets' own validator says so already, in the
		// configuration's words.
		skip = func(field string) bool {
			return field == "spec.audit.targets" || unknown.covers(field)
		}
	}
	return configViolations("Invalid tenant", vs, skip)
}

// unknownFields names the API fields whose values are not known yet.
type unknownFields struct {
	prefixes map[string]bool // a field and everything under it
	cross    bool            // a value that parity or set-size rules need
}

var poolFieldRE = regexp.MustCompile(`^spec\.pools\[[0-9]+\]$`)

// covers reports whether a violation of field may be due to an unknown value.
func (u unknownFields) covers(field string) bool {
	if u.cross && (field == "spec.parity" || poolFieldRE.MatchString(field)) {
		return true
	}
	for p := range u.prefixes {
		if field == p || len(field) > len(p) &&
			field[:len(p)] == p && (field[len(p)] == '.' || field[len(p)] == '[') {
			return true
		}
	}
	return false
}

func (u *unknownFields) add(field string) { u.prefixes[field] = true }

// specFromConfig builds the spec that m declares, with a valid stand-in for
// each value that is not known yet, and names those values.
func specFromConfig(ctx context.Context, m tenantModel) (model.TenantSpec, unknownFields) {
	u := unknownFields{prefixes: map[string]bool{}}
	spec := model.TenantSpec{
		Cluster: knownString(m.Cluster, "spec.cluster", &u, "stand-in"),
		Region:  knownString(m.Region, "spec.region", &u, ""),
	}
	if m.Parity.IsUnknown() {
		u.cross = true
	}
	spec.Parity = int(m.Parity.ValueInt64())
	settingsFromConfig(ctx, m, &spec, &u)
	if m.Pools.IsNull() || m.Pools.IsUnknown() {
		u.add("spec.pools")
		u.cross = true
		return spec, u
	}
	for i, elem := range m.Pools.Elements() {
		spec.Pools = append(spec.Pools, poolFromConfig(ctx, elem, i, &u))
	}
	return spec, u
}

// poolFromConfig builds pool i from its configuration.
func poolFromConfig(ctx context.Context, elem attr.Value, i int, u *unknownFields) model.Pool {
	field := fmt.Sprintf("spec.pools[%d]", i)
	obj, ok := elem.(types.Object)
	var pm poolModel
	if !ok || obj.IsUnknown() || obj.IsNull() ||
		obj.As(ctx, &pm, basetypes.ObjectAsOptions{}).HasError() {
		u.add(field)
		u.cross = true
		return model.Pool{Name: "stand-in", Servers: 1, DrivesPerServer: 2}
	}
	p := model.Pool{
		Name:            knownString(pm.Name, field+".name", u, "stand-in"),
		Servers:         knownInt(pm.Servers, field+".servers", u),
		DrivesPerServer: knownInt(pm.DrivesPerServer, field+".drivesPerServer", u),
		DriveSize:       knownString(pm.DriveSize, field+".driveSize", u, ""),
		Media:           knownString(pm.Media, field+".media", u, ""),
	}
	if pm.Servers.IsUnknown() || pm.Servers.IsNull() ||
		pm.DrivesPerServer.IsUnknown() || pm.DrivesPerServer.IsNull() {
		u.cross = true
	}
	return p
}

// knownString returns v's value; an unknown v is recorded under field and
// stands in as standIn.
func knownString(v types.String, field string, u *unknownFields, standIn string) string {
	if v.IsUnknown() {
		u.add(field)
		return standIn
	}
	return v.ValueString()
}

// knownInt returns v's value; an unknown or missing v is recorded under
// field (Terraform reports a missing required value itself) and stands in
// as 1.
func knownInt(v types.Int64, field string, u *unknownFields) int {
	if v.IsUnknown() || v.IsNull() {
		u.add(field)
		return 1
	}
	return int(v.ValueInt64())
}

// specFromPlan builds the spec to PUT from a known plan.
func specFromPlan(ctx context.Context, m tenantModel) (model.TenantSpec, diag.Diagnostics) {
	var pools []poolModel
	diags := m.Pools.ElementsAs(ctx, &pools, false)
	spec := model.TenantSpec{
		Cluster: m.Cluster.ValueString(),
		Region:  m.Region.ValueString(),
		Parity:  int(m.Parity.ValueInt64()),
	}
	for _, p := range pools {
		spec.Pools = append(spec.Pools, model.Pool{
			Name:            p.Name.ValueString(),
			Servers:         int(p.Servers.ValueInt64()),
			DrivesPerServer: int(p.DrivesPerServer.ValueInt64()),
			DriveSize:       p.DriveSize.ValueString(),
			Media:           p.Media.ValueString(),
		})
	}
	diags.Append(settingsFromPlan(ctx, m, &spec)...)
	return spec, diags
}

// fromAPI copies what the control plane returned into m.
func (m *tenantModel) fromAPI(ctx context.Context, t *model.Tenant) diag.Diagnostics {
	m.ID = types.StringValue(t.Metadata.Name)
	m.UID = types.StringValue(t.Metadata.UID)
	m.Name = types.StringValue(t.Metadata.Name)
	m.Cluster = types.StringValue(t.Spec.Cluster)
	m.Region = types.StringValue(t.Spec.Region)
	m.Parity = types.Int64Value(int64(t.Spec.Parity))
	m.Labels = labelsFromAPI(t.Metadata.Labels, m.Labels)
	m.Endpoint = types.StringValue(t.Status.Endpoint)
	m.CABundle = types.StringValue(t.Status.CABundle)
	if m.ForceDestroy.IsNull() { // imported: the default
		m.ForceDestroy = types.BoolValue(false)
	}
	m.AccessKeyID, m.SecretAccessKey = types.StringNull(), types.StringNull()
	if rc := t.Status.RootCredentials; rc != nil {
		m.AccessKeyID = types.StringValue(rc.AccessKeyID)
		m.SecretAccessKey = types.StringValue(rc.SecretAccessKey)
	}
	pools := make([]poolModel, len(t.Spec.Pools))
	for i, p := range t.Spec.Pools {
		pools[i] = poolModel{
			Name:            types.StringValue(p.Name),
			Servers:         types.Int64Value(int64(p.Servers)),
			DrivesPerServer: types.Int64Value(int64(p.DrivesPerServer)),
			DriveSize:       types.StringValue(p.DriveSize),
			Media:           types.StringValue(p.Media),
		}
	}
	var diags diag.Diagnostics
	m.Pools, diags = types.ListValueFrom(ctx, poolType, pools)
	diags.Append(m.settingsFromAPI(t)...)
	return diags
}

// lifecycle is strata_tenant's create, read, update and delete flow.
func (r *tenantResource) lifecycle() lifecycle[tenantModel, model.Tenant] {
	return lifecycle[tenantModel, model.Tenant]{
		kind:     model.KindTenant,
		typeName: "strata_tenant",
		ids:      func(m *tenantModel) (string, string) { return "", m.Name.ValueString() },
		timeouts: func(m *tenantModel) timeouts.Value { return m.Timeouts },
		get: func(ctx context.Context, _, name string) (*model.Tenant, error) {
			return r.client.GetTenant(ctx, name)
		},
		put: r.put,
		del: func(ctx context.Context, _, name string) error {
			return r.client.DeleteTenant(ctx, name, client.DeleteOptions{})
		},
		progress: func(t *model.Tenant) progress {
			return metaProgress(t.Metadata, t.Status.ObservedGeneration, t.Status.Conditions)
		},
		fromAPI: func(ctx context.Context, m *tenantModel, t *model.Tenant) diag.Diagnostics {
			return m.fromAPI(ctx, t)
		},
	}
}

// put sends the tenant's spec that m declares.
func (r *tenantResource) put(ctx context.Context, m *tenantModel, _ tfsdk.Config,
	diags *diag.Diagnostics) (*model.Tenant, error) {
	spec, d := specFromPlan(ctx, *m)
	labels, dl := labelsToAPI(ctx, m.Labels)
	diags.Append(append(d, dl...)...)
	if diags.HasError() {
		return nil, nil
	}
	return r.client.PutTenant(ctx, m.Name.ValueString(), spec, labels)
}

// Create puts the tenant and waits until its storage nodes are ready.
func (r *tenantResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the tenant; one that is gone leaves the state.
func (r *tenantResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the changed spec and labels and waits until the tenant is
// ready. A change the control plane cannot make fails with its message.
func (r *tenantResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the tenant and waits until it is gone. Unless
// force_destroy is set, the control plane refuses a tenant that still
// holds buckets, those made through S3 included, or whose nodes it cannot
// ask, with a message saying so.
func (r *tenantResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var force types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("force_destroy"), &force)...)
	if resp.Diagnostics.HasError() {
		return
	}
	l := r.lifecycle()
	l.del = func(ctx context.Context, _, name string) error {
		return r.client.DeleteTenant(ctx, name, client.DeleteOptions{Force: force.ValueBool()})
	}
	l.delete(ctx, req, resp)
}

// ImportState imports a tenant by its name.
func (r *tenantResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importName(ctx, req, resp, model.KindTenant, "acme")
}

// movableString replaces a computed string's UseStateForUnknown with
// keepUnless(moves): the value is kept from the state unless the plan makes
// a change that moves it.
func movableString(a schema.StringAttribute,
	moves func(context.Context, planmodifier.StringRequest) bool) schema.StringAttribute {
	a.PlanModifiers = []planmodifier.String{keepUnless{moves: moves}}
	return a
}

// keepUnless is UseStateForUnknown for a value that a change of another
// attribute moves: the tenant's endpoint when a pool is removed (it is a
// node of the first pool), its CA bundle when the TLS source changes.
type keepUnless struct {
	moves func(context.Context, planmodifier.StringRequest) bool
}

var _ planmodifier.String = keepUnless{}

// Description says what the modifier does.
func (k keepUnless) Description(context.Context) string {
	return "Keeps the value from the state unless the planned change moves it."
}

// MarkdownDescription says what the modifier does.
func (k keepUnless) MarkdownDescription(ctx context.Context) string {
	return k.Description(ctx)
}

// PlanModifyString keeps the state's value when nothing planned moves it.
func (k keepUnless) PlanModifyString(ctx context.Context, req planmodifier.StringRequest,
	resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.StateValue.IsNull() || !req.PlanValue.IsUnknown() ||
		k.moves(ctx, req) {
		return
	}
	resp.PlanValue = req.StateValue
}

// poolRemoved reports whether the plan drops a pool that the state holds,
// or may (its pools are not known yet).
func poolRemoved(ctx context.Context, req planmodifier.StringRequest) bool {
	var state, plan []poolModel
	d := req.State.GetAttribute(ctx, path.Root("pools"), &state)
	if d.HasError() {
		return true
	}
	var planned types.List
	if d := req.Plan.GetAttribute(ctx, path.Root("pools"), &planned); d.HasError() ||
		planned.IsUnknown() || planned.ElementsAs(ctx, &plan, false).HasError() {
		return true
	}
	kept := map[string]bool{}
	for _, p := range plan {
		if p.Name.IsUnknown() {
			return true
		}
		kept[p.Name.ValueString()] = true
	}
	for _, p := range state {
		if !kept[p.Name.ValueString()] {
			return true
		}
	}
	return false
}

// tlsChanged reports whether the plan changes the tenant's tls settings.
func tlsChanged(ctx context.Context, req planmodifier.StringRequest) bool {
	var state, plan types.Object
	if d := req.State.GetAttribute(ctx, path.Root("tls"), &state); d.HasError() {
		return true
	}
	if d := req.Plan.GetAttribute(ctx, path.Root("tls"), &plan); d.HasError() {
		return true
	}
	return !state.Equal(plan)
}
