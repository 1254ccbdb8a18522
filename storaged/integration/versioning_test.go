package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestVersioningWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "versioned"
	mustCreateBucket(t, c, bucket)
	mustPut(t, c, bucket, "k", []byte("before versioning"))
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	state, err := c.GetBucketVersioning(
		ctx,
		&s3.GetBucketVersioningInput{Bucket: aws.String(bucket)},
	)
	if err != nil || state.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning: got %v, %v, want Enabled", state, err)
	}
	v1 := aws.ToString(mustPut(t, c, bucket, "k", []byte("one")).VersionId)
	v2 := aws.ToString(mustPut(t, c, bucket, "k", []byte("two")).VersionId)
	if v1 == "" || v1 == v2 {
		t.Fatalf("got versions %q and %q, want two", v1, v2)
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		VersionId: aws.String(v1)})
	if string(got) != "one" {
		t.Errorf("GET version 1: got %q", got)
	}

	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k")})
	if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
		t.Fatalf("DeleteObject: got %+v, %v, want a delete marker", del, err)
	}
	_, err = c.HeadObject(
		ctx,
		&s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")},
	)
	if errStatus(err) != 404 {
		t.Errorf("HEAD of a deleted key: got %v, want 404", err)
	}
	checkVersionsListed(t, c, bucket, aws.ToString(del.VersionId), v2, v1)

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("restored"), CopySource: aws.String(bucket + "/k?versionId=" + v1)})
	if err != nil {
		t.Fatalf("CopyObject of version 1: %v", err)
	}
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("restored")}); string(got) != "one" {
		t.Errorf("the copy of version 1: got %q", got)
	}
	checkVersionDeletes(t, c, bucket, aws.ToString(del.VersionId), v2)
}

// checkVersionsListed lists the versions of bucket/k, newest first.
func checkVersionsListed(t *testing.T, c *s3.Client, bucket, marker, v2, v1 string) {
	t.Helper()
	out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(bucket), Prefix: aws.String("k")})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	if len(out.DeleteMarkers) != 1 || aws.ToString(out.DeleteMarkers[0].VersionId) != marker ||
		!aws.ToBool(out.DeleteMarkers[0].IsLatest) {
		t.Errorf("got delete markers %+v, want the one just made, latest", out.DeleteMarkers)
	}
	var ids []string
	for _, v := range out.Versions {
		ids = append(ids, aws.ToString(v.VersionId))
	}
	if want := []string{v2, v1, "null"}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("got versions %v, want %v", ids, want)
	}
}

// checkVersionDeletes removes versions for good, one by ID and one through
// DeleteObjects.
func checkVersionDeletes(t *testing.T, c *s3.Client, bucket, marker, v2 string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k"), VersionId: aws.String(marker)}); err != nil {
		t.Fatalf("deleting the marker: %v", err)
	}
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k")}); string(got) != "two" {
		t.Errorf("after removing the marker: got %q, want version 2", got)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k"),
			VersionId: aws.String(v2)}}}})
	if err != nil || len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].VersionId) != v2 {
		t.Fatalf("DeleteObjects of version 2: got %+v, %v", out, err)
	}
	if got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k")}); string(got) != "one" {
		t.Errorf("after removing version 2: got %q, want version 1", got)
	}
}
