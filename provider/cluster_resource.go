package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// clusterResource manages a Cluster: where a tenant's storage nodes run.
type clusterResource struct {
	resourceBase
	nameIdentity
}

var _ resource.ResourceWithIdentity = (*clusterResource)(nil)

var (
	_ resource.ResourceWithConfigure   = (*clusterResource)(nil)
	_ resource.ResourceWithImportState = (*clusterResource)(nil)
)

// newClusterResource returns the strata_cluster resource.
func newClusterResource() resource.Resource { return &clusterResource{} }

// clusterModel is strata_cluster's data.
type clusterModel struct {
	ID       types.String   `tfsdk:"id"`
	UID      types.String   `tfsdk:"uid"`
	Name     types.String   `tfsdk:"name"`
	Kind     types.String   `tfsdk:"kind"`
	Labels   types.Map      `tfsdk:"labels"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// Metadata names the resource type strata_cluster.
func (r *clusterResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

// Schema returns strata_cluster's schema.
func (r *clusterResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = clusterSchema(ctx)
}

func clusterSchema(ctx context.Context) schema.Schema {
	md := "A Strata cluster: where the storage nodes of tenants run. A `local` cluster " +
		"runs them as processes on the control plane's machine; `kubernetes` and `eks` " +
		"will run them in Kubernetes, but this build runs tenants only on `local` " +
		"clusters (a tenant on another kind is refused with that message)."
	nameMD := "The cluster's name: " + nameRule().description + ". Changing it " +
		"replaces the cluster."
	kindMD := "Where storage nodes run: `local`, `kubernetes` or `eks`. The control " +
		"plane cannot change a cluster's kind, so changing it replaces the cluster."
	return schema.Schema{
		Description:         plain(md),
		MarkdownDescription: md,
		Attributes: map[string]schema.Attribute{
			"id":  idAttribute("The cluster's name, as Terraform's ID."),
			"uid": uidAttribute(model.KindCluster),
			"name": schema.StringAttribute{
				Required:            true,
				Description:         plain(nameMD),
				MarkdownDescription: nameMD,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameRule()},
			},
			"kind": schema.StringAttribute{
				Required:            true,
				Description:         plain(kindMD),
				MarkdownDescription: kindMD,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{clusterKindRule()},
			},
			"labels":   labelsAttribute(model.KindCluster),
			"timeouts": timeoutsAttribute(ctx, model.KindCluster),
		},
	}
}

// fromAPI copies what the control plane returned into m.
func (m *clusterModel) fromAPI(c *model.Cluster) {
	m.ID = types.StringValue(c.Metadata.Name)
	m.UID = types.StringValue(c.Metadata.UID)
	m.Name = types.StringValue(c.Metadata.Name)
	m.Kind = types.StringValue(c.Spec.Kind)
	m.Labels = labelsFromAPI(c.Metadata.Labels, m.Labels)
}

// lifecycle is strata_cluster's create, read, update and delete flow.
func (r *clusterResource) lifecycle() lifecycle[clusterModel, model.Cluster] {
	return lifecycle[clusterModel, model.Cluster]{
		kind:     model.KindCluster,
		typeName: "strata_cluster",
		ids:      func(m *clusterModel) (string, string) { return "", m.Name.ValueString() },
		timeouts: func(m *clusterModel) timeouts.Value { return m.Timeouts },
		get: func(ctx context.Context, _, name string) (*model.Cluster, error) {
			return r.client.GetCluster(ctx, name)
		},
		put: r.put,
		del: func(ctx context.Context, _, name string) error {
			return r.client.DeleteCluster(ctx, name)
		},
		progress: func(c *model.Cluster) progress {
			return metaProgress(c.Metadata, c.Status.ObservedGeneration, c.Status.Conditions)
		},
		fromAPI: func(_ context.Context, m *clusterModel, c *model.Cluster) diag.Diagnostics {
			m.fromAPI(c)
			return nil
		},
	}
}

// put sends the cluster's spec that m declares.
func (r *clusterResource) put(ctx context.Context, m *clusterModel, _ tfsdk.Config,
	diags *diag.Diagnostics) (*model.Cluster, error) {
	labels, d := labelsToAPI(ctx, m.Labels)
	diags.Append(d...)
	if diags.HasError() {
		return nil, nil
	}
	spec := model.ClusterSpec{Kind: m.Kind.ValueString()}
	return r.client.PutCluster(ctx, m.Name.ValueString(), spec, labels)
}

// Create puts the cluster and waits until it is ready.
func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.lifecycle().create(ctx, req, resp)
}

// Read refreshes the cluster; one that is gone leaves the state.
func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.lifecycle().read(ctx, req, resp)
}

// Update puts the new labels and waits until the cluster is ready.
func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.lifecycle().update(ctx, req, resp)
}

// Delete deletes the cluster and waits until it is gone.
func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.lifecycle().delete(ctx, req, resp)
}

// ImportState imports a cluster by its name.
func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	importName(ctx, req, resp, model.KindCluster, "local")
}
