package provider

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/strata-storage/strata/controlplane/model"
)

// The CLI here is Terraform 1.11, which predates resource identity, so
// these tests speak protocol 6 to the provider server directly, as
// Terraform 1.12 and later do.

// identityServer returns the provider's protocol 6 server.
func identityServer(t *testing.T) tfprotov6.ProviderServer {
	t.Helper()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestEveryResourceDeclaresItsIdentity(t *testing.T) {
	t.Parallel()
	resp, err := identityServer(t).GetResourceIdentitySchemas(context.Background(),
		&tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, resp.Diagnostics)
	}
	want := map[string][]string{
		"strata_cluster": {"name"}, "strata_tenant": {"name"},
		"strata_bucket": {"name", "tenant"}, "strata_key": {"name", "tenant"},
		"strata_tier": {"name", "tenant"}, "strata_access_key": {"name", "tenant"},
	}
	if got := slices.Sorted(maps.Keys(resp.IdentitySchemas)); !slices.Equal(got,
		slices.Sorted(maps.Keys(want))) {
		t.Fatalf("got identities for %v, want %v", got, slices.Sorted(maps.Keys(want)))
	}
	for typ, attrs := range want {
		var got []string
		for _, a := range resp.IdentitySchemas[typ].IdentityAttributes {
			got = append(got, a.Name)
			if !a.RequiredForImport {
				t.Errorf("%s.%s: got optional for import, want required", typ, a.Name)
			}
		}
		if slices.Sort(got); !slices.Equal(got, attrs) {
			t.Errorf("%s: got identity %v, want %v", typ, got, attrs)
		}
	}
}

// identityValue encodes an identity of the given attributes.
func identityValue(t *testing.T, attrs map[string]string) *tfprotov6.ResourceIdentityData {
	t.Helper()
	attrTypes := map[string]tftypes.Type{}
	vals := map[string]tftypes.Value{}
	for k, v := range attrs {
		attrTypes[k] = tftypes.String
		vals[k] = tftypes.NewValue(tftypes.String, v)
	}
	typ := tftypes.Object{AttributeTypes: attrTypes}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: &dv}
}

func TestImportByIdentityWorksLikeImportByID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := identityServer(t)
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, typ string
		identity  map[string]string
		wantID    string
		wantErr   string
	}{
		{"a bucket by tenant and name", "strata_bucket",
			map[string]string{"tenant": "acme", "name": "logs"}, "acme/logs", ""},
		{"an access key by tenant and name", "strata_access_key",
			map[string]string{"tenant": "acme", "name": "ci"}, "acme/ci", ""},
		{"a tenant by name", "strata_tenant", map[string]string{"name": "acme"}, "acme", ""},
		{"a bucket name S3 refuses is refused as in an ID", "strata_bucket",
			map[string]string{"tenant": "acme", "name": "Bad_Bucket"}, "", "bucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
				TypeName: tt.typ, Identity: identityValue(t, tt.identity)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" {
				if len(resp.Diagnostics) == 0 ||
					!strings.Contains(resp.Diagnostics[0].Detail, tt.wantErr) {
					t.Errorf("got %+v, want an error naming %q", resp.Diagnostics, tt.wantErr)
				}
				return
			}
			if len(resp.Diagnostics) > 0 || len(resp.ImportedResources) != 1 {
				t.Fatalf("got %+v and %d resources, want one resource",
					resp.Diagnostics, len(resp.ImportedResources))
			}
			typ := schemas.ResourceSchemas[tt.typ].ValueType()
			state, err := resp.ImportedResources[0].State.Unmarshal(typ)
			if err != nil {
				t.Fatal(err)
			}
			var attrs map[string]tftypes.Value
			if err := state.As(&attrs); err != nil {
				t.Fatal(err)
			}
			var id string
			if err := attrs["id"].As(&id); err != nil || id != tt.wantID {
				t.Errorf("id: got %q (%v), want %q", id, err, tt.wantID)
			}
		})
	}
}

func TestReadRecordsTheIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fakeAPI(t, http.StatusOK, model.Cluster{
		Metadata: model.Metadata{Name: "local", UID: "u1", Generation: 1},
		Spec:     model.ClusterSpec{Kind: "local"},
	})
	s := clusterSchema(ctx)
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, &clusterModel{
		ID: types.StringValue("local"), UID: types.StringValue("u1"),
		Name: types.StringValue("local"), Kind: types.StringValue("local"),
		Labels: types.MapNull(types.StringType), Timeouts: nullTimeouts(),
	}); diags.HasError() {
		t.Fatal(diags)
	}
	r := &clusterResource{resourceBase: resourceBase{client: c}}
	var schemaResp resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &schemaResp)
	ident := &tfsdk.ResourceIdentity{Schema: schemaResp.IdentitySchema,
		Raw: tftypes.NewValue(schemaResp.IdentitySchema.Type().TerraformType(ctx), nil)}
	resp := resource.ReadResponse{State: state, Identity: ident}
	r.Read(ctx, resource.ReadRequest{State: state, Identity: ident}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	var got nameIdentityModel
	diags := resp.Identity.Get(ctx, &got)
	if diags.HasError() || got.Name.ValueString() != "local" {
		t.Errorf("got identity %+v (%v), want name local", got, diags)
	}
}
