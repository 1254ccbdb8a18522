package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
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
	"github.com/strata-storage/strata/internal/testcp"
)

// bucketHCL is tenant "acme" with bucket "logs"; extra goes inside the
// bucket's block.
func bucketHCL(cp *testcp.ControlPlane, extra string) string {
	return tenantHCL(cp, "", "") + `
resource "strata_bucket" "logs" {
  tenant = strata_tenant.acme.name
  name   = "logs"
  ` + extra + `
}
`
}

// waitNotFound polls get until it answers 404, failing t after a minute.
func waitNotFound(t *testing.T, what string, get func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		err := get(ctx)
		if client.IsNotFound(err) {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s still exists after a minute (last error: %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// changed checks that an attribute no longer holds the value saved in old,
// and saves the new one.
func changed(old *string) func(string) error {
	return func(got string) error {
		if got == *old {
			return fmt.Errorf("got %q, want a new value", got)
		}
		*old = got
		return nil
	}
}

// TestAccBucket creates, imports and updates a bucket, then deletes it and
// its tenant behind Terraform's back (case P1) and checks that the plan
// re-creates them. It imports by tenant/name with terraform import and with
// an import block (case P7).
func TestAccBucket(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	bucket, tenant := "strata_bucket.logs", "strata_tenant.acme"
	labelled := bucketHCL(cp, `labels = { app = "web" }`)
	updated := bucketHCL(cp, `labels = { app = "api" }
  force_destroy = true`)
	var uid string

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: labelled,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("id"),
						knownvalue.StringExact("acme/logs")),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("force_destroy"),
						knownvalue.Bool(false)),
				},
				Check: acc.TestCheckResourceAttrWith(bucket, "uid", save(&uid)),
			},
			{ResourceName: bucket, ImportState: true, ImportStateId: "acme/logs",
				ImportStateVerify: true},
			{ResourceName: bucket, ImportState: true, ImportStateId: "acme/logs",
				ImportStateKind: acc.ImportBlockWithID},
			{
				Config: updated,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucket, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("force_destroy"),
						knownvalue.Bool(true)),
				},
				Check: acc.TestCheckResourceAttrWith(bucket, "uid", sameAs(&uid)),
			},
			{
				PreConfig: func() {
					if err := api.DeleteBucket(context.Background(), "acme", "logs"); err != nil {
						t.Fatalf("deleting the bucket: %v", err)
					}
					waitNotFound(t, "bucket acme/logs", func(ctx context.Context) error {
						_, err := api.GetBucket(ctx, "acme", "logs")
						return err
					})
				},
				Config: updated,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucket, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(tenant, plancheck.ResourceActionNoop),
				}},
				Check: acc.TestCheckResourceAttrWith(bucket, "uid", changed(&uid)),
			},
			{
				PreConfig: func() {
					err := api.DeleteTenant(context.Background(), "acme",
						client.DeleteOptions{Force: true})
					if err != nil {
						t.Fatalf("deleting the tenant: %v", err)
					}
					waitNotFound(t, "tenant acme", func(ctx context.Context) error {
						_, err := api.GetTenant(ctx, "acme")
						return err
					})
				},
				Config: updated,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tenant, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(bucket, plancheck.ResourceActionCreate),
				}},
				Check: acc.TestCheckResourceAttrWith(bucket, "uid", changed(&uid)),
			},
		},
	})
}

func TestBucketImportStateRefusesOtherShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := bucketSchema(ctx)
	for _, id := range []string{"logs", "acme/logs/extra", "/logs", "acme/Logs"} {
		t.Run("import ID "+id+" is refused", func(t *testing.T) {
			t.Parallel()
			resp := resource.ImportStateResponse{State: tfsdk.State{Schema: s,
				Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}}
			(&bucketResource{}).ImportState(ctx, resource.ImportStateRequest{ID: id}, &resp)
			d := only(t, resp.Diagnostics)
			if d.Summary() != "Invalid import ID" || !strings.Contains(d.Detail(), "acme/logs") {
				t.Errorf("got %q: %q, want an invalid-ID error showing tenant/name",
					d.Summary(), d.Detail())
			}
		})
	}
}

func TestBucketImportStateSetsTenantAndName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := bucketSchema(ctx)
	resp := resource.ImportStateResponse{State: tfsdk.State{Schema: s,
		Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}}
	(&bucketResource{}).ImportState(ctx, resource.ImportStateRequest{ID: "acme/logs"}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("got %v, want no error", resp.Diagnostics)
	}
	for attrName, want := range map[string]string{"tenant": "acme", "name": "logs",
		"id": "acme/logs"} {
		var got types.String
		resp.State.GetAttribute(ctx, path.Root(attrName), &got)
		if got.ValueString() != want {
			t.Errorf("got %s %q, want %q", attrName, got.ValueString(), want)
		}
	}
}
