package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

func TestBucketLifecycleWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	s := &server{teststoraged.Start(t, storagedBin, "--lifecycle-interval", "1s")}
	c := s.client(t, testSecret)
	ctx := context.Background()
	mustCreateBucket(t, c, "lcb")
	mustPut(t, c, "lcb", "tmp/old", []byte("expire me"))
	mustPut(t, c, "lcb", "keep/this", []byte("keep me"))

	_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb")})
	if code := errCode(err); code != "NoSuchLifecycleConfiguration" {
		t.Fatalf("GetBucketLifecycleConfiguration before any: got %v, want "+
			"NoSuchLifecycleConfiguration", err)
	}

	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID:         aws.String("tmp"),
			Status:     types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration: &types.LifecycleExpiration{Date: aws.Time(past)},
		}}}})
	if err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}

	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb")})
	if err != nil {
		t.Fatalf("GetBucketLifecycleConfiguration: %v", err)
	}
	if len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) != "tmp" ||
		got.Rules[0].Expiration == nil || !aws.ToTime(got.Rules[0].Expiration.Date).Equal(past) {
		t.Fatalf("rules: got %+v, want the rule tmp expiring on %v", got.Rules, past)
	}

	waitGone(t, c, "lcb", "tmp/old")
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("lcb"),
		Key: aws.String("keep/this")}); err != nil {
		t.Errorf("HeadObject keep/this: got %v, want it kept", err)
	}

	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{
		Bucket: aws.String("lcb")}); err != nil {
		t.Fatalf("DeleteBucketLifecycle: %v", err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{
		Bucket: aws.String("lcb")})
	if code := errCode(err); code != "NoSuchLifecycleConfiguration" {
		t.Errorf("GetBucketLifecycleConfiguration after delete: got %v, want "+
			"NoSuchLifecycleConfiguration", err)
	}
}

func TestBucketLifecycleTransitionIsNotImplemented(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.client(t, testSecret)
	mustCreateBucket(t, c, "lct")
	_, err := c.PutBucketLifecycleConfiguration(context.Background(),
		&s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lct"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{
				Rules: []types.LifecycleRule{{
					ID:     aws.String("cold"),
					Status: types.ExpirationStatusEnabled,
					Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
					Transitions: []types.Transition{{Days: aws.Int32(30),
						StorageClass: types.TransitionStorageClassGlacier}},
				}}}})
	if code := errCode(err); code != "NotImplemented" {
		t.Errorf("PutBucketLifecycleConfiguration with a transition: got %v, want "+
			"NotImplemented", err)
	}
}

// waitGone waits up to 20 seconds for the lifecycle worker to remove
// bucket/key.
func waitGone(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key)})
		var nf *types.NotFound
		if errors.As(err, &nf) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("HeadObject %s/%s 20s after the rule: got %v, want NotFound", bucket, key,
				err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
