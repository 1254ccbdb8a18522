package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

// nullTimeouts is a timeouts value that the configuration left out.
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType, "update": types.StringType, "delete": types.StringType,
	})}
}

// fakeAPI is an in-process stand-in for the control plane that answers
// every request with one status and JSON body.
func fakeAPI(t *testing.T, status int, body any) *client.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{Endpoint: srv.URL, Token: "test-token"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func errorBody(code int, status, msg string) model.ErrorBody {
	return model.ErrorBody{Error: model.ErrorDetail{Code: code, Status: status, Message: msg}}
}

// readCluster runs the cluster resource's Read on a state for "local".
func readCluster(t *testing.T, c *client.Client) resource.ReadResponse {
	t.Helper()
	ctx := context.Background()
	s := clusterSchema(ctx)
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	diags := state.Set(ctx, &clusterModel{
		ID: types.StringValue("local"), UID: types.StringValue("u1"),
		Name: types.StringValue("local"), Kind: types.StringValue("local"),
		Labels: types.MapNull(types.StringType), Timeouts: nullTimeouts(),
	})
	if diags.HasError() {
		t.Fatalf("building state: %v", diags)
	}
	r := &clusterResource{resourceBase: resourceBase{client: c}}
	resp := resource.ReadResponse{State: state}
	r.Read(ctx, resource.ReadRequest{State: state}, &resp)
	return resp
}

func TestClusterRead(t *testing.T) {
	t.Parallel()
	now := time.Now()
	found := model.Cluster{
		Metadata: model.Metadata{Name: "local", UID: "u2", Generation: 1,
			Labels: map[string]string{"team": "storage"}},
		Spec: model.ClusterSpec{Kind: "local"},
	}
	deleting := found
	deleting.Metadata.DeleteTime = &now

	tests := []struct {
		name        string
		status      int
		body        any
		wantRemoved bool
		wantErr     string
	}{
		{"a wrong token is an error and keeps the cluster", http.StatusUnauthorized,
			errorBody(401, model.ErrUnauthenticated, "the bearer token is not valid"),
			false, "authentication failed"},
		{"a forbidden read is an error and keeps the cluster", http.StatusForbidden,
			errorBody(403, model.ErrPermissionDenied, "not allowed"),
			false, "permission denied"},
		{"a server failure is an error and keeps the cluster", http.StatusInternalServerError,
			errorBody(500, model.ErrInternal, "the control plane failed"),
			false, "the control plane failed"},
		{"a missing cluster leaves the state", http.StatusNotFound,
			errorBody(404, model.ErrNotFound, `cluster "local" not found`), true, ""},
		{"a cluster being deleted leaves the state", http.StatusOK, deleting, true, ""},
		{"a found cluster is refreshed", http.StatusOK, found, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := readCluster(t, fakeAPI(t, tt.status, tt.body))

			if removed := resp.State.Raw.IsNull(); removed != tt.wantRemoved {
				t.Errorf("got removed %v, want %v", removed, tt.wantRemoved)
			}
			got := ""
			for _, d := range resp.Diagnostics {
				got += d.Summary() + ": " + d.Detail() + "\n"
			}
			if (tt.wantErr == "") != !resp.Diagnostics.HasError() ||
				!strings.Contains(got, tt.wantErr) {
				t.Errorf("got diagnostics %q, want an error containing %q", got, tt.wantErr)
			}
		})
	}
}

func TestClusterReadCopiesTheServersView(t *testing.T) {
	t.Parallel()
	resp := readCluster(t, fakeAPI(t, http.StatusOK, model.Cluster{
		Metadata: model.Metadata{Name: "local", UID: "u2", Generation: 3,
			Labels: map[string]string{"team": "storage"}},
		Spec: model.ClusterSpec{Kind: "local"},
	}))
	var got clusterModel
	if diags := resp.State.Get(context.Background(), &got); diags.HasError() {
		t.Fatal(diags)
	}
	labels := got.Labels.Elements()
	if got.UID.ValueString() != "u2" || len(labels) != 1 ||
		labels["team"].(types.String).ValueString() != "storage" {
		t.Errorf("got uid %s and labels %v, want u2 and team=storage", got.UID, labels)
	}
}

func TestAccCluster(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	withLabels := func(labels string) string {
		return providerBlock(cp, cp.Token) + `
resource "strata_cluster" "local" {
  name   = "local"
  kind   = "local"
  labels = ` + labels + `
}
`
	}
	addr := "strata_cluster.local"
	var uid string

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: withLabels(`{ team = "storage" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"),
						knownvalue.StringExact("local")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("kind"),
						knownvalue.StringExact("local")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("uid"),
						knownvalue.StringRegexp(nonEmpty())),
				},
				Check: acc.TestCheckResourceAttrWith(addr, "uid", save(&uid)),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "local",
				ImportStateVerify: true},
			{
				Config: withLabels(`{ team = "platform", tier = "gold" }`),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"team": knownvalue.StringExact("platform"),
							"tier": knownvalue.StringExact("gold"),
						})),
				},
				Check: acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
			{
				Config: withLabels("null"),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"),
						knownvalue.Null()),
				},
			},
		},
	})
}

func TestClusterCreateRefusesAnExistingCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fakeAPI(t, http.StatusOK, model.Cluster{
		Metadata: model.Metadata{Name: "local", UID: "u1", Generation: 1},
		Spec:     model.ClusterSpec{Kind: "local"},
	})
	s := clusterSchema(ctx)
	plan := tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	diags := plan.Set(ctx, &clusterModel{
		ID: types.StringUnknown(), UID: types.StringUnknown(),
		Name: types.StringValue("local"), Kind: types.StringValue("local"),
		Labels: types.MapNull(types.StringType), Timeouts: nullTimeouts(),
	})
	if diags.HasError() {
		t.Fatalf("building plan: %v", diags)
	}
	r := &clusterResource{resourceBase: resourceBase{client: c}}
	resp := resource.CreateResponse{State: tfsdk.State{Schema: s,
		Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}}
	r.Create(ctx, resource.CreateRequest{Plan: plan}, &resp)

	d := only(t, resp.Diagnostics)
	if !strings.Contains(d.Summary(), "already exists") ||
		!strings.Contains(d.Detail(), "terraform import strata_cluster.<label> local") {
		t.Errorf("got %q: %q, want an already-exists error that says how to import",
			d.Summary(), d.Detail())
	}
	if !resp.State.Raw.IsNull() {
		t.Errorf("got state %v, want none", resp.State.Raw)
	}
}
