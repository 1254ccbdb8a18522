package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// clusterResource manages a Cluster: where a tenant's storage nodes run.
type clusterResource struct {
	resourceBase
}

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
		"run them in Kubernetes."
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

// waiter polls the named cluster.
func (r *clusterResource) waiter(name string) waiter[model.Cluster] {
	return waiter[model.Cluster]{
		get: func(ctx context.Context) (*model.Cluster, error) {
			return r.client.GetCluster(ctx, name)
		},
		progress: func(c *model.Cluster) progress {
			return metaProgress(c.Metadata, c.Status.ObservedGeneration, c.Status.Conditions)
		},
		interval: pollInterval,
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

// Create puts the cluster and waits until it is ready.
func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	var plan clusterModel
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

	t := target{model.KindCluster, plan.Name.ValueString()}
	found, err := checkAbsent(ctx, r.waiter(t.name))
	switch {
	case err != nil:
		addWaitError(&resp.Diagnostics, "create", t, timeout, "timeouts.create", err)
		return
	case found:
		addExists(&resp.Diagnostics, t, "strata_cluster")
		return
	}
	resp.Diagnostics.Append(r.put(ctx, &plan, "create", timeout, &resp.State)...)
}

// put sends the cluster's spec, waits until it is ready and saves what
// exists, even when the wait fails.
func (r *clusterResource) put(ctx context.Context, m *clusterModel, op string,
	timeout time.Duration, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	labels, d := labelsToAPI(ctx, m.Labels)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	t := target{model.KindCluster, m.Name.ValueString()}
	spec := model.ClusterSpec{Kind: m.Kind.ValueString()}
	put, err := r.client.PutCluster(ctx, t.name, spec, labels)
	if err != nil {
		addAPIError(&diags, op, t, err)
		return diags
	}
	c, err := r.waiter(t.name).ready(ctx)
	if c == nil {
		c = put // the wait saw nothing newer; save what the PUT returned
	}
	m.fromAPI(c)
	diags.Append(state.Set(ctx, m)...)
	if err != nil {
		addWaitError(&diags, op, t, timeout, "timeouts."+op, err)
	}
	return diags
}

// Read refreshes the cluster; one that is gone leaves the state.
func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t := target{model.KindCluster, state.Name.ValueString()}
	c, err := r.client.GetCluster(ctx, t.name)
	if readGone(r.waiter(t.name), c, err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read", t, err)
		return
	}
	state.fromAPI(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update puts the new labels and waits until the cluster is ready.
func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	var plan clusterModel
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

// Delete deletes the cluster and waits until it is gone.
func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var state clusterModel
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

	t := target{model.KindCluster, state.Name.ValueString()}
	err := r.client.DeleteCluster(ctx, t.name)
	if err == nil {
		err = r.waiter(t.name).gone(ctx)
	}
	if err != nil && !client.IsNotFound(err) {
		addWaitError(&resp.Diagnostics, "delete", t, timeout, "timeouts.delete", err)
	}
}

// ImportState imports a cluster by its name.
func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	name, err := parseNameID(model.KindCluster, req.ID)
	if err != nil {
		addImportError(&resp.Diagnostics, err, "the cluster's name, such as local")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
}
