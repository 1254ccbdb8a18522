package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// bucketDataSource reads one bucket of a tenant.
type bucketDataSource struct {
	dataSourceBase
}

var _ datasource.DataSourceWithConfigure = (*bucketDataSource)(nil)

// newBucketDataSource returns the strata_bucket data source.
func newBucketDataSource() datasource.DataSource { return &bucketDataSource{} }

// bucketDataModel is one bucket as the bucket data sources show it.
type bucketDataModel struct {
	ID           types.String `tfsdk:"id"`
	UID          types.String `tfsdk:"uid"`
	Tenant       types.String `tfsdk:"tenant"`
	Name         types.String `tfsdk:"name"`
	ForceDestroy types.Bool   `tfsdk:"force_destroy"`
	Labels       types.Map    `tfsdk:"labels"`
	Ready        types.Bool   `tfsdk:"ready"`
	Versioning   types.String `tfsdk:"versioning"`
	Tags         types.Map    `tfsdk:"tags"`
	Policy       types.String `tfsdk:"policy"`
}

// bucketDataType is the object type of one bucket in strata_buckets.
var bucketDataType = map[string]attr.Type{
	"id":            types.StringType,
	"uid":           types.StringType,
	"tenant":        types.StringType,
	"name":          types.StringType,
	"force_destroy": types.BoolType,
	"labels":        types.MapType{ElemType: types.StringType},
	"ready":         types.BoolType,
	"versioning":    types.StringType,
	"tags":          types.MapType{ElemType: types.StringType},
	"policy":        types.StringType,
}

// bucketData is the data source view of b, with the settings the control
// plane observed on the tenant.
func bucketData(b *model.Bucket) bucketDataModel {
	s := observedSettings(b, true)
	if b.Status.Versioning != "" {
		s.Versioning = b.Status.Versioning
	}
	return bucketDataModel{
		ID:           types.StringValue(childID(b.Spec.Tenant, b.Metadata.Name)),
		UID:          types.StringValue(b.Metadata.UID),
		Tenant:       types.StringValue(b.Spec.Tenant),
		Name:         types.StringValue(b.Metadata.Name),
		ForceDestroy: types.BoolValue(b.Spec.ForceDestroy),
		Labels:       labelsFromAPI(b.Metadata.Labels, types.MapValueMust(types.StringType, nil)),
		Ready:        types.BoolValue(b.Status.Conditions.IsTrue(model.ConditionReady)),
		Versioning:   optionalString(s.Versioning, types.StringNull()),
		Tags:         tagsValue(s.Tags),
		Policy:       optionalString(s.Policy, types.StringNull()),
	}
}

// bucketDataAttributes are the attributes of one bucket; the ones that
// name it are required when required is true.
func bucketDataAttributes(required bool) map[string]schema.Attribute {
	forceMD := "Whether destroying the bucket through Terraform removes its objects first."
	tagsMD := "The bucket's S3 tags as the tenant reports them; null when the bucket's " +
		"spec declares none."
	attrs := map[string]schema.Attribute{
		"id":  dsString("The bucket's `tenant/name`.", false),
		"uid": dsString("The control plane's unique ID of the bucket.", false),
		"force_destroy": schema.BoolAttribute{Computed: true, Description: forceMD,
			MarkdownDescription: forceMD},
		"labels": dsLabels(model.KindBucket),
		"ready":  dsReady(model.KindBucket),
		"versioning": dsString("The versioning state the tenant reports: `Enabled` or "+
			"`Suspended`; null when versioning was never set.", false),
		"tags": schema.MapAttribute{ElementType: types.StringType, Computed: true,
			Description: plain(tagsMD), MarkdownDescription: tagsMD},
		"policy": dsString("The bucket policy the tenant reports, as a JSON string; "+
			"null when the bucket's spec declares none.", false),
		"tenant": dsString("The tenant that owns the bucket.", false),
		"name":   dsString("The bucket's name.", false),
	}
	if required {
		attrs["tenant"] = dsRequired("The tenant that owns the bucket.", nameRule())
		attrs["name"] = dsRequired("The bucket's name.", bucketNameRule())
	}
	return attrs
}

// Metadata names the data source strata_bucket.
func (d *bucketDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket"
}

// Schema returns the strata_bucket data source's schema.
func (d *bucketDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	md := "Reads one bucket of a Strata tenant by its tenant and name."
	resp.Schema = schema.Schema{Description: plain(md), MarkdownDescription: md,
		Attributes: bucketDataAttributes(true)}
}

// Read reads the bucket; a missing one is an error.
func (d *bucketDataSource) Read(ctx context.Context, req datasource.ReadRequest,
	resp *datasource.ReadResponse) {
	var cfg bucketDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := cfg.Tenant.ValueString(), cfg.Name.ValueString()
	b, err := d.client.GetBucket(ctx, tenant, name)
	if err != nil {
		addAPIError(&resp.Diagnostics, "read", target{model.KindBucket,
			childID(tenant, name)}, err)
		return
	}
	out := bucketData(b)
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}
