package integration

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// lockedPut stores body under key with the given lock settings, as the
// SDK sends them (with its default checksum), and returns the version.
func lockedPut(t *testing.T, c *s3.Client, bucket, key string, mode types.ObjectLockMode,
	until time.Time, hold types.ObjectLockLegalHoldStatus) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: bytes.NewReader([]byte("kept")), ObjectLockMode: mode,
		ObjectLockRetainUntilDate: aws.Time(until), ObjectLockLegalHoldStatus: hold})
	if err != nil {
		t.Fatalf("PutObject %s with %s retention: %v", key, mode, err)
	}
	if aws.ToString(out.VersionId) == "" {
		t.Fatalf("PutObject %s: got no version ID", key)
	}
	return aws.ToString(out.VersionId)
}

// deleteVersion deletes one version, with or without governance bypass.
func deleteVersion(c *s3.Client, bucket, key, id string, bypass bool) error {
	_, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), VersionId: aws.String(id),
		BypassGovernanceRetention: aws.Bool(bypass)})
	return err
}

func TestObjectLockWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "locked"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("CreateBucket with Object Lock: %v", err)
	}
	cfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{
		Bucket: aws.String(bucket)})
	if err != nil ||
		cfg.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		t.Fatalf("GetObjectLockConfiguration: got %+v, %v, want Enabled", cfg, err)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusSuspended}})
	if errCode(err) != "InvalidBucketState" {
		t.Errorf("suspending versioning: got %v, want InvalidBucketState", err)
	}

	day := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	kept := lockedPut(t, c, bucket, "compliance", types.ObjectLockModeCompliance, day, "")
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("compliance")})
	if err != nil || head.ObjectLockMode != types.ObjectLockModeCompliance ||
		!aws.ToTime(head.ObjectLockRetainUntilDate).Equal(day) {
		t.Errorf("HeadObject: got %v until %v (%v), want COMPLIANCE until %v",
			head.ObjectLockMode, aws.ToTime(head.ObjectLockRetainUntilDate), err, day)
	}
	if err := deleteVersion(c, bucket, "compliance", kept, true); errCode(err) != "AccessDenied" {
		t.Errorf("deleting a COMPLIANCE version: got %v, want AccessDenied", err)
	}
	checkRetention(t, c, bucket, "compliance", kept, types.ObjectLockRetentionModeCompliance, day)
	checkHoldAndBypass(t, c, bucket, day)
}

// checkRetention reads a version's retention back.
func checkRetention(t *testing.T, c *s3.Client, bucket, key, id string,
	mode types.ObjectLockRetentionMode, until time.Time) {
	t.Helper()
	out, err := c.GetObjectRetention(context.Background(), &s3.GetObjectRetentionInput{
		Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(id)})
	if err != nil || out.Retention.Mode != mode ||
		!aws.ToTime(out.Retention.RetainUntilDate).Equal(until) {
		t.Errorf("GetObjectRetention: got %+v, %v; want %s until %v", out, err, mode, until)
	}
}

// checkHoldAndBypass shows that a legal hold keeps a GOVERNANCE version
// even from bypass, and that bypass deletes it once the hold is off.
func checkHoldAndBypass(t *testing.T, c *s3.Client, bucket string, until time.Time) {
	t.Helper()
	ctx := context.Background()
	id := lockedPut(t, c, bucket, "governance", types.ObjectLockModeGovernance, until, "")
	setHold := func(status types.ObjectLockLegalHoldStatus) {
		t.Helper()
		if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{
			Bucket: aws.String(bucket), Key: aws.String("governance"), VersionId: aws.String(id),
			LegalHold: &types.ObjectLockLegalHold{Status: status}}); err != nil {
			t.Fatalf("PutObjectLegalHold %s: %v", status, err)
		}
	}
	setHold(types.ObjectLockLegalHoldStatusOn)
	hold, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bucket),
		Key: aws.String("governance"), VersionId: aws.String(id)})
	if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("GetObjectLegalHold: got %+v, %v, want ON", hold, err)
	}
	if err := deleteVersion(c, bucket, "governance", id, true); errCode(err) != "AccessDenied" {
		t.Errorf("deleting a version on legal hold: got %v, want AccessDenied", err)
	}
	setHold(types.ObjectLockLegalHoldStatusOff)
	if err := deleteVersion(c, bucket, "governance", id, false); errCode(err) != "AccessDenied" {
		t.Errorf("deleting a GOVERNANCE version without bypass: got %v, want AccessDenied", err)
	}
	if err := deleteVersion(c, bucket, "governance", id, true); err != nil {
		t.Errorf("deleting a GOVERNANCE version with bypass: %v", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("governance"), VersionId: aws.String(id)})
	if errStatus(err) != 404 {
		t.Errorf("HEAD of the deleted version: got %v, want 404", err)
	}
}
