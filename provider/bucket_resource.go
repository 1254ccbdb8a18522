package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// bucketResource manages a Bucket: an S3 bucket of a tenant.
type bucketResource struct {
	resourceBase
}

var (
	_ resource.ResourceWithConfigure   = (*bucketResource)(nil)
	_ resource.ResourceWithImportState = (*bucketResource)(nil)
)

// newBucketResource returns the strata_bucket resource.
func newBucketResource() resource.Resource { return &bucketResource{} }

// bucketModel is strata_bucket's data.
type bucketModel struct {
	ID           types.String   `tfsdk:"id"`
	UID          types.String   `tfsdk:"uid"`
	Tenant       types.String   `tfsdk:"tenant"`
	Name         types.String   `tfsdk:"name"`
	ForceDestroy types.Bool     `tfsdk:"force_destroy"`
	Labels       types.Map      `tfsdk:"labels"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// Metadata names the resource type strata_bucket.
func (r *bucketResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket"
}

// Schema returns strata_bucket's schema.
func (r *bucketResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = bucketSchema(ctx)
}

func bucketSchema(ctx context.Context) schema.Schema {
	md := "An S3 bucket of a Strata tenant. Import it by `tenant/name`, such as " +
		"`acme/logs`."

	tenant := docString("The name of the tenant that owns the bucket. Changing it " +
		"replaces the bucket.")
	tenant.Required = true
	tenant.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	tenant.Validators = []validator.String{bucketTenantRule()}

	name := docString("The bucket's name: " + bucketNameRule().description + ". " +
		"Changing it replaces the bucket.")
	name.Required = true
	name.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	name.Validators = []validator.String{bucketNameRule()}

	forceMD := "Whether destroying the bucket first removes every object, version and " +
		"delete marker in it. Without it, destroying a bucket that holds objects waits " +
		"until they are gone, and fails after `timeouts.delete`. Default `false`."

	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"id":     idAttribute("The bucket's `tenant/name`, as Terraform's ID."),
			"uid":    uidAttribute(model.KindBucket),
			"tenant": tenant,
			"name":   name,
			"force_destroy": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				Description:         plain(forceMD),
				MarkdownDescription: forceMD,
			},
			"labels":   labelsAttribute(model.KindBucket),
			"timeouts": timeoutsAttribute(ctx, model.KindBucket),
		},
	}
}

// waiter polls the named bucket of a tenant.
func (r *bucketResource) waiter(tenant, name string) waiter[model.Bucket] {
	return waiter[model.Bucket]{
		get: func(ctx context.Context) (*model.Bucket, error) {
			return r.client.GetBucket(ctx, tenant, name)
		},
		progress: func(b *model.Bucket) progress {
			return metaProgress(b.Metadata, b.Status.ObservedGeneration, b.Status.Conditions)
		},
		interval: pollInterval,
	}
}

// fromAPI copies what the control plane returned into m. The tenant comes
// from the request path, so it is kept when the spec leaves it empty.
func (m *bucketModel) fromAPI(b *model.Bucket) {
	if b.Spec.Tenant != "" {
		m.Tenant = types.StringValue(b.Spec.Tenant)
	}
	m.Name = types.StringValue(b.Metadata.Name)
	m.ID = types.StringValue(childID(m.Tenant.ValueString(), b.Metadata.Name))
	m.UID = types.StringValue(b.Metadata.UID)
	m.ForceDestroy = types.BoolValue(b.Spec.ForceDestroy)
	m.Labels = labelsFromAPI(b.Metadata.Labels, m.Labels)
}

// bucketTarget names m's bucket in diagnostics.
func bucketTarget(m bucketModel) target {
	return target{model.KindBucket, childID(m.Tenant.ValueString(), m.Name.ValueString())}
}

// Create puts the bucket and waits until it is ready.
func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	var plan bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	t := bucketTarget(plan)
	found, err := checkAbsent(ctx, r.waiter(plan.Tenant.ValueString(), plan.Name.ValueString()))
	switch {
	case err != nil:
		addWaitError(&resp.Diagnostics, "create", t, timeout, "timeouts.create", err)
		return
	case found:
		addExists(&resp.Diagnostics, t, "strata_bucket")
		return
	}
	resp.Diagnostics.Append(r.put(ctx, &plan, "create", timeout, &resp.State)...)
}

// put sends the bucket's spec, waits until it is ready and saves what
// exists, even when the wait fails.
func (r *bucketResource) put(ctx context.Context, m *bucketModel, op string,
	timeout time.Duration, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	labels, d := labelsToAPI(ctx, m.Labels)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	t := bucketTarget(*m)
	tenant, name := m.Tenant.ValueString(), m.Name.ValueString()
	spec := model.BucketSpec{Tenant: tenant, ForceDestroy: m.ForceDestroy.ValueBool()}
	put, err := r.client.PutBucket(ctx, tenant, name, spec, labels)
	if err != nil {
		addAPIError(&diags, op, t, err)
		return diags
	}
	b, err := r.waiter(tenant, name).ready(ctx)
	if b == nil {
		b = put // the wait saw nothing newer; save what the PUT returned
	}
	m.fromAPI(b)
	diags.Append(state.Set(ctx, m)...)
	if err != nil {
		addWaitError(&diags, op, t, timeout, "timeouts."+op, err)
	}
	return diags
}

// Read refreshes the bucket; one that is gone, or whose tenant is gone,
// leaves the state.
func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := state.Tenant.ValueString(), state.Name.ValueString()
	b, err := r.client.GetBucket(ctx, tenant, name)
	if readGone(r.waiter(tenant, name), b, err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read", bucketTarget(state), err)
		return
	}
	state.fromAPI(b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update puts the changed settings and waits until the bucket is ready.
func (r *bucketResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	var plan bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp.State.Raw = req.State.Raw.Copy() // kept unless the PUT goes through
	resp.Diagnostics.Append(r.put(ctx, &plan, "update", timeout, &resp.State)...)
}

// Delete deletes the bucket and waits until it is gone. The control plane
// removes the objects first when force_destroy is set; otherwise it waits,
// with a Degraded condition, until they are gone.
func (r *bucketResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tenant, name := state.Tenant.ValueString(), state.Name.ValueString()
	err := r.client.DeleteBucket(ctx, tenant, name)
	if err == nil {
		err = r.waiter(tenant, name).gone(ctx)
	}
	if err != nil && !client.IsNotFound(err) {
		addWaitError(&resp.Diagnostics, "delete", bucketTarget(state), timeout,
			"timeouts.delete", err)
	}
}

// ImportState imports a bucket by "tenant/name".
func (r *bucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importChild(ctx, req, resp, "acme/logs", "bucket", model.ValidateBucketName)
}
