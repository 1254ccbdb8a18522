package provider

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
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
	childIdentity
}

var _ resource.ResourceWithIdentity = (*bucketResource)(nil)

var (
	_ resource.ResourceWithConfigure   = (*bucketResource)(nil)
	_ resource.ResourceWithImportState = (*bucketResource)(nil)
)

// newBucketResource returns the strata_bucket resource.
func newBucketResource() resource.Resource { return &bucketResource{} }

// bucketModel is strata_bucket's data.
type bucketModel struct {
	ID           types.String         `tfsdk:"id"`
	UID          types.String         `tfsdk:"uid"`
	Tenant       types.String         `tfsdk:"tenant"`
	Name         types.String         `tfsdk:"name"`
	ForceDestroy types.Bool           `tfsdk:"force_destroy"`
	Labels       types.Map            `tfsdk:"labels"`
	Versioning   types.String         `tfsdk:"versioning"`
	Tags         types.Map            `tfsdk:"tags"`
	Policy       jsontypes.Normalized `tfsdk:"policy"`
	// Encryption is not built yet: a plan that sets it fails, so it is
	// always null.
	ObjectLock    types.Object   `tfsdk:"object_lock"`
	Encryption    types.Object   `tfsdk:"encryption"`
	Quota         types.Object   `tfsdk:"quota"`
	LifecycleRule types.List     `tfsdk:"lifecycle_rule"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
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
		"`acme/logs`. Import reads what the control plane knows: a bucket made only " +
		"through S3 is not known to it and cannot be imported; declaring it instead " +
		"makes the control plane adopt it, objects included (and a later destroy " +
		"deletes it).\n\n" +
		"The control plane owns the settings declared here (`versioning`, `tags`, " +
		"`policy`, `object_lock`, `quota`, `lifecycle_rule`): when someone changes one " +
		"through S3 (or, for the quota, storaged's admin endpoint), it puts the declared value " +
		"back within its resync period and reports it in the bucket's `DriftRepaired` " +
		"condition, so the next plan is empty. A setting left out is S3's to manage. " +
		"Terraform reads the settings the control plane last observed on the tenant, so " +
		"a plan shows a difference only while the tenant still differs, such as when " +
		"putting the value back failed."

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
		"delete marker in it. Without it, destroying a bucket that holds objects fails at " +
		"once: the control plane refuses and keeps the bucket (condition DeleteRefused). " +
		"Default `false`."

	attrs := map[string]schema.Attribute{
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
	}
	maps.Copy(attrs, bucketSettingAttributes())
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes:          attrs,
	}
}

// fromAPI copies what the control plane returned into m. The tenant comes
// from the request path, so it is kept when the spec leaves it empty. The
// settings are the observed ones when observed is true (on read), else the
// declared ones (after an apply).
func (m *bucketModel) fromAPI(b *model.Bucket, observed bool) {
	if b.Spec.Tenant != "" {
		m.Tenant = types.StringValue(b.Spec.Tenant)
	}
	m.Name = types.StringValue(b.Metadata.Name)
	m.ID = types.StringValue(childID(m.Tenant.ValueString(), b.Metadata.Name))
	m.UID = types.StringValue(b.Metadata.UID)
	m.ForceDestroy = types.BoolValue(b.Spec.ForceDestroy)
	m.Labels = labelsFromAPI(b.Metadata.Labels, m.Labels)
	m.settingsFromAPI(b, observed)
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
			m.fromAPI(b, false)
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
	diags.Append(m.settingsToAPI(ctx, &spec)...)
	if diags.HasError() {
		return nil, nil
	}
	return r.client.PutBucket(ctx, tenant, name, spec, labels)
}

// Create puts the bucket and waits until it is ready.
func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the bucket with the settings the control plane observed
// on the tenant; one that is gone, or whose tenant is gone, leaves the
// state.
func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	l := r.lifecycle()
	l.fromAPI = func(_ context.Context, m *bucketModel, b *model.Bucket) diag.Diagnostics {
		m.fromAPI(b, true)
		return nil
	}
	l.read(ctx, req, resp)
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
