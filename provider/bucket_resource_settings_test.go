package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"regexp"
	"slices"
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
// plan time with the API's words, drops the tags and the policy, then sets
// object lock, a quota and a lifecycle rule (checked through S3: a write
// over the quota is refused), checks that removing object lock fails at
// plan time, and drops the quota and the lifecycle rule.
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
	lockedOnly := bucketHCL(cp, `versioning = "Enabled"
  force_destroy = true
  object_lock = { mode = "GOVERNANCE", days = 1 }`)
	locked := bucketHCL(cp, `versioning = "Enabled"
  force_destroy = true
  object_lock = { mode = "GOVERNANCE", days = 1 }
  quota = { max_size = "4Ki" }
  lifecycle_rule = [{ id = "old", prefix = "tmp/", expire_days = 30 }]`)
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
				Config: bucketHCL(cp, `versioning = "Suspended"
  object_lock = { mode = "GOVERNANCE", days = 1 }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`needs versioning\s+Enabled`),
			},
			{
				Config: bucketHCL(cp, `versioning = "Enabled"
  lifecycle_rule = [{ id = "cold", transition_days = 30, transition_tier = "t" }]`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?i)lifecycle\s+transitions\s+are\s+not\s+built`),
			},
			{
				Config: bucketHCL(cp, `versioning = "Enabled"
  quota = { max_size = "1Gi", max_objects = 0 }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`max_objects must be at least 1`),
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
			{
				Config: locked,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("object_lock"),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"mode": knownvalue.StringExact("GOVERNANCE"),
							"days": knownvalue.Int64Exact(1), "years": knownvalue.Null()})),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("quota").
						AtMapKey("max_size"), knownvalue.StringExact("4Ki")),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("lifecycle_rule").
						AtSliceIndex(0).AtMapKey("expire_days"), knownvalue.Int64Exact(30)),
				},
				Check: checkTenantRules(t, api, true),
			},
			{
				Config: locked,
				ConfigPlanChecks: acc.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				Config:      bucketHCL(cp, `versioning = "Enabled"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`cannot be removed\s+once\s+declared`),
			},
			{
				Config: lockedOnly,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("quota"),
						knownvalue.Null()),
					statecheck.ExpectKnownValue(bucket, tfjsonpath.New("lifecycle_rule"),
						knownvalue.Null()),
				},
				Check: checkTenantRules(t, api, false),
			},
		},
	})
}

// checkTenantRules checks bucket logs' object lock, and its lifecycle rule
// and quota when withRules is true (else that it has neither), through S3
// and storaged's admin endpoint as the control plane reports them.
func checkTenantRules(t *testing.T, api *client.Client, withRules bool) acc.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		s3c := tenantS3(t, api)
		lock, err := s3c.GetObjectLockConfiguration(ctx,
			&s3.GetObjectLockConfigurationInput{Bucket: aws.String("logs")})
		if err != nil {
			return fmt.Errorf("reading the object lock: %w", err)
		}
		d := lock.ObjectLockConfiguration.Rule.DefaultRetention
		if d.Mode != s3types.ObjectLockRetentionModeGovernance || aws.ToInt32(d.Days) != 1 {
			return fmt.Errorf("object lock on the tenant: got %s %d days, want GOVERNANCE 1",
				d.Mode, aws.ToInt32(d.Days))
		}
		lc, err := s3c.GetBucketLifecycleConfiguration(ctx,
			&s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
		switch {
		case withRules && err != nil:
			return fmt.Errorf("reading the lifecycle: %w", err)
		case withRules && (len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].ID) != "old"):
			return fmt.Errorf("lifecycle on the tenant: got %d rules, want rule old",
				len(lc.Rules))
		case !withRules && (err == nil || !strings.Contains(err.Error(),
			"NoSuchLifecycleConfiguration")):
			return fmt.Errorf("lifecycle after removing it: got %v, want none", err)
		}
		return checkQuota(t, api, withRules)
	}
}

// checkQuota checks that a 5 KiB write to bucket logs is refused with 403
// when refused is true (its quota is 4Ki), and accepted otherwise; an
// accepted object is deleted again, bypassing its default GOVERNANCE
// retention, so that the bucket can be destroyed.
func checkQuota(t *testing.T, api *client.Client, refused bool) error {
	ctx := context.Background()
	s3c := tenantS3(t, api)
	out, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("logs"), Key: aws.String("big"),
		Body: strings.NewReader(strings.Repeat("x", 5<<10))})
	switch {
	case refused && (err == nil || !strings.Contains(err.Error(), "StatusCode: 403")):
		return fmt.Errorf("a write over the quota: got %v, want 403", err)
	case !refused && err != nil:
		return fmt.Errorf("a write without a quota: got %v, want success", err)
	case refused:
		return nil
	}
	_, err = s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("logs"),
		Key: aws.String("big"), VersionId: out.VersionId,
		BypassGovernanceRetention: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("deleting the object written without a quota: %w", err)
	}
	return nil
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
		{"short labels are valid", mapCheck(ctx, labelsRule{}, tags("team", "storage")), ""},
		{"a label value of 257 characters is refused", mapCheck(ctx, labelsRule{},
			tags("k", strings.Repeat("v", 257))), "at most 256"},
		{"versioning Enabled is valid", stringCheck(ctx, versioningRule(), "Enabled"), ""},
		{"versioning in lowercase is refused", stringCheck(ctx, versioningRule(), "enabled"),
			"Enabled or Suspended"},
		{"a policy that is not JSON is refused", stringCheck(ctx, policyRule(), "allow"),
			"not a JSON object"},
		{"a policy statement without a principal is refused", stringCheck(ctx,
			policyRule(), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
				`"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`), "rincipal"},
		{"default encryption is refused with the API's words",
			objectCheck(ctx, notBuiltRule{model.NotBuiltEncryption}, false),
			"Default encryption is not built yet"},
		{"leaving default encryption out is valid",
			objectCheck(ctx, notBuiltRule{model.NotBuiltEncryption}, true), ""},
		{"a quota of 100Gi is valid", quotaCheck(ctx, "100Gi", types.Int64Null()), ""},
		{"a quota that is not a size is refused", quotaCheck(ctx, "lots",
			types.Int64Null()), "such as 10Gi"},
		{"a quota of bytes and objects is valid", quotaCheck(ctx, "1Gi",
			types.Int64Value(10)), ""},
		{"a quota of objects alone is valid", quotaCheck(ctx, "", types.Int64Value(10)), ""},
		{"a quota of no objects is refused", quotaCheck(ctx, "", types.Int64Value(0)),
			"at least 1"},
		{"a negative quota of objects is refused", quotaCheck(ctx, "1Gi",
			types.Int64Value(-2)), "is negative"},
		{"a quota without a limit is refused", quotaCheck(ctx, "", types.Int64Null()),
			"sets no limit"},
		{"a rule expiring after 30 days is valid", rulesCheck(ctx,
			model.BucketLifecycleRule{ID: "old", Prefix: "tmp/", ExpireDays: 30}), ""},
		{"two rules with one id are refused", rulesCheck(ctx,
			model.BucketLifecycleRule{ID: "r", ExpireDays: 1},
			model.BucketLifecycleRule{ID: "r", ExpireDays: 2}), "must be unique"},
		{"a rule without expire_days is refused", rulesCheck(ctx,
			model.BucketLifecycleRule{ID: "r"}), "is required"},
		{"a transition is refused with the API's words", rulesCheck(ctx,
			model.BucketLifecycleRule{ID: "r", ExpireDays: 9, TransitionDays: 3}),
			"tiering is later work"},
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

// quotaCheck validates a quota of size (null when "") and objects.
func quotaCheck(ctx context.Context, size string, objects types.Int64) func() (bool, string) {
	return func() (bool, string) {
		value := types.ObjectValueMust(quotaType.AttrTypes, map[string]attr.Value{
			"max_size": stringOrNull(size), "max_objects": objects})
		var resp validator.ObjectResponse
		quotaRule{}.ValidateObject(ctx, validator.ObjectRequest{Path: path.Root("quota"),
			ConfigValue: value}, &resp)
		return resp.Diagnostics.HasError(), diagText(resp.Diagnostics)
	}
}

func rulesCheck(ctx context.Context, rules ...model.BucketLifecycleRule) func() (bool, string) {
	return func() (bool, string) {
		var resp validator.ListResponse
		lifecycleRules{}.ValidateList(ctx, validator.ListRequest{
			Path: path.Root("lifecycle_rule"), ConfigValue: lifecycleValue(rules)}, &resp)
		return resp.Diagnostics.HasError(), diagText(resp.Diagnostics)
	}
}

func TestBucketRulesRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lock := &model.BucketObjectLock{Mode: model.LockCompliance, Years: 2}
	quota := &model.BucketQuota{MaxSize: "4Ki", MaxObjects: 12}
	rules := []model.BucketLifecycleRule{{ID: "all", ExpireDays: 365},
		{ID: "tmp", Prefix: "tmp/", ExpireDays: 7}}
	gotLock, d1 := objectLockToAPI(ctx, objectLockValue(lock))
	gotQuota, d2 := quotaToAPI(ctx, quotaValue(quota))
	gotRules, d3 := lifecycleToAPI(ctx, lifecycleValue(rules))
	if d1.HasError() || d2.HasError() || d3.HasError() {
		t.Fatalf("got diagnostics %v %v %v, want none", d1, d2, d3)
	}
	if *gotLock != *lock || *gotQuota != *quota || !slices.Equal(gotRules, rules) {
		t.Errorf("got %+v %+v %+v, want %+v %+v %+v", gotLock, gotQuota, gotRules, lock,
			quota, rules)
	}
	if got, _ := lifecycleToAPI(ctx, lifecycleValue(nil)); got != nil {
		t.Errorf("no rules: got %+v, want nil (a null attribute)", got)
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
