package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

// TestAccBucketSettings creates a bucket with versioning, tags and a
// policy formatted unlike storaged's (no diff follows: case P3), changes
// the tags, changes them behind Terraform's back through S3 (the control
// plane puts them back, so the plan stays empty), imports the bucket,
// checks that the settings not built yet and removing versioning fail at
// plan time with the API's words, and drops the tags and the policy.
func TestAccBucketSettings(t *testing.T) {
	requireAcceptance(t)
	t.Parallel()
	cp := testcp.Start(t)
	api := cp.Client(t)
	bucket := "strata_bucket.logs"
	// The policy's key order and white space are not what storaged returns
	// (case P3).
	policy := `policy = <<-EOT
    {"Statement": [ {"Resource": "arn:aws:s3:::logs/*",
       "Action": "s3:GetObject", "Principal": "*", "Effect": "Allow"} ],
     "Version": "2012-10-17"}
  EOT`
	created := bucketHCL(cp, `versioning = "Enabled"
  tags = { team = "storage" }
  `+policy)
	changedTags := bucketHCL(cp, `versioning = "Enabled"
  tags = { team = "storage", env = "prod" }
  `+policy) + `
data "strata_bucket" "logs" {
  tenant = strata_bucket.logs.tenant
  name   = strata_bucket.logs.name
}
`
	tagsAre := func(want map[string]string) statecheck.StateCheck {
		m := map[string]knownvalue.Check{}
		for k, v := range want {
			m[k] = knownvalue.StringExact(v)
		}
		return statecheck.ExpectKnownValue(bucket, tfjsonpath.New("tags"),
			knownvalue.MapExact(m))
	}

	acc.Test(t, acc.TestCase{
		ProtoV6ProviderFactories: accFactories(),
		CheckDestroy:             bucketGone(api),
		Steps: []acc.TestStep{
			{
				Config: created,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("versioning"),
						knownvalue.StringExact("Enabled")),
					tagsAre(map[string]string{"team": "storage"}),
				},
			},
			{
				Config: changedTags,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(bucket, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					tagsAre(map[string]string{"team": "storage", "env": "prod"}),
					statecheck.ExpectKnownValue("data.strata_bucket.logs",
						tfjsonpath.New("versioning"), knownvalue.StringExact("Enabled")),
					statecheck.ExpectKnownValue("data.strata_bucket.logs",
						tfjsonpath.New("tags").AtMapKey("env"), knownvalue.StringExact("prod")),
					statecheck.ExpectKnownValue("data.strata_bucket.logs",
						tfjsonpath.New("policy"), knownvalue.StringRegexp(
							regexp.MustCompile(`s3:GetObject`))),
				},
				Check: checkTenantTags(t, api, map[string]string{"team": "storage",
					"env": "prod"}),
			},
			{
				PreConfig: func() { changeTagsThroughS3(t, api) },
				Config:    changedTags,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: checkTenantTags(t, api, map[string]string{"team": "storage",
					"env": "prod"}),
			},
			{ResourceName: bucket, ImportState: true, ImportStateId: "acme/logs",
				ImportStateVerify: true},
			{
				Config: bucketHCL(cp, `versioning = "Enabled"
  object_lock = { mode = "GOVERNANCE", days = 1 }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?i)object lock is not built yet`),
			},
			{
				Config: bucketHCL(cp, `versioning = "Enabled"
  lifecycle_rule = [{ id = "old", expire_days = 30 }]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?i)lifecycle rules are not built yet`),
			},
			{
				Config:      bucketHCL(cp, `tags = { team = "storage", env = "prod" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`set Suspended`),
			},
			{
				Config: bucketHCL(cp, `versioning = "Suspended"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("versioning"),
						knownvalue.StringExact("Suspended")),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("tags"),
						knownvalue.Null()),
				},
				Check: checkTenantTags(t, api, map[string]string{}),
			},
			{
				Config: bucketHCL(cp, `versioning = "Suspended"`),
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("policy"),
						knownvalue.Null()),
				},
			},
		},
	})
}

// bucketGone checks that bucket acme/logs is gone from the control plane.
func bucketGone(api *client.Client) func(*terraform.State) error {
	return func(*terraform.State) error {
		_, err := api.GetBucket(context.Background(), "acme", "logs")
		if !client.IsNotFound(err) {
			return fmt.Errorf("after destroy: got %v, want the bucket gone (404)", err)
		}
		return nil
	}
}

// changeTagsThroughS3 replaces bucket logs' tags behind the control plane's
// back and waits until the control plane reports that it put them back.
func changeTagsThroughS3(t *testing.T, api *client.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := tenantS3(t, api).PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket: aws.String("logs"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
			{Key: aws.String("team"), Value: aws.String("intruder")}}},
	})
	if err != nil {
		t.Fatalf("changing the tags through S3: %v", err)
	}
	for range 300 {
		b, err := api.GetBucket(ctx, "acme", "logs")
		if err != nil {
			t.Fatal(err)
		}
		d := b.Status.Conditions.Get("DriftRepaired")
		if d != nil && d.Reason == "SettingsRepaired" && strings.Contains(d.Message, "tags") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the control plane did not report putting the tags back within 30s")
}

// checkTenantTags checks bucket logs' tags through S3.
func checkTenantTags(t *testing.T, api *client.Client,
	want map[string]string) acc.TestCheckFunc {
	return func(*terraform.State) error {
		got := map[string]string{}
		out, err := tenantS3(t, api).GetBucketTagging(context.Background(),
			&s3.GetBucketTaggingInput{Bucket: aws.String("logs")})
		if err != nil && !strings.Contains(err.Error(), "NoSuchTagSet") {
			return err
		}
		if out != nil {
			for _, tag := range out.TagSet {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("tags on the tenant: got %v, want %v", got, want)
		}
		return nil
	}
}

// tenantS3 returns an S3 client with tenant acme's root credentials.
func tenantS3(t *testing.T, api *client.Client) *s3.Client {
	t.Helper()
	tn, err := api.GetTenant(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(tn.Status.CABundle))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool,
		MinVersion: tls.VersionTLS12}}
	creds := tn.Status.RootCredentials
	return s3.New(s3.Options{
		Region: tn.Spec.Region, BaseEndpoint: aws.String(tn.Status.Endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID,
			creds.SecretAccessKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	})
}

func TestPolicySemanticEquality(t *testing.T) {
	t.Parallel()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"reformatted JSON is equal", doc, "{\n  \"Statement\": [{\"Action\": " +
			"\"s3:GetObject\", \"Effect\": \"Allow\"}],\n  \"Version\": \"2012-10-17\"\n}",
			true},
		{"another effect differs", doc, strings.Replace(doc, "Allow", "Deny", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, d := jsonDocument(tt.a).StringSemanticEquals(context.Background(),
				jsonDocument(tt.b))
			if d.HasError() || got != tt.want {
				t.Errorf("got %v (%v), want %v", got, d, tt.want)
			}
		})
	}
}

func TestBucketSettingValidators(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tags := func(kv ...string) types.Map {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return tagsValue(m)
	}
	tests := []struct {
		name    string
		run     func() (hasError bool, detail string)
		wantErr string // empty: valid
	}{
		{"tags within S3's limits are valid", mapCheck(ctx, tagsRule{},
			tags("team", "storage", "empty", "")), ""},
		{"a tag key with the aws: prefix is refused", mapCheck(ctx, tagsRule{},
			tags("aws:x", "y")), "reserves"},
		{"a tag value of 257 characters is refused", mapCheck(ctx, tagsRule{},
			tags("k", strings.Repeat("v", 257))), "at most 256"},
		{"versioning Enabled is valid", stringCheck(ctx, versioningRule(), "Enabled"), ""},
		{"versioning in lowercase is refused", stringCheck(ctx, versioningRule(), "enabled"),
			"Enabled or Suspended"},
		{"a policy that is not JSON is refused", stringCheck(ctx, policyRule(), "allow"),
			"not a JSON object"},
		{"a policy statement without a principal is refused", stringCheck(ctx,
			policyRule(), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`), "rincipal"},
		{"object lock is refused with the API's words",
			objectCheck(ctx, notBuiltRule{model.NotBuiltObjectLock}, false),
			"Object lock is not built yet"},
		{"leaving object lock out is valid",
			objectCheck(ctx, notBuiltRule{model.NotBuiltObjectLock}, true), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hasError, detail := tt.run()
			switch {
			case tt.wantErr == "" && hasError:
				t.Errorf("got error %q, want none", detail)
			case tt.wantErr != "" && !strings.Contains(detail, tt.wantErr):
				t.Errorf("got %q, want an error saying %q", detail, tt.wantErr)
			}
		})
	}
}

func mapCheck(ctx context.Context, v validator.Map, value types.Map) func() (bool, string) {
	return func() (bool, string) {
		var resp validator.MapResponse
		v.ValidateMap(ctx, validator.MapRequest{Path: path.Root("tags"), ConfigValue: value},
			&resp)
		return resp.Diagnostics.HasError(), diagText(resp.Diagnostics)
	}
}

func stringCheck(ctx context.Context, v validator.String, value string) func() (bool, string) {
	return func() (bool, string) {
		var resp validator.StringResponse
		v.ValidateString(ctx, validator.StringRequest{Path: path.Root("x"),
			ConfigValue: types.StringValue(value)}, &resp)
		return resp.Diagnostics.HasError(), diagText(resp.Diagnostics)
	}
}

func objectCheck(ctx context.Context, v validator.Object, null bool) func() (bool, string) {
	return func() (bool, string) {
		value := types.ObjectNull(objectLockType.AttrTypes)
		if !null {
			value = types.ObjectValueMust(objectLockType.AttrTypes, map[string]attr.Value{
				"mode": types.StringValue("GOVERNANCE"), "days": types.Int64Value(1),
				"years": types.Int64Null()})
		}
		var resp validator.ObjectResponse
		v.ValidateObject(ctx, validator.ObjectRequest{Path: path.Root("object_lock"),
			ConfigValue: value}, &resp)
		return resp.Diagnostics.HasError(), diagText(resp.Diagnostics)
	}
}

// diagText is every summary and detail of diags.
func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
