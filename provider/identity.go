package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity, for Terraform 1.12 and later: a resource is
// identified by its name and, when a tenant owns it, its tenant, the same
// two values its import ID joins. Every create, read and update records
// it, and an import block may give it instead of an ID:
//
//	import {
//	  to       = strata_bucket.logs
//	  identity = { tenant = "acme", name = "logs" }
//	}

// childIdentity gives a tenant's resources (buckets, keys, tiers, access
// keys) their identity schema: tenant and name.
type childIdentity struct{}

// IdentitySchema implements resource.ResourceWithIdentity.
func (childIdentity) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"tenant": identityschema.StringAttribute{RequiredForImport: true,
				Description: "The name of the tenant that owns the resource."},
			"name": identityschema.StringAttribute{RequiredForImport: true,
				Description: "The resource's name within its tenant."},
		},
	}
}

// nameIdentity gives top-level resources (clusters, tenants) their
// identity schema: the name.
type nameIdentity struct{}

// IdentitySchema implements resource.ResourceWithIdentity.
func (nameIdentity) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest,
	resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"name": identityschema.StringAttribute{RequiredForImport: true,
				Description: "The resource's name."},
		},
	}
}

// childIdentityModel and nameIdentityModel are the identities' data.
type childIdentityModel struct {
	Tenant types.String `tfsdk:"tenant"`
	Name   types.String `tfsdk:"name"`
}

type nameIdentityModel struct {
	Name types.String `tfsdk:"name"`
}

// setIdentity records the identity of the resource that tenant (empty for
// a top-level resource) and name address. A nil ident means Terraform
// does not support identities, and nothing is recorded.
func setIdentity(ctx context.Context, ident *tfsdk.ResourceIdentity,
	tenant, name string) diag.Diagnostics {
	if ident == nil {
		return nil
	}
	if tenant == "" {
		return ident.Set(ctx, nameIdentityModel{Name: types.StringValue(name)})
	}
	return ident.Set(ctx, childIdentityModel{Tenant: types.StringValue(tenant),
		Name: types.StringValue(name)})
}

// importIDFromIdentity returns the import ID that an import by identity
// stands for, so that both ways are checked alike; it returns req.ID when
// the import gave one.
func importIDFromIdentity(ctx context.Context, req resource.ImportStateRequest,
	child bool) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	if !child {
		var m nameIdentityModel
		diags := req.Identity.Get(ctx, &m)
		return m.Name.ValueString(), diags
	}
	var m childIdentityModel
	diags := req.Identity.Get(ctx, &m)
	return childID(m.Tenant.ValueString(), m.Name.ValueString()), diags
}
