package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/internal/testcp"
)

// TestAccBucketObjectQuota sets a quota of two objects (a third is refused
// through S3), raises it in place to three objects and 1Mi (the third is
// then stored and a fourth refused), and shows that the plan is empty
// afterwards.
func TestAccBucketObjectQuota(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	bucket := "strata_bucket.logs"
	two := bucketHCL(cp, `force_destroy = true
  quota = { max_objects = 2 }`)
	three := bucketHCL(cp, `force_destroy = true
  quota = { max_size = "1Mi", max_objects = 3 }`)
	quotaIs := func(size knownvalue.Check, objects int64) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(bucket, tfjsonpath.New("quota"),
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"max_size": size, "max_objects": knownvalue.Int64Exact(objects)}))
	}

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		CheckDestroy:             bucketGone(api),
		Steps: []acc.TestStep{
			{
				Config:            two,
				ConfigStateChecks: []statecheck.StateCheck{quotaIs(knownvalue.Null(), 2)},
				Check:             checkObjectQuota(t, api, []string{"a", "b"}, "c"),
			},
			{
				Config: three,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucket, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					quotaIs(knownvalue.StringExact("1Mi"), 3)},
				Check: checkObjectQuota(t, api, []string{"c"}, "d"),
			},
			{
				Config: three,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// checkObjectQuota writes each key of stored to bucket logs, which must
// succeed, then refused, which must be refused with 403
// XStrataBucketQuotaExceeded.
func checkObjectQuota(t *testing.T, api *client.Client, stored []string,
	refused string) acc.TestCheckFunc {
	return func(*terraform.State) error {
		s3c := tenantS3(t, api)
		put := func(key string) error {
			_, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("logs"), Key: aws.String(key),
				Body: strings.NewReader("x")})
			return err
		}
		for _, key := range stored {
			if err := put(key); err != nil {
				return fmt.Errorf("writing %s under the quota: got %v, want success", key, err)
			}
		}
		err := put(refused)
		if err == nil || !strings.Contains(err.Error(), "XStrataBucketQuotaExceeded") {
			return fmt.Errorf("writing %s past the quota: got %v, want 403 "+
				"XStrataBucketQuotaExceeded", refused, err)
		}
		return nil
	}
}
