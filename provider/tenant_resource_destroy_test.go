package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/testcp"
)

// TestAccTenantForceDestroy makes a bucket through S3 in a tenant that
// Terraform manages and checks that destroying the tenant is refused, with
// a diagnostic that says what to do, until force_destroy is set.
func TestAccTenantForceDestroy(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	addr := "strata_tenant.acme"

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		CheckDestroy:             tenantGone(api, "acme"),
		Steps: []acc.TestStep{
			{
				Config: tenantHCL(cp, "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("force_destroy"),
						knownvalue.Bool(false)),
				},
				Check: makeS3Bucket(t, api, "raw"),
			},
			{
				Config:  tenantHCL(cp, "", ""),
				Destroy: true,
				ExpectError: regexp.MustCompile(`(?s)raw\s+\(made\s+through\s+S3\).*` +
					`set\s+force_destroy\s+=\s+true`),
			},
			{
				Config: tenantHCL(cp, "", "force_destroy = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("force_destroy"),
						knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccTenantParityChangeFailsAtPlan checks that a new parity for an
// existing tenant is refused by the plan, with the API's words.
func TestAccTenantParityChangeFailsAtPlan(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	hcl := tenantHCL(cp, "", "")
	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		Steps: []acc.TestStep{
			{Config: hcl},
			{
				Config:   regexp.MustCompile(`parity  = 2`).ReplaceAllString(hcl, "parity = 1"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`cannot\s+change\s+from\s+2\s+to\s+1:\s+` +
					`stored\s+objects\s+keep\s+the\s+parity`),
			},
		},
	})
}

// makeS3Bucket makes a bucket in tenant acme through S3, out of the
// control plane's sight.
func makeS3Bucket(t *testing.T, api *client.Client, name string) acc.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := tenantS3(t, api).CreateBucket(context.Background(),
			&s3.CreateBucketInput{Bucket: aws.String(name)})
		return err
	}
}

// tenantGone checks that the tenant no longer exists.
func tenantGone(api *client.Client, name string) acc.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := api.GetTenant(context.Background(), name)
		if !client.IsNotFound(err) {
			return fmt.Errorf("tenant %s after destroy: got %v, want not found", name, err)
		}
		return nil
	}
}
