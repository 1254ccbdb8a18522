package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// tenantDataSource reads a tenant that may be managed elsewhere.
type tenantDataSource struct {
	dataSourceBase
}

var _ datasource.DataSourceWithConfigure = (*tenantDataSource)(nil)

// newTenantDataSource returns the strata_tenant data source.
func newTenantDataSource() datasource.DataSource { return &tenantDataSource{} }

// tenantDataModel is the strata_tenant data source's data.
type tenantDataModel struct {
	ID              types.String `tfsdk:"id"`
	UID             types.String `tfsdk:"uid"`
	Name            types.String `tfsdk:"name"`
	Cluster         types.String `tfsdk:"cluster"`
	Region          types.String `tfsdk:"region"`
	Parity          types.Int64  `tfsdk:"parity"`
	Pools           types.List   `tfsdk:"pools"`
	Labels          types.Map    `tfsdk:"labels"`
	Endpoint        types.String `tfsdk:"endpoint"`
	CABundle        types.String `tfsdk:"ca_bundle"`
	AccessKeyID     types.String `tfsdk:"access_key_id"`
	SecretAccessKey types.String `tfsdk:"secret_access_key"`
	Ready           types.Bool   `tfsdk:"ready"`
}

// Metadata names the data source strata_tenant.
func (d *tenantDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

// Schema returns the strata_tenant data source's schema.
func (d *tenantDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	resp.Schema = tenantDataSchema()
}

func tenantDataSchema() schema.Schema {
	md := "Reads a Strata tenant by name, such as one that another configuration manages: " +
		"its S3 endpoint, CA bundle and root credentials, for configuring clients."
	poolsMD := "The tenant's pools of identical servers."
	pool := map[string]schema.Attribute{
		"name":              dsString("The pool's name.", false),
		"servers":           dsInt64("The number of storage nodes in the pool."),
		"drives_per_server": dsInt64("The number of drives on each node."),
		"drive_size":        dsString("The size of each drive, such as `10Gi`.", false),
		"media":             dsString("The drives' media: `nvme`, `ssd` or `hdd`.", false),
	}
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"name":    dsRequired("The tenant's name.", nameRule()),
			"id":      dsString("The tenant's name, as Terraform's ID.", false),
			"uid":     dsString("The control plane's unique ID of the tenant.", false),
			"cluster": dsString("The cluster the tenant's storage nodes run on.", false),
			"region":  dsString("The S3 region the tenant answers for.", false),
			"parity":  dsInt64("The number of parity shards in each erasure set."),
			"pools": schema.ListNestedAttribute{Computed: true, Description: poolsMD,
				MarkdownDescription: poolsMD,
				NestedObject:        schema.NestedAttributeObject{Attributes: pool}},
			"labels":   dsLabels(model.KindTenant),
			"endpoint": dsString("The tenant's S3 endpoint URL.", false),
			"ca_bundle": dsString("The PEM of the CA that signed the S3 endpoint's "+
				"certificate.", false),
			"access_key_id": dsString("The access key ID of the tenant's root credentials.",
				false),
			"secret_access_key": dsString("The secret access key of the tenant's root "+
				"credentials.", true),
			"ready": dsReady(model.KindTenant),
		},
	}
}

// dsInt64 is a data source's computed int64.
func dsInt64(md string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, Description: plain(md),
		MarkdownDescription: md}
}

// Read reads the tenant; a missing one is an error.
func (d *tenantDataSource) Read(ctx context.Context, req datasource.ReadRequest,
	resp *datasource.ReadResponse) {
	var cfg tenantDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := d.client.GetTenant(ctx, cfg.Name.ValueString())
	if err != nil {
		addAPIError(&resp.Diagnostics, "read", target{model.KindTenant,
			cfg.Name.ValueString()}, err)
		return
	}
	m := tenantModel{Labels: types.MapNull(types.StringType)}
	resp.Diagnostics.Append(m.fromAPI(ctx, t)...)
	out := tenantDataModel{ID: m.ID, UID: m.UID, Name: m.Name, Cluster: m.Cluster,
		Region: m.Region, Parity: m.Parity, Pools: m.Pools, Labels: m.Labels,
		Endpoint: m.Endpoint, CABundle: m.CABundle, AccessKeyID: m.AccessKeyID,
		SecretAccessKey: m.SecretAccessKey,
		Ready:           types.BoolValue(t.Status.Conditions.IsTrue(model.ConditionReady))}
	resp.Diagnostics.Append(resp.State.Set(ctx, &out)...)
}
