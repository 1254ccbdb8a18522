package integration

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestStandardHeadersAndMetadataWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "headers"
	mustCreateBucket(t, c, bucket)
	expires := time.Date(2037, 10, 21, 7, 28, 0, 0, time.UTC)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Body: strings.NewReader("compressed?"), ContentType: aws.String("text/csv"),
		ContentEncoding:    aws.String("gzip"),
		ContentDisposition: aws.String(`attachment; filename="a.csv"`),
		ContentLanguage:    aws.String("fr-CA"), CacheControl: aws.String("max-age=60"),
		Expires: aws.Time(expires), Metadata: map[string]string{"owner": "ops", "team": "storage"}})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	srv.waitForLog(t, `"payload":"STREAMING-UNSIGNED-PAYLOAD-TRAILER"`)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"type": aws.ToString(head.ContentType),
		"encoding":    aws.ToString(head.ContentEncoding),
		"disposition": aws.ToString(head.ContentDisposition),
		"language":    aws.ToString(head.ContentLanguage), "cache": aws.ToString(head.CacheControl),
		"expires": aws.ToString(head.ExpiresString)}
	want := map[string]string{"type": "text/csv", "encoding": "gzip",
		"disposition": `attachment; filename="a.csv"`, "language": "fr-CA", "cache": "max-age=60",
		"expires": expires.Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	if !maps.Equal(got, want) || !maps.Equal(head.Metadata, map[string]string{"owner": "ops",
		"team": "storage"}) {
		t.Errorf("got %v and metadata %v, want %v and owner, team", got, head.Metadata, want)
	}

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key:  aws.String("big-meta"),
		Body: strings.NewReader("x"), Metadata: map[string]string{"m": strings.Repeat("v", 2048)}})
	if errStatus(err) != 400 || errCode(err) != "MetadataTooLarge" {
		t.Errorf("more than 2 KiB of metadata: got %v, want 400 MetadataTooLarge", err)
	}
}

func TestTaggingWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "tagging"
	mustCreateBucket(t, c, bucket)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		Body: strings.NewReader("x"), Tagging: aws.String("team=storage&env=prod")})
	if err != nil {
		t.Fatal(err)
	}
	if got := objectTags(t, c, bucket); !maps.Equal(got, map[string]string{"team": "storage",
		"env": "prod"}) {
		t.Errorf("after PUT: got %v, want team and env", got)
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket),
		Key: aws.String("k"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("new"),
			Value: aws.String("1")}}}})
	if err != nil {
		t.Fatalf("PutObjectTagging: %v", err)
	}
	if got := objectTags(t, c, bucket); !maps.Equal(got, map[string]string{"new": "1"}) {
		t.Errorf("after PutObjectTagging: got %v, want new=1", got)
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket),
		Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if got := objectTags(t, c, bucket); len(got) != 0 {
		t.Errorf("after DeleteObjectTagging: got %v, want none", got)
	}
	eleven := make([]types.Tag, 11)
	for i := range eleven {
		eleven[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket),
		Key: aws.String("k"), Tagging: &types.Tagging{TagSet: eleven}})
	if errStatus(err) != 400 || errCode(err) != "InvalidTag" {
		t.Errorf("eleven object tags: got %v, want 400 InvalidTag", err)
	}
	checkBucketTagging(t, c, bucket)
}

func objectTags(t *testing.T, c *s3.Client, bucket string) map[string]string {
	t.Helper()
	out, err := c.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{
		Bucket: aws.String(bucket), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	tags := map[string]string{}
	for _, tg := range out.TagSet {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

func checkBucketTagging(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if errStatus(err) != 404 || errCode(err) != "NoSuchTagSet" {
		t.Errorf("an untagged bucket: got %v, want 404 NoSuchTagSet", err)
	}
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("cost-center"),
			Value: aws.String("42")}}}})
	if err != nil {
		t.Fatalf("PutBucketTagging: %v", err)
	}
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil || len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Value) != "42" {
		t.Errorf("GetBucketTagging: got %v, %v, want cost-center=42", out, err)
	}
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{
		Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if errCode(err) != "NoSuchTagSet" {
		t.Errorf("after DeleteBucketTagging: got %v, want NoSuchTagSet", err)
	}
}
