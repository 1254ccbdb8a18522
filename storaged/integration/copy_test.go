package integration

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// copySource URL-encodes bucket/key for x-amz-copy-source, escaping
// every byte of the key outside the unreserved set but the slash.
func copySource(bucket, key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(url.PathEscape(p), "+", "%2B")
	}
	return bucket + "/" + strings.Join(parts, "/")
}

func TestCopyObjectWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "copies"
	mustCreateBucket(t, c, bucket)

	t.Run("S12 a copy onto itself replaces metadata only with REPLACE", func(t *testing.T) {
		caseCopyOntoItself(t, c, bucket)
	})
	t.Run("keys of any shape copy with their bytes and metadata", func(t *testing.T) {
		body := randomBytes(t, 2*mib+3)
		for _, key := range []string{
			"plain", "with space+plus", "/leading", "ünï/日本?#%", "a//b",
		} {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
				Key: aws.String(key), Body: strings.NewReader(string(body)),
				ContentType: aws.String("app/x"), Metadata: map[string]string{"k": "v"}})
			if err != nil {
				t.Fatalf("PutObject %q: %v", key, err)
			}
			out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
				Key: aws.String(key + ".copy"), CopySource: aws.String(copySource(bucket, key))})
			if err != nil {
				t.Fatalf("CopyObject %q: %v", key, err)
			}
			got, get := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
				Key: aws.String(key + ".copy")})
			if string(got) != string(body) || aws.ToString(get.ContentType) != "app/x" ||
				get.Metadata["k"] != "v" ||
				aws.ToString(out.CopyObjectResult.ETag) != `"`+md5Hex(body)+`"` {
				t.Errorf("copy of %q: got %d bytes, type %s, metadata %v, ETag %s", key, len(got),
					aws.ToString(get.ContentType), get.Metadata,
					aws.ToString(out.CopyObjectResult.ETag))
			}
		}
	})
	t.Run("copy source conditions are checked", func(t *testing.T) {
		mustPut(t, c, bucket, "cond", []byte("x"))
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("cond2"), CopySource: aws.String(bucket + "/cond"),
			CopySourceIfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
		if errStatus(err) != 412 {
			t.Errorf("got %v, want 412", err)
		}
	})
	t.Run("a malformed source version is an invalid argument", func(t *testing.T) {
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("v"), CopySource: aws.String(bucket + "/cond?versionId=abc")})
		if errStatus(err) != 400 || errCode(err) != "InvalidArgument" {
			t.Errorf("got %v, want 400 InvalidArgument", err)
		}
	})
}

// caseCopyOntoItself is case S12.
func caseCopyOntoItself(t *testing.T, c *s3.Client, bucket string) {
	ctx := context.Background()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("self"), Body: strings.NewReader("same bytes"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"version": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	src := aws.String(bucket + "/self")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("self"), CopySource: src, MetadataDirective: types.MetadataDirectiveCopy})
	if errStatus(err) != 400 || errCode(err) != "InvalidRequest" {
		t.Errorf("COPY onto itself: got %v, want 400 InvalidRequest", err)
	}
	checkSelf(t, c, bucket, "text/plain", "1")

	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("self"), CopySource: src, MetadataDirective: types.MetadataDirectiveReplace,
		ContentType: aws.String("application/json"), Metadata: map[string]string{"version": "2"}})
	if err != nil {
		t.Fatalf("REPLACE onto itself: %v", err)
	}
	checkSelf(t, c, bucket, "application/json", "2")
}

func checkSelf(t *testing.T, c *s3.Client, bucket, wantType, wantVersion string) {
	t.Helper()
	got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("self")})
	if string(got) != "same bytes" || aws.ToString(out.ContentType) != wantType ||
		out.Metadata["version"] != wantVersion {
		t.Errorf("got %q, type %s, metadata %v; want the same bytes, %s, version %s", got,
			aws.ToString(out.ContentType), out.Metadata, wantType, wantVersion)
	}
}
