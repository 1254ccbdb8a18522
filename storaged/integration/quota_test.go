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
)

// quotaStatus is the JSON answer of the quota endpoint.
type quotaStatus struct {
	Bucket    string `json:"bucket"`
	HardBytes int64  `json:"hardBytes"`
	UsedBytes int64  `json:"usedBytes"`
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
