package provider

import (
	"testing"

	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/internal/testcp"
)

// dataHCL is tenant "acme" with buckets "logs" and "media", read back
// through the three data sources, which wait for the resources they read.
func dataHCL(cp *testcp.ControlPlane) string {
	return bucketHCL(cp, `labels = { app = "web" }`) + `
resource "strata_bucket" "media" {
  tenant = strata_tenant.acme.name
  name   = "media"
}

data "strata_tenant" "acme" {
  name       = strata_tenant.acme.name
  depends_on = [strata_tenant.acme]
}

data "strata_bucket" "logs" {
  tenant     = strata_bucket.logs.tenant
  name       = strata_bucket.logs.name
  depends_on = [strata_bucket.logs]
}

data "strata_buckets" "acme" {
  tenant     = strata_tenant.acme.name
  depends_on = [strata_bucket.logs, strata_bucket.media]
}
`
}

// TestAccDataSources reads a tenant, a bucket and a tenant's buckets, and
// checks that a missing tenant is an error rather than an empty result.
func TestAccDataSources(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	tenant, bucket, buckets := "data.strata_tenant.acme", "data.strata_bucket.logs",
		"data.strata_buckets.acme"
	bucketsAt := func(i int, attr string) tfjsonpath.Path {
		return tfjsonpath.New("buckets").AtSliceIndex(i).AtMapKey(attr)
	}

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: dataHCL(cp),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(tenant, tfjsonpath.New("ready"),
						knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(tenant,
						tfjsonpath.New("pools").AtSliceIndex(0).AtMapKey("drives_per_server"),
						knownvalue.Int64Exact(4)),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("labels"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"app": knownvalue.StringExact("web"),
						})),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("id"),
						knownvalue.StringExact("acme/logs")),
					statecheck.ExpectKnownValue(buckets, tfjsonpath.New("buckets"),
						knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue(buckets, bucketsAt(0, "name"),
						knownvalue.StringExact("logs")),
					statecheck.ExpectKnownValue(buckets, bucketsAt(1, "name"),
						knownvalue.StringExact("media")),
					statecheck.ExpectKnownValue(buckets, bucketsAt(1, "ready"),
						knownvalue.Bool(true)),
				},
				Check: acc.ComposeTestCheckFunc(
					acc.TestCheckResourceAttrPair(tenant, "endpoint", "strata_tenant.acme",
						"endpoint"),
					acc.TestCheckResourceAttrPair(tenant, "secret_access_key",
						"strata_tenant.acme", "secret_access_key"),
					acc.TestCheckResourceAttrPair(bucket, "uid", "strata_bucket.logs", "uid"),
				),
			},
			{
				Config: providerBlock(cp, cp.Token) + `
data "strata_tenant" "none" {
  name = "no-such-tenant"
}
`,
				ExpectError: phrase(`Cannot read tenant "no-such-tenant"`),
			},
		},
	})
}
