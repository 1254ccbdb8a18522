package integration

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

func TestHealthAuthAndRefusals(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()

	t.Run("the health endpoints answer without a signature", func(t *testing.T) {
		for _, path := range []string{"/strata/health/live", "/strata/health/ready"} {
			status, body, _ := plainGet(t, srv, path)
			if status != 200 || strings.TrimSpace(body) != "ok" {
				t.Errorf("GET %s: got %d %q, want 200 ok", path, status, body)
			}
		}
	})
	t.Run("an unsigned S3 request is AccessDenied with a request ID", func(t *testing.T) {
		status, body, hdr := plainGet(t, srv, "/")
		if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") ||
			hdr.Get("X-Amz-Request-Id") == "" {
			t.Errorf("got %d %q (request ID %q), want 403 AccessDenied with an ID", status, body,
				hdr.Get("X-Amz-Request-Id"))
		}
	})
	t.Run("a wrong secret is SignatureDoesNotMatch", func(t *testing.T) {
		_, err := srv.client(t, "wrong-secret-key-0000").ListBuckets(ctx, &s3.ListBucketsInput{})
		if errStatus(err) != 403 || errCode(err) != "SignatureDoesNotMatch" {
			t.Errorf("got %v, want 403 SignatureDoesNotMatch", err)
		}
	})
	t.Run("the bucket name strata is reserved", func(t *testing.T) {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("strata")})
		if errStatus(err) != 400 || errCode(err) != "InvalidBucketName" {
			t.Errorf("got %v, want 400 InvalidBucketName", err)
		}
	})
	t.Run("MFA delete is NotImplemented, not silently ignored", func(t *testing.T) {
		mustCreateBucket(t, c, "refusals")
		_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket: aws.String("refusals"), VersioningConfiguration: &types.VersioningConfiguration{
				Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
		if errStatus(err) != 501 || errCode(err) != "NotImplemented" {
			t.Errorf("got %v, want 501 NotImplemented", err)
		}
	})
	t.Run("DeleteObjects deletes what it names", func(t *testing.T) {
		mustCreateBucket(t, c, "multi-delete")
		mustPut(t, c, "multi-delete", "a", []byte("a"))
		mustPut(t, c, "multi-delete", "b", []byte("b"))
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("multi-delete"),
			Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("a")},
				{Key: aws.String("b")}}}})
		if err != nil || len(out.Deleted) != 2 || len(out.Errors) != 0 {
			t.Fatalf("got %v, %+v; want both deleted", err, out)
		}
		keys, _, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String("multi-delete")})
		if len(keys) != 0 {
			t.Errorf("got %v left, want none", keys)
		}
	})
}

// plainGet sends an unsigned GET over the test CA's TLS.
func plainGet(t *testing.T, srv *server, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := srv.httpClient().Get(srv.Endpoint + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func TestBadFlagsExitWithStatus2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"one drive is refused", []string{"--drive", t.TempDir(), "--insecure-http"}, "at least 2"},
		{"no TLS files are refused", []string{"--drive", "a,b"}, "--tls-cert and --tls-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(storagedBin, tt.args...)
			cmd.Env = append(teststoraged.CleanEnv(), "STRATA_ROOT_ACCESS_KEY_ID=AKIDX",
				"STRATA_ROOT_SECRET_ACCESS_KEY=secret-key-x")
			out, err := cmd.CombinedOutput()
			exitErr, ok := err.(*exec.ExitError)
			if !ok || exitErr.ExitCode() != 2 || !strings.Contains(string(out), tt.want) {
				t.Errorf("got %v and %q, want exit status 2 and a message with %q", err, out, tt.want)
			}
		})
	}
}
