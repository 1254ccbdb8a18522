package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// quotaStatus is the JSON answer of the quota endpoint.
type quotaStatus struct {
	Bucket      string `json:"bucket"`
	HardBytes   int64  `json:"hardBytes"`
	HardObjects int64  `json:"hardObjects"`
	UsedBytes   int64  `json:"usedBytes"`
	UsedObjects int64  `json:"usedObjects"`
}

// quotaRequest sends a root-signed request to the quota endpoint of the
// bucket and returns the answer's status and body.
func (s *server) quotaRequest(t *testing.T, method, bucket, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method,
		s.Endpoint+"/strata/admin/quota?bucket="+bucket, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, payload, "s3", testRegion,
		time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := s.httpClient().Do(req)
	if err != nil {
		t.Fatalf("%s quota: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestBucketQuotaThroughTheAdminEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.client(t, testSecret)
	ctx := context.Background()
	mustCreateBucket(t, c, "quota")

	if status, b := s.quotaRequest(t, http.MethodPut, "quota", `{"hardBytes": 1000}`); status !=
		http.StatusOK {
		t.Fatalf("PUT quota: got %d %s, want 200", status, b)
	}
	mustPut(t, c, "quota", "a", bytes.Repeat([]byte("a"), 600))

	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("quota"),
		Key: aws.String("b"), Body: bytes.NewReader(bytes.Repeat([]byte("b"), 600))})
	if code, status := errCode(err), errStatus(err); code != "XStrataBucketQuotaExceeded" ||
		status != http.StatusForbidden {
		t.Fatalf("PutObject over the quota: got %d %s (%v), want 403 "+
			"XStrataBucketQuotaExceeded", status, code, err)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("quota"),
		Key: aws.String("b")}); err == nil {
		t.Errorf("HeadObject b after the refusal: got the object, want none stored")
	}

	status, b := s.quotaRequest(t, http.MethodGet, "quota", "")
	var st quotaStatus
	if err := json.Unmarshal(b, &st); err != nil || status != http.StatusOK ||
		st.HardBytes != 1000 || st.UsedBytes != 600 {
		t.Errorf("GET quota: got %d %s, want 200 with 1000 bytes of quota and 600 used",
			status, b)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quota"),
		Key: aws.String("a")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	mustPut(t, c, "quota", "b", bytes.Repeat([]byte("b"), 600))

	if status, b := s.quotaRequest(t, http.MethodDelete, "quota", ""); status !=
		http.StatusNoContent {
		t.Fatalf("DELETE quota: got %d %s, want 204", status, b)
	}
	mustPut(t, c, "quota", "c", bytes.Repeat([]byte("c"), 600))
}

func TestObjectQuotaThroughTheAdminEndpoint(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.client(t, testSecret)
	ctx := context.Background()
	mustCreateBucket(t, c, "objq")
	mustCreateBucket(t, c, "src")
	mustPut(t, c, "src", "s", []byte("source"))

	if status, b := s.quotaRequest(t, http.MethodPut, "objq", `{"hardObjects": 2}`); status !=
		http.StatusOK {
		t.Fatalf("PUT quota: got %d %s, want 200", status, b)
	}
	mustPut(t, c, "objq", "a", []byte("a"))
	mustPut(t, c, "objq", "b", []byte("b"))
	mustRefuseObject(t, c, "objq", "c")
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("objq"),
		Key: aws.String("copy"), CopySource: aws.String("src/s")})
	if code := errCode(err); code != "XStrataBucketQuotaExceeded" {
		t.Errorf("CopyObject past the quota: got %s (%v), want XStrataBucketQuotaExceeded",
			code, err)
	}
	mustPut(t, c, "objq", "a", []byte("replaced"))

	st := s.quotaStatusOf(t, "objq")
	if st.HardObjects != 2 || st.HardBytes != 0 || st.UsedObjects != 2 || st.UsedBytes != 9 {
		t.Errorf("GET quota: got %+v, want 2 of 2 objects used, 9 bytes, no byte limit", st)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objq"),
		Key: aws.String("b")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	mustPut(t, c, "objq", "c", []byte("c"))
	mustRefuseObject(t, c, "objq", "d")
}

func TestObjectQuotaCountsVersions(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	c := s.client(t, testSecret)
	ctx := context.Background()
	mustCreateBucket(t, c, "objv")
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String("objv"), VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	if status, b := s.quotaRequest(t, http.MethodPut, "objv",
		`{"hardBytes": 1000, "hardObjects": 2}`); status != http.StatusOK {
		t.Fatalf("PUT quota: got %d %s, want 200", status, b)
	}
	first := mustPut(t, c, "objv", "k", []byte("v1"))
	mustPut(t, c, "objv", "k", []byte("v2"))
	mustRefuseObject(t, c, "objv", "k")

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objv"),
		Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	mustRefuseObject(t, c, "objv", "other")
	if st := s.quotaStatusOf(t, "objv"); st.UsedObjects != 2 || st.UsedBytes != 4 {
		t.Errorf("GET quota after a delete marker: got %+v, want 2 objects and 4 bytes used",
			st)
	}

	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("objv"),
		Key: aws.String("k"), VersionId: first.VersionId}); err != nil {
		t.Fatalf("DeleteObject of the first version: %v", err)
	}
	mustPut(t, c, "objv", "other", []byte("o"))
}

// mustRefuseObject checks that a PutObject of key is refused with 403
// XStrataBucketQuotaExceeded and stores nothing new.
func mustRefuseObject(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: bytes.NewReader([]byte("refused"))})
	if code, status := errCode(err), errStatus(err); code != "XStrataBucketQuotaExceeded" ||
		status != http.StatusForbidden {
		t.Fatalf("PutObject %s past the object quota: got %d %s (%v), want 403 "+
			"XStrataBucketQuotaExceeded", key, status, code, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err != nil {
		return
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) == "refused" {
		t.Errorf("GetObject %s after the refusal: got the refused body, want none", key)
	}
}

// quotaStatusOf reads the bucket's quota status through the admin
// endpoint.
func (s *server) quotaStatusOf(t *testing.T, bucket string) quotaStatus {
	t.Helper()
	status, b := s.quotaRequest(t, http.MethodGet, bucket, "")
	var st quotaStatus
	if err := json.Unmarshal(b, &st); err != nil || status != http.StatusOK {
		t.Fatalf("GET quota: got %d %s, want 200 with the status", status, b)
	}
	return st
}
