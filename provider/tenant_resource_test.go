package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/internal/testcp"
)

// poolValue is one pool of a configuration; drive size and media are left
// out.
func poolValue(name attr.Value, servers, drives attr.Value) attr.Value {
	return types.ObjectValueMust(poolType.AttrTypes, map[string]attr.Value{
		"name":              name,
		"servers":           servers,
		"drives_per_server": drives,
		"drive_size":        types.StringNull(),
		"media":             types.StringNull(),
	})
}

// withPool changes one attribute of a pool value.
func withPool(pool attr.Value, attrName string, v attr.Value) attr.Value {
	attrs := pool.(types.Object).Attributes()
	attrs[attrName] = v
	return types.ObjectValueMust(poolType.AttrTypes, attrs)
}

// pool4 is a valid pool of one server with four drives.
func pool4(name string) attr.Value {
	return poolValue(types.StringValue(name), types.Int64Value(1), types.Int64Value(4))
}

// tenantConfig is a tenant configuration on the local cluster with pools.
func tenantConfig(pools ...attr.Value) tenantModel {
	return tenantModel{
		Name:    types.StringValue("acme"),
		Cluster: types.StringValue("local"),
		Region:  types.StringNull(),
		Parity:  types.Int64Null(),
		Pools:   types.ListValueMust(poolType, pools),
		Labels:  types.MapNull(types.StringType),
	}
}

func TestValidateTenant(t *testing.T) {
	t.Parallel()
	pools := path.Root("pools")
	tests := []struct {
		name      string
		m         func() tenantModel
		wantPaths []path.Path // one error per path, in order
		wantText  string      // in the first error's detail
	}{
		{"one pool of four drives is valid", func() tenantModel {
			return tenantConfig(pool4("p0"))
		}, nil, ""},
		{"parity above half the drives is refused on parity", func() tenantModel {
			m := tenantConfig(pool4("p0"))
			m.Parity = types.Int64Value(3)
			return m
		}, []path.Path{path.Root("parity")}, "cannot keep quorum"},
		{"zero parity is refused rather than replaced by the default", func() tenantModel {
			m := tenantConfig(pool4("p0"))
			m.Parity = types.Int64Value(0)
			return m
		}, []path.Path{path.Root("parity")}, "at least 1"},
		{"zero servers are refused on the pool's servers", func() tenantModel {
			return tenantConfig(withPool(pool4("p0"), "servers", types.Int64Value(0)))
		}, []path.Path{pools.AtListIndex(0).AtName("servers"), pools.AtListIndex(0)},
			"out of range"},
		{"a drive size without a unit the API knows is refused", func() tenantModel {
			return tenantConfig(withPool(pool4("p0"), "drive_size", types.StringValue("1XB")))
		}, []path.Path{pools.AtListIndex(0).AtName("drive_size")}, "size"},
		{"an unknown media is refused", func() tenantModel {
			return tenantConfig(withPool(pool4("p0"), "media", types.StringValue("tape")))
		}, []path.Path{pools.AtListIndex(0).AtName("media")}, "not a media kind"},
		{"two pools of one name are refused on the second", func() tenantModel {
			return tenantConfig(pool4("p0"), pool4("p0"))
		}, []path.Path{pools.AtListIndex(1).AtName("name")}, "unique"},
		{"an invalid region is refused", func() tenantModel {
			m := tenantConfig(pool4("p0"))
			m.Region = types.StringValue("US_EAST")
			return m
		}, []path.Path{path.Root("region")}, "not a valid region"},
		{"no pools at all are refused", func() tenantModel {
			return tenantConfig()
		}, []path.Path{pools}, "at least one pool"},
		{"an unknown cluster is left for the plan", func() tenantModel {
			m := tenantConfig(pool4("p0"))
			m.Cluster = types.StringUnknown()
			return m
		}, nil, ""},
		{"an unknown cluster does not hide a bad pool", func() tenantModel {
			m := tenantConfig(withPool(pool4("p0"), "media", types.StringValue("tape")))
			m.Cluster = types.StringUnknown()
			return m
		}, []path.Path{pools.AtListIndex(0).AtName("media")}, "not a media kind"},
		{"parity is not judged while the servers are unknown", func() tenantModel {
			m := tenantConfig(withPool(pool4("p0"), "servers", types.Int64Unknown()))
			m.Parity = types.Int64Value(3)
			return m
		}, nil, ""},
		{"unknown pools are left for the plan", func() tenantModel {
			m := tenantConfig()
			m.Pools = types.ListUnknown(poolType)
			return m
		}, nil, ""},
		{"an unknown pool is left for the plan", func() tenantModel {
			return tenantConfig(types.ObjectUnknown(poolType.AttrTypes))
		}, nil, ""},
		{"a missing required value is left to Terraform", func() tenantModel {
			return tenantConfig(withPool(pool4("p0"), "servers", types.Int64Null()))
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			diags := validateTenant(context.Background(), tt.m())
			checkPaths(t, diags, tt.wantPaths)
			if len(diags) > 0 && !strings.Contains(diags[0].Detail(), tt.wantText) {
				t.Errorf("got detail %q, want it to contain %q", diags[0].Detail(), tt.wantText)
			}
		})
	}
}

// checkPaths checks that diags are errors on exactly the want paths.
func checkPaths(t *testing.T, diags diag.Diagnostics, want []path.Path) {
	t.Helper()
	if len(diags) != len(want) {
		t.Fatalf("got %d diagnostics (%v), want %d on %v", len(diags), diags, len(want), want)
	}
	for i, d := range diags {
		wp, ok := d.(diag.DiagnosticWithPath)
		if !ok || !wp.Path().Equal(want[i]) || d.Severity() != diag.SeverityError {
			t.Errorf("got diagnostic %d %v, want an error on %s", i, d, want[i])
		}
	}
}

// tenantHCL is a tenant "acme" on the local cluster with one pool of one
// server and four drives; extra goes inside the resource block. Its short
// timeouts make a broken control plane fail the test with a diagnostic.
func tenantHCL(cp *testcp.ControlPlane, pool, extra string) string {
	return providerBlock(cp, cp.Token) + localCluster + `
resource "strata_tenant" "acme" {
  name    = "acme"
  cluster = strata_cluster.local.name
  parity  = 2
  pools = [{
    name              = "pool-0"
    servers           = 1
    drives_per_server = 4
    ` + pool + `
  }]
  ` + extra + `
  timeouts = { create = "2m", update = "2m", delete = "2m" }
}
`
}

func TestAccTenant(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	addr := "strata_tenant.acme"
	var uid, endpoint string
	update := acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
	}}

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: tenantHCL(cp, "", `labels = { team = "storage" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"),
						knownvalue.StringExact("acme")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoint"),
						knownvalue.StringRegexp(regexp.MustCompile(`^https://`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ca_bundle"),
						knownvalue.StringRegexp(regexp.MustCompile(`BEGIN CERTIFICATE`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("access_key_id"),
						knownvalue.StringRegexp(nonEmpty())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret_access_key"),
						knownvalue.StringRegexp(nonEmpty())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("region"),
						knownvalue.StringExact("us-east-1")),
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("pools").AtSliceIndex(0).AtMapKey("drive_size"),
						knownvalue.StringExact("1Gi")),
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("pools").AtSliceIndex(0).AtMapKey("media"),
						knownvalue.StringExact("ssd")),
				},
				Check: acc.ComposeTestCheckFunc(
					acc.TestCheckResourceAttrWith(addr, "uid", save(&uid)),
					acc.TestCheckResourceAttrWith(addr, "endpoint", save(&endpoint)),
				),
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "acme",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				Config:           tenantHCL(cp, "", `labels = { team = "analytics" }`),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("labels"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"team": knownvalue.StringExact("analytics"),
						})),
				},
				Check: acc.ComposeTestCheckFunc(
					acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
					acc.TestCheckResourceAttrWith(addr, "endpoint", sameAs(&endpoint)),
				),
			},
			{
				// A pool change the control plane cannot make is planned in
				// place and fails with the API's message; nothing is replaced.
				Config: tenantHCL(cp, `media = "nvme"`,
					`labels = { team = "analytics" }`),
				ConfigPlanChecks: update,
				ExpectError:      regexp.MustCompile(`changing the pools of a running tenant`),
			},
			{
				Config:   tenantHCL(cp, "", `labels = { team = "analytics" }`),
				PlanOnly: true,
			},
		},
	})
}
