package provider

import (
	"context"

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

// lifecycle is strata_bucket's create, read, update and delete flow.
func (r *bucketResource) lifecycle() lifecycle[bucketModel, model.Bucket] {
	return lifecycle[bucketModel, model.Bucket]{
		kind:     model.KindBucket,
		typeName: "strata_bucket",
		ids: func(m *bucketModel) (string, string) {
			return m.Tenant.ValueString(), m.Name.ValueString()
		},
		timeouts: func(m *bucketModel) timeouts.Value { return m.Timeouts },
		get:      r.client.GetBucket,
		put:      r.put,
		del:      r.client.DeleteBucket,
		progress: func(b *model.Bucket) progress {
			return metaProgress(b.Metadata, b.Status.ObservedGeneration, b.Status.Conditions)
		},
		fromAPI: func(_ context.Context, m *bucketModel, b *model.Bucket) diag.Diagnostics {
			m.fromAPI(b)
			return nil
		},
	}
}

// put sends the bucket's spec that m declares.
func (r *bucketResource) put(ctx context.Context, m *bucketModel, _ tfsdk.Config,
	diags *diag.Diagnostics) (*model.Bucket, error) {
	labels, d := labelsToAPI(ctx, m.Labels)
	diags.Append(d...)
	if diags.HasError() {
		return nil, nil
	}
	tenant, name := m.Tenant.ValueString(), m.Name.ValueString()
	spec := model.BucketSpec{Tenant: tenant, ForceDestroy: m.ForceDestroy.ValueBool()}
	return r.client.PutBucket(ctx, tenant, name, spec, labels)
}

// Create puts the bucket and waits until it is ready.
func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the bucket; one that is gone, or whose tenant is gone,
// leaves the state.
func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the changed settings and waits until the bucket is ready.
func (r *bucketResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the bucket and waits until it is gone. The control plane
// removes the objects first when force_destroy is set; otherwise it waits,
// with a Degraded condition, until they are gone.
func (r *bucketResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.lifecycle().delete(ctx, req, resp)
}

// ImportState imports a bucket by "tenant/name".
func (r *bucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importChild(ctx, req, resp, "acme/logs", "bucket", model.ValidateBucketName)
}
