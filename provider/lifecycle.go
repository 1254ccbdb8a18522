package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// lifecycle is the create, read, update and delete flow of a resource,
// top-level (strata_cluster, strata_tenant) or owned by a tenant
// (strata_bucket, strata_key, strata_tier): put the spec, wait until Ready
// is True for the current generation, and save what exists even when the
// wait fails; a read that finds the resource gone or being deleted removes
// it from state; a delete waits until it is gone. M is the resource's
// Terraform model and T its API type.
type lifecycle[M any, T any] struct {
	kind     string // model.KindCluster, model.KindKey, ...
	typeName string // strata_cluster, strata_key, ...
	// ids returns the tenant and name that m addresses; the tenant is
	// empty for a top-level resource.
	ids func(m *M) (tenant, name string)
	// timeouts returns m's timeouts block.
	timeouts func(m *M) timeouts.Value
	get      func(ctx context.Context, tenant, name string) (*T, error)
	// put sends the spec that m declares; config holds the write-only
	// values, which the plan never has. A problem building the spec goes
	// into diags; a failed call is the returned error.
	put func(ctx context.Context, m *M, config tfsdk.Config, diags *diag.Diagnostics) (*T,
		error)
	// del asks the control plane to delete the resource, with whatever
	// options the resource's delete takes.
	del      func(ctx context.Context, tenant, name string) error
	progress func(obj *T) progress
	// fromAPI copies what the control plane returned into m.
	fromAPI func(ctx context.Context, m *M, obj *T) diag.Diagnostics
}

// target names m's resource in diagnostics.
func (l lifecycle[M, T]) target(m *M) target {
	tenant, name := l.ids(m)
	if tenant == "" {
		return target{l.kind, name}
	}
	return target{l.kind, childID(tenant, name)}
}

// waiter polls the resource m addresses.
func (l lifecycle[M, T]) waiter(m *M) waiter[T] {
	tenant, name := l.ids(m)
	return waiter[T]{
		get:      func(ctx context.Context) (*T, error) { return l.get(ctx, tenant, name) },
		progress: l.progress,
		interval: pollInterval,
	}
}

// create checks that the name is free, puts the resource and waits.
func (l lifecycle[M, T]) create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := l.timeouts(&plan).Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	t := l.target(&plan)
	found, err := checkAbsent(ctx, l.waiter(&plan))
	switch {
	case err != nil:
		addWaitError(&resp.Diagnostics, "create", t, timeout, "timeouts.create", err)
		return
	case found:
		addExists(&resp.Diagnostics, t, l.typeName)
		return
	}
	// Create only: another configuration may create the same item between
	// the check above and the PUT, and must not end up owning it too.
	ctx = client.CreateOnly(ctx)
	resp.Diagnostics.Append(l.apply(ctx, &plan, req.Config, "create", timeout, &resp.State)...)
	tenant, name := l.ids(&plan)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, tenant, name)...)
}

// apply puts m, waits until it is ready and saves what exists, even when
// the wait fails.
func (l lifecycle[M, T]) apply(ctx context.Context, m *M, config tfsdk.Config, op string,
	timeout time.Duration, state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	t := l.target(m)
	put, err := l.put(ctx, m, config, &diags)
	if diags.HasError() {
		return diags
	}
	if client.IsAlreadyExists(err) {
		addExists(&diags, t, l.typeName)
		return diags
	}
	if err != nil {
		addAPIError(&diags, op, t, err)
		return diags
	}
	obj, err := l.waiter(m).ready(ctx)
	if obj == nil {
		obj = put // the wait saw nothing newer; save what the PUT returned
	}
	diags.Append(l.fromAPI(ctx, m, obj)...)
	diags.Append(state.Set(ctx, m)...)
	if err != nil {
		addWaitError(&diags, op, t, timeout, "timeouts."+op, err)
	}
	return diags
}

// read refreshes the resource; one that is gone, or whose tenant is gone,
// leaves the state.
func (l lifecycle[M, T]) read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tenant, name := l.ids(&state)
	// The framework wants the identity even of a resource that is gone.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, tenant, name)...)
	obj, err := l.get(ctx, tenant, name)
	if readGone(l.waiter(&state), obj, err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "read", l.target(&state), err)
		return
	}
	resp.Diagnostics.Append(l.fromAPI(ctx, &state, obj)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// update puts the changed resource and waits until it is ready.
func (l lifecycle[M, T]) update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := l.timeouts(&plan).Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp.State.Raw = req.State.Raw.Copy() // kept unless the PUT goes through
	resp.Diagnostics.Append(l.apply(ctx, &plan, req.Config, "update", timeout, &resp.State)...)
	tenant, name := l.ids(&plan)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, tenant, name)...)
}

// delete deletes the resource and waits until it is gone.
func (l lifecycle[M, T]) delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := l.timeouts(&state).Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tenant, name := l.ids(&state)
	err := l.del(ctx, tenant, name)
	if err == nil {
		err = l.waiter(&state).gone(ctx)
	}
	if err != nil && !client.IsNotFound(err) {
		addWaitError(&resp.Diagnostics, "delete", l.target(&state), timeout,
			"timeouts.delete", err)
	}
}

// importChild imports a resource that a tenant owns by "tenant/name", such
// as example, or by its identity; check validates the name.
func importChild(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse, example, what string,
	check func(v *model.Violations, field, name string)) {
	id, diags := importIDFromIdentity(ctx, req, true)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	tenant, name, err := parseChildID(id, example, what, check)
	if err != nil {
		addImportError(&resp.Diagnostics, err, "the "+what+"'s tenant/name, such as "+example)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant"), tenant)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"),
		childID(tenant, name))...)
}

// importName imports a top-level resource of kind by its name, such as
// example, or by its identity.
func importName(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse, kind, example string) {
	id, diags := importIDFromIdentity(ctx, req, false)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	name, err := parseNameID(kind, id)
	if err != nil {
		addImportError(&resp.Diagnostics, err, "the "+kind+"'s name, such as "+example)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
}
