package reconcile_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

// TestObjectLockLifecycleAndQuotaReachTheTenant declares object lock, a
// lifecycle rule and a quota, checks each through S3 (a write over the
// quota is refused with 403), changes the lifecycle behind the control
// plane's back (it is put back and reported), and removes the lifecycle
// and the quota from the spec (both are removed from the bucket).
func TestObjectLockLifecycleAndQuotaReachTheTenant(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	startTenant(t, c)
	lock := &model.BucketObjectLock{Mode: model.LockGovernance, Days: 1}
	rules := []model.BucketLifecycleRule{{ID: "old", Prefix: "tmp/", ExpireDays: 30}}
	spec := model.BucketSpec{Versioning: model.VersioningEnabled, ObjectLock: lock,
		Lifecycle: rules, Quota: &model.BucketQuota{MaxSize: "4Ki"}}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b := waitBucket(t, c, readyAt(1))
	checkObserved(t, b, lock, rules, &model.BucketQuota{MaxSize: "4Ki"})
	s3c := tenantS3(t, c, "acme")
	if got := tenantObjectLock(t, s3c); !reflect.DeepEqual(got, lock) {
		t.Errorf("object lock on the tenant: got %+v, want %+v", got, lock)
	}
	if got := tenantLifecycle(t, s3c); !reflect.DeepEqual(got, rules) {
		t.Errorf("lifecycle on the tenant: got %+v, want %+v", got, rules)
	}
	if code := putBytes(t, s3c, "a", 3<<10); code != 0 {
		t.Fatalf("a write under the quota: got status %d, want success", code)
	}
	if code := putBytes(t, s3c, "b", 3<<10); code != http.StatusForbidden {
		t.Errorf("a write over the quota: got status %d, want 403", code)
	}

	intruder := []model.BucketLifecycleRule{{ID: "intruder", ExpireDays: 1}}
	putLifecycleThroughS3(t, s3c, intruder)
	b = waitBucket(t, c, func(b *model.Bucket) bool {
		d := b.Status.Conditions.Get("DriftRepaired")
		return d != nil && strings.Contains(d.Message, "lifecycle")
	})
	if got := tenantLifecycle(t, s3c); !reflect.DeepEqual(got, rules) {
		t.Errorf("lifecycle after the repair: got %+v, want %+v", got, rules)
	}

	spec.Lifecycle, spec.Quota = nil, nil
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b = waitBucket(t, c, readyAt(2))
	checkObserved(t, b, lock, nil, nil)
	if got := tenantLifecycle(t, s3c); got != nil {
		t.Errorf("lifecycle after removing it from the spec: got %+v, want none", got)
	}
	if code := putBytes(t, s3c, "b", 3<<10); code != 0 {
		t.Errorf("a write after removing the quota: got status %d, want success", code)
	}
}

// checkObserved checks the object lock, lifecycle and quota in b's status.
func checkObserved(t *testing.T, b *model.Bucket, lock *model.BucketObjectLock,
	rules []model.BucketLifecycleRule, quota *model.BucketQuota) {
	t.Helper()
	s := b.Status
	if !reflect.DeepEqual(s.ObjectLock, lock) || !reflect.DeepEqual(s.Lifecycle, rules) ||
		!reflect.DeepEqual(s.Quota, quota) {
		t.Errorf("observed: got lock %+v lifecycle %+v quota %+v, want %+v %+v %+v",
			s.ObjectLock, s.Lifecycle, s.Quota, lock, rules, quota)
	}
}

// tenantObjectLock returns bucket logs' object lock through S3, nil when
// it has none.
func tenantObjectLock(t *testing.T, s3c *s3.Client) *model.BucketObjectLock {
	t.Helper()
	out, err := s3c.GetObjectLockConfiguration(context.Background(),
		&s3.GetObjectLockConfigurationInput{Bucket: aws.String("logs")})
	if errorCode(err) == "ObjectLockConfigurationNotFoundError" {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	cfg := out.ObjectLockConfiguration
	if cfg.ObjectLockEnabled != types.ObjectLockEnabledEnabled || cfg.Rule == nil {
		t.Fatalf("object lock on the tenant: got %+v, want enabled with a rule", cfg)
	}
	d := cfg.Rule.DefaultRetention
	return &model.BucketObjectLock{Mode: string(d.Mode), Days: int(aws.ToInt32(d.Days)),
		Years: int(aws.ToInt32(d.Years))}
}

// tenantLifecycle returns bucket logs' lifecycle rules through S3, nil
// when it has none; a rule must be enabled and filter by prefix only.
func tenantLifecycle(t *testing.T, s3c *s3.Client) []model.BucketLifecycleRule {
	t.Helper()
	out, err := s3c.GetBucketLifecycleConfiguration(context.Background(),
		&s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
	if errorCode(err) == "NoSuchLifecycleConfiguration" {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var rules []model.BucketLifecycleRule
	for _, r := range out.Rules {
		if r.Status != types.ExpirationStatusEnabled || r.Filter == nil ||
			r.Expiration == nil {
			t.Fatalf("rule %s on the tenant: got %+v, want enabled with a filter and an "+
				"expiration", aws.ToString(r.ID), r)
		}
		rules = append(rules, model.BucketLifecycleRule{ID: aws.ToString(r.ID),
			Prefix: aws.ToString(r.Filter.Prefix), ExpireDays: int(aws.ToInt32(r.Expiration.Days))})
	}
	return rules
}

// putLifecycleThroughS3 replaces bucket logs' lifecycle behind the control
// plane's back.
func putLifecycleThroughS3(t *testing.T, s3c *s3.Client, rules []model.BucketLifecycleRule) {
	t.Helper()
	var s3Rules []types.LifecycleRule
	for _, r := range rules {
		s3Rules = append(s3Rules, types.LifecycleRule{ID: aws.String(r.ID),
			Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String(r.Prefix)},
			Expiration: &types.LifecycleExpiration{
				Days: aws.Int32(int32(r.ExpireDays))}})
	}
	_, err := s3c.PutBucketLifecycleConfiguration(context.Background(),
		&s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("logs"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: s3Rules}})
	if err != nil {
		t.Fatalf("changing the lifecycle through S3: %v", err)
	}
}

// putBytes writes n bytes to key of bucket logs and returns the HTTP
// status of a refusal, 0 on success.
func putBytes(t *testing.T, s3c *s3.Client, key string, n int) int {
	t.Helper()
	_, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("logs"), Key: aws.String(key),
		Body: bytes.NewReader(bytes.Repeat([]byte("x"), n))})
	if err == nil {
		return 0
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("writing %s: %v", key, err)
	}
	return re.HTTPStatusCode()
}

// errorCode is the S3 error code of err, "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
