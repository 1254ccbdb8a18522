package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
				// A pool's shape cannot change: the plan fails with the
				// model's message; nothing is replaced.
				Config: tenantHCL(cp, `media = "nvme"`,
					`labels = { team = "analytics" }`),
				ExpectError: regexp.MustCompile(`add\s+a\s+new\s+pool\s+and\s+remove`),
			},
			{
				// Metrics can now change: the node restarts, in place.
				Config: tenantHCL(cp, "", `labels = { team = "analytics" }
  monitoring = { prometheus = true }`),
				ConfigPlanChecks: update,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr,
						tfjsonpath.New("monitoring").AtMapKey("prometheus"), knownvalue.Bool(true)),
				},
				Check: acc.ComposeTestCheckFunc(
					acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
					acc.TestCheckResourceAttrWith(addr, "endpoint", sameAs(&endpoint)),
				),
			},
			{
				Config: tenantHCL(cp, "", `labels = { team = "analytics" }
  monitoring = { prometheus = true }`),
				PlanOnly: true,
			},
		},
	})
}

// poolsHCL is a tenant "grow" on the local cluster with the named pools,
// each of two servers with two drives.
func poolsHCL(cp *testcp.ControlPlane, names ...string) string {
	var pools []string
	for _, n := range names {
		pools = append(pools, fmt.Sprintf(`{ name = %q, servers = 2, drives_per_server = 2 }`,
			n))
	}
	return providerBlock(cp, cp.Token) + localCluster + `
resource "strata_tenant" "grow" {
  name     = "grow"
  cluster  = strata_cluster.local.name
  parity   = 2
  pools    = [` + strings.Join(pools, ", ") + `]
  timeouts = { create = "2m", update = "2m", delete = "2m" }
}
`
}

// TestAccTenantPoolsChangeInPlace adds a pool to a tenant and removes its
// first pool: both are planned as updates of the same tenant, never as a
// replacement, and the applies end with the pools declared.
func TestAccTenantPoolsChangeInPlace(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	addr := "strata_tenant.grow"
	var uid string
	update := acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
	}}
	poolNames := func(names ...string) statecheck.StateCheck {
		var checks []knownvalue.Check
		for _, n := range names {
			checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"name": knownvalue.StringExact(n)}))
		}
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("pools"),
			knownvalue.ListExact(checks))
	}
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config:            poolsHCL(cp, "pool-0"),
				ConfigStateChecks: []statecheck.StateCheck{poolNames("pool-0")},
				Check:             acc.TestCheckResourceAttrWith(addr, "uid", save(&uid)),
			},
			{
				Config:            poolsHCL(cp, "pool-0", "pool-1"),
				ConfigPlanChecks:  update,
				ConfigStateChecks: []statecheck.StateCheck{poolNames("pool-0", "pool-1")},
				Check:             acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
			{
				Config:            poolsHCL(cp, "pool-1"),
				ConfigPlanChecks:  update,
				ConfigStateChecks: []statecheck.StateCheck{poolNames("pool-1")},
				Check:             acc.TestCheckResourceAttrWith(addr, "uid", sameAs(&uid)),
			},
		},
	})
}

// TestTenantReplacesOnlyForNameAndCluster walks strata_tenant's schema and
// checks that only the name and the cluster force a new tenant: pools, the
// TLS source and metrics change in place, since the control plane now
// changes them on a running tenant.
func TestTenantReplacesOnlyForNameAndCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var got []string
	var walk func(prefix string, attrs map[string]schema.Attribute)
	walk = func(prefix string, attrs map[string]schema.Attribute) {
		for name, a := range attrs {
			if replaces(ctx, a) {
				got = append(got, prefix+name)
			}
			switch n := a.(type) {
			case schema.ListNestedAttribute:
				walk(prefix+name+".", n.NestedObject.Attributes)
			case schema.SingleNestedAttribute:
				walk(prefix+name+".", n.Attributes)
			}
		}
	}
	walk("", tenantSchema(ctx).Attributes)
	slices.Sort(got)
	if want := []string{"cluster", "name"}; !slices.Equal(got, want) {
		t.Errorf("attributes that replace the tenant: got %v, want %v", got, want)
	}
}

// replaces reports whether an attribute has a plan modifier that replaces
// the resource.
func replaces(ctx context.Context, a schema.Attribute) bool {
	var descs []string
	switch a := a.(type) {
	case schema.StringAttribute:
		for _, m := range a.PlanModifiers {
			descs = append(descs, m.Description(ctx))
		}
	case schema.Int64Attribute:
		for _, m := range a.PlanModifiers {
			descs = append(descs, m.Description(ctx))
		}
	case schema.BoolAttribute:
		for _, m := range a.PlanModifiers {
			descs = append(descs, m.Description(ctx))
		}
	case schema.ListNestedAttribute:
		for _, m := range a.PlanModifiers {
			descs = append(descs, m.Description(ctx))
		}
	case schema.SingleNestedAttribute:
		for _, m := range a.PlanModifiers {
			descs = append(descs, m.Description(ctx))
		}
	}
	return slices.ContainsFunc(descs, func(d string) bool {
		return strings.Contains(d, "destroy and recreate")
	})
}
