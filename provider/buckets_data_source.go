package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// bucketsDataSource lists the buckets of a tenant.
type bucketsDataSource struct {
	dataSourceBase
}

var _ datasource.DataSourceWithConfigure = (*bucketsDataSource)(nil)

// newBucketsDataSource returns the strata_buckets data source.
func newBucketsDataSource() datasource.DataSource { return &bucketsDataSource{} }

// bucketsDataModel is the strata_buckets data source's data.
type bucketsDataModel struct {
	ID      types.String `tfsdk:"id"`
	Tenant  types.String `tfsdk:"tenant"`
	Buckets types.List   `tfsdk:"buckets"`
}

// Metadata names the data source strata_buckets.
func (d *bucketsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_buckets"
}

// Schema returns the strata_buckets data source's schema.
func (d *bucketsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	md := "Lists every bucket of a Strata tenant, ordered by name, whoever manages them."
	bucketsMD := "The tenant's buckets, ordered by name."
	resp.Schema = schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"tenant": dsRequired("The tenant whose buckets to list.", nameRule()),
			"id":     dsString("The tenant's name, as Terraform's ID.", false),
			"buckets": schema.ListNestedAttribute{
				Computed:            true,
				Description:         bucketsMD,
				MarkdownDescription: bucketsMD,
				NestedObject: schema.NestedAttributeObject{
					Attributes: bucketDataAttributes(false),
				},
			},
		},
	}
}

// Read lists the tenant's buckets; a missing tenant is an error.
func (d *bucketsDataSource) Read(ctx context.Context, req datasource.ReadRequest,
	resp *datasource.ReadResponse) {
	var cfg bucketsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant := cfg.Tenant.ValueString()
	buckets, err := d.client.ListBuckets(ctx, tenant)
	if err != nil {
		addAPIError(&resp.Diagnostics, "list the buckets of", target{model.KindTenant,
			tenant}, err)
		return
	}
	items := make([]bucketDataModel, len(buckets))
	for i := range buckets {
		items[i] = bucketData(&buckets[i])
	}
	list, diags := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: bucketDataType}, items)
	resp.Diagnostics.Append(diags...)
	out := bucketsDataModel{ID: types.StringValue(tenant), Tenant: cfg.Tenant, Buckets: list}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}
