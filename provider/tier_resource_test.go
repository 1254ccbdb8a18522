package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/internal/testcp"
)

// tierHCL is tenant "acme" and tenant "beta" with bucket "archive", a tier
// "warm" of acme on beta's bucket, a tier "cold" of acme on the same bucket
// reached as a plain S3 endpoint with beta's root credentials, and extra.
// warmExtra and coldExtra go inside those tiers' blocks.
func tierHCL(cp *testcp.ControlPlane, warmExtra, coldExtra, extra string) string {
	return tenantHCL(cp, "", "") + `
resource "strata_tenant" "beta" {
  name    = "beta"
  cluster = strata_cluster.local.name
  pools   = [{ name = "pool-0", servers = 1, drives_per_server = 4 }]
  timeouts = { create = "2m", update = "2m", delete = "2m" }
}

resource "strata_bucket" "archive" {
  tenant = strata_tenant.beta.name
  name   = "archive"
}

resource "strata_tier" "warm" {
  tenant        = strata_tenant.acme.name
  name          = "warm"
  storage_class = "WARM"
  tenant_bucket = {
    tenant = strata_tenant.beta.name
    bucket = strata_bucket.archive.name
  }
  ` + warmExtra + `
}

resource "strata_tier" "cold" {
  tenant        = strata_tenant.acme.name
  name          = "cold"
  storage_class = "COLD"
  s3 = {
    endpoint          = strata_tenant.beta.endpoint
    bucket            = strata_bucket.archive.name
    region            = strata_tenant.beta.region
    ca_bundle         = strata_tenant.beta.ca_bundle
    access_key_id     = strata_tenant.beta.access_key_id
    secret_access_key = strata_tenant.beta.secret_access_key
    ` + coldExtra + `
  }
  timeouts = { create = "2m", update = "2m" }
}
` + extra
}

// missingBucketTier is a tier on a bucket of beta that does not exist, with
// a create timeout short enough for a test.
const missingBucketTier = `
resource "strata_tier" "ice" {
  tenant        = strata_tenant.acme.name
  name          = "ice"
  storage_class = "ICE"
  tenant_bucket = {
    tenant = strata_tenant.beta.name
    bucket = "no-such-bucket"
  }
  timeouts = { create = "15s" }
}
`

// TestAccTier creates a tier on another tenant's bucket and one on an S3
// endpoint with a write-only secret, imports both, updates them in place,
// re-creates one after a deletion behind Terraform's back, and checks that
// a tier on a missing bucket fails its create with the S3 error.
func TestAccTier(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	warm, cold := "strata_tier.warm", "strata_tier.cold"
	first := tierHCL(cp, "", "secret_access_key_version = 1", "")
	second := tierHCL(cp, `labels = { tier = "warm" }`, `prefix = "cold/"
    secret_access_key_version = 2`, "")
	reachable := func(addr string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("reachable"),
			knownvalue.Bool(true))
	}
	var warmUID string

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					reachable(warm), reachable(cold),
					statecheck.ExpectKnownValue(warm, tfjsonpath.New("id"),
						knownvalue.StringExact("acme/warm")),
					statecheck.ExpectKnownValue(cold,
						tfjsonpath.New("s3").AtMapKey("secret_access_key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(cold, tfjsonpath.New("last_checked"),
						knownvalue.StringRegexp(nonEmpty())),
				},
				Check: acc.TestCheckResourceAttrWith(warm, "uid", save(&warmUID)),
			},
			{ResourceName: warm, ImportState: true, ImportStateId: "acme/warm",
				ImportStateVerify: true},
			{ResourceName: cold, ImportState: true, ImportStateId: "acme/cold",
				ImportStateVerify: true, ImportStateVerifyIgnore: []string{
					"s3.secret_access_key_version", "timeouts", "last_checked"}},
			{
				Config: second,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(warm, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(cold, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					reachable(warm), reachable(cold),
					statecheck.ExpectKnownValue(cold, tfjsonpath.New("s3").AtMapKey("prefix"),
						knownvalue.StringExact("cold/")),
				},
				Check: acc.TestCheckResourceAttrWith(warm, "uid", sameAs(&warmUID)),
			},
			{
				PreConfig: func() {
					if err := api.DeleteTier(context.Background(), "acme", "warm"); err != nil {
						t.Fatalf("deleting the tier: %v", err)
					}
					waitNotFound(t, "tier acme/warm", func(ctx context.Context) error {
						_, err := api.GetTier(ctx, "acme", "warm")
						return err
					})
				},
				Config: second,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(warm, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(cold, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{reachable(warm)},
				Check:             acc.TestCheckResourceAttrWith(warm, "uid", changed(&warmUID)),
			},
			{
				Config: tierHCL(cp, `labels = { tier = "warm" }`, `prefix = "cold/"
    secret_access_key_version = 2`, missingBucketTier),
				ExpectError: phrase(`bucket "no-such-bucket" of tenant beta did not answer ` +
					`HeadBucket with the tier's credentials: 404 NotFound: the bucket does ` +
					`not exist`),
			},
		},
	})
}

func TestTierConfigIsValidatedWithTheAPIRules(t *testing.T) {
	t.Parallel()
	tb := func(tenant string) types.Object {
		return types.ObjectValueMust(tierTenantBucketType, map[string]attr.Value{
			"tenant": types.StringValue(tenant), "bucket": types.StringValue("archive")})
	}
	s3 := func(endpoint string) types.Object {
		return types.ObjectValueMust(tierS3Type, map[string]attr.Value{
			"endpoint": types.StringValue(endpoint), "bucket": types.StringValue("archive"),
			"prefix": types.StringNull(), "region": types.StringNull(),
			"ca_bundle": types.StringNull(), "access_key_id": types.StringValue("AK"),
			"secret_access_key":         types.StringValue("SK"),
			"secret_access_key_version": types.Int64Null()})
	}
	base := func() tierModel {
		return tierModel{Tenant: types.StringValue("acme"), Name: types.StringValue("cold"),
			StorageClass: types.StringValue("COLD"), TenantBucket: tb("beta"),
			S3: types.ObjectNull(tierS3Type)}
	}
	tests := []struct {
		name      string
		change    func(*tierModel)
		wantPaths []path.Path // nil path: an error on no attribute
		wantCount int
	}{
		{"a tier on another tenant is valid", func(*tierModel) {}, nil, 0},
		{"a lowercase class is refused on the class", func(m *tierModel) {
			m.StorageClass = types.StringValue("cold")
		}, []path.Path{path.Root("storage_class")}, 1},
		{"a tier on its own tenant is refused on the target's tenant", func(m *tierModel) {
			m.TenantBucket = tb("acme")
		}, []path.Path{path.Root("tenant_bucket").AtName("tenant")}, 1},
		{"an http endpoint is refused on the endpoint", func(m *tierModel) {
			m.TenantBucket = types.ObjectNull(tierTenantBucketType)
			m.S3 = s3("http://s3.example.com")
		}, []path.Path{path.Root("s3").AtName("endpoint")}, 1},
		{"two targets are refused", func(m *tierModel) {
			m.S3 = s3("https://s3.example.com")
		}, nil, 1},
		{"an unknown target tenant is left for later", func(m *tierModel) {
			m.TenantBucket = types.ObjectValueMust(tierTenantBucketType, map[string]attr.Value{
				"tenant": types.StringUnknown(), "bucket": types.StringValue("archive")})
		}, nil, 0},
		{"a second target that is unknown is left for later", func(m *tierModel) {
			m.S3 = types.ObjectUnknown(tierS3Type)
		}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := base()
			tt.change(&m)
			diags := validateTier(context.Background(), m)
			if len(diags) != tt.wantCount {
				t.Fatalf("got %d diagnostics %v, want %d", len(diags), diags, tt.wantCount)
			}
			if tt.wantPaths != nil {
				checkPaths(t, diags, tt.wantPaths)
			}
		})
	}
}
