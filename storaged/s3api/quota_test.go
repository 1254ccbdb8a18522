package s3api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// quotaLayer is the fake layer with the quota capability.
type quotaLayer struct {
	*fakeLayer
	mu    sync.Mutex
	quota map[string]object.Quota
}

var _ object.BucketQuotaStore = (*quotaLayer)(nil)

func (q *quotaLayer) PutBucketQuota(ctx context.Context, bucket string,
	hard object.Quota) error {
	if _, err := q.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.quota[bucket] = hard
	return nil
}

func (q *quotaLayer) BucketQuota(ctx context.Context, bucket string) (object.Quota, error) {
	if _, err := q.HeadBucket(ctx, bucket); err != nil {
		return object.Quota{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.quota[bucket], nil
}

// newQuotaAdmin returns an Admin over a fake layer with quotas and the
// buckets "bkt" and "src".
func newQuotaAdmin(t *testing.T) (*Admin, *quotaLayer) {
	t.Helper()
	layer := &quotaLayer{fakeLayer: newFakeLayer(), quota: map[string]object.Quota{}}
	for _, b := range []string{"bkt", "src"} {
		if err := layer.MakeBucket(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a, err := NewAdmin(AdminConfig{S3: h, NoMetrics: true})
	if err != nil {
		t.Fatalf("NewAdmin: %v", err)
	}
	return a, layer
}

// setQuota sets the bucket's quota through the admin endpoint.
func setQuota(t *testing.T, a *Admin, bucket, body string) QuotaStatus {
	t.Helper()
	w := do(a, signedRequest(t, http.MethodPut, "/strata/admin/quota?bucket="+bucket,
		[]byte(body), signOptions{}))
	if w.Code != http.StatusOK {
		t.Fatalf("PUT quota: got %d %s, want 200", w.Code, w.Body.String())
	}
	var st QuotaStatus
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatalf("decoding %s: %v", w.Body.String(), err)
	}
	return st
}

// putBody PUTs content as bucket/key through the admin's S3 handler.
func putBody(t *testing.T, a *Admin, key, content string) *http.Request {
	t.Helper()
	return signedRequest(t, http.MethodPut, "/bkt/"+key, []byte(content), signOptions{})
}

func TestQuotaRefusesAWriteOverItAndStoresNothing(t *testing.T) {
	t.Parallel()
	a, layer := newQuotaAdmin(t)
	if st := setQuota(t, a, "bkt", `{"hardBytes": 10}`); st.HardBytes != 10 || st.UsedBytes != 0 {
		t.Fatalf("quota status: got %+v, want 10 bytes of quota and none used", st)
	}
	mustStatus(t, do(a, putBody(t, a, "a", "12345678")), http.StatusOK, "")

	w := do(a, putBody(t, a, "b", "12345"))
	mustStatus(t, w, http.StatusForbidden, "XStrataBucketQuotaExceeded")
	for _, want := range []string{"bkt", "10 bytes", "uses 8"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("message: got %s, want it to name %q", w.Body.String(), want)
		}
	}
	if _, err := layer.HeadObject(context.Background(), "bkt", "b"); err == nil {
		t.Errorf("HeadObject(b) after the refusal: got the object, want none stored")
	}

	mustStatus(t, do(a, signedRequest(t, http.MethodDelete, "/bkt/a", nil, signOptions{})),
		http.StatusNoContent, "")
	mustStatus(t, do(a, putBody(t, a, "b", "12345")), http.StatusOK, "")
}

func TestQuotaCoversCopiesAndUploads(t *testing.T) {
	t.Parallel()
	a, layer := newQuotaAdmin(t)
	ctx := context.Background()
	if _, err := layer.PutObject(ctx, "src", "big", strings.NewReader("0123456789ab"), 12,
		object.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	up, err := layer.NewMultipartUpload(ctx, "bkt", "mp", object.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part := signedRequest(t, http.MethodPut, "/bkt/mp?partNumber=1&uploadId="+up.UploadID,
		[]byte("123456"), signOptions{})
	mustStatus(t, do(a, part), http.StatusOK, "")
	setQuota(t, a, "bkt", `{"hardBytes": 10}`)

	copyReq := signedRequest(t, http.MethodPut, "/bkt/copy", nil, signOptions{
		header: http.Header{"X-Amz-Copy-Source": {"/src/big"}}})
	mustStatus(t, do(a, copyReq), http.StatusForbidden, "XStrataBucketQuotaExceeded")

	part2 := signedRequest(t, http.MethodPut, "/bkt/mp?partNumber=2&uploadId="+up.UploadID,
		[]byte("12345678901"), signOptions{})
	mustStatus(t, do(a, part2), http.StatusForbidden, "XStrataBucketQuotaExceeded")

	mustStatus(t, do(a, putBody(t, a, "small", "12345")), http.StatusOK, "")
	parts, err := layer.ListParts(ctx, "bkt", "mp", up.UploadID, object.ListPartsOptions{})
	if err != nil || len(parts.Parts) != 1 {
		t.Fatalf("ListParts: got %v, %v; want one part", parts.Parts, err)
	}
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"` +
		parts.Parts[0].ETag + `"</ETag></Part></CompleteMultipartUpload>`
	w := do(a, signedRequest(t, http.MethodPost, "/bkt/mp?uploadId="+up.UploadID,
		[]byte(complete), signOptions{}))
	mustStatus(t, w, http.StatusForbidden, "XStrataBucketQuotaExceeded")
	if _, err := layer.HeadObject(ctx, "bkt", "mp"); err == nil {
		t.Errorf("HeadObject(mp) after the refused completion: got the object, want none")
	}
}

func TestQuotaEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		target string
		body   string
		status int
	}{
		{"a quota that is not JSON is refused", http.MethodPut, "/strata/admin/quota?bucket=bkt",
			"ten", http.StatusBadRequest},
		{"a quota of zero bytes is refused", http.MethodPut, "/strata/admin/quota?bucket=bkt",
			`{"hardBytes": 0}`, http.StatusBadRequest},
		{"a quota without a limit is refused", http.MethodPut,
			"/strata/admin/quota?bucket=bkt", `{}`, http.StatusBadRequest},
		{"a negative object limit is refused", http.MethodPut,
			"/strata/admin/quota?bucket=bkt", `{"hardBytes": 5, "hardObjects": -1}`,
			http.StatusBadRequest},
		{"an object limit alone is stored", http.MethodPut, "/strata/admin/quota?bucket=bkt",
			`{"hardObjects": 5}`, http.StatusOK},
		{"an unknown field is refused", http.MethodPut, "/strata/admin/quota?bucket=bkt",
			`{"hard": 5}`, http.StatusBadRequest},
		{"a request without a bucket is refused", http.MethodGet, "/strata/admin/quota", "",
			http.StatusBadRequest},
		{"a missing bucket is not found", http.MethodPut, "/strata/admin/quota?bucket=nobkt",
			`{"hardBytes": 5}`, http.StatusNotFound},
		{"a POST is not allowed", http.MethodPost, "/strata/admin/quota?bucket=bkt", "",
			http.StatusMethodNotAllowed},
		{"deleting a quota succeeds", http.MethodDelete, "/strata/admin/quota?bucket=bkt", "",
			http.StatusNoContent},
		{"reading a bucket without quota answers zero", http.MethodGet,
			"/strata/admin/quota?bucket=bkt", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := newQuotaAdmin(t)
			w := do(a, signedRequest(t, tt.method, tt.target, []byte(tt.body), signOptions{}))
			if w.Code != tt.status {
				t.Errorf("got %d %s, want %d", w.Code, w.Body.String(), tt.status)
			}
		})
	}
}

func TestQuotaEndpointTakesOnlyTheRootKey(t *testing.T) {
	t.Parallel()
	a, _ := newQuotaAdmin(t)
	w := do(a, unsignedRequest(http.MethodGet, "/strata/admin/quota?bucket=bkt", nil, nil))
	if w.Code != http.StatusForbidden {
		t.Errorf("unsigned: got %d, want 403", w.Code)
	}
}

func TestQuotaRemovedLetsWritesThrough(t *testing.T) {
	t.Parallel()
	a, _ := newQuotaAdmin(t)
	setQuota(t, a, "bkt", `{"hardBytes": 3}`)
	mustStatus(t, do(a, putBody(t, a, "a", "12345")), http.StatusForbidden,
		"XStrataBucketQuotaExceeded")
	w := do(a, signedRequest(t, http.MethodDelete, "/strata/admin/quota?bucket=bkt", nil,
		signOptions{}))
	if w.Code != http.StatusNoContent {
		t.Fatalf("DELETE quota: got %d, want 204", w.Code)
	}
	mustStatus(t, do(a, putBody(t, a, "a", "12345")), http.StatusOK, "")
}

func TestQuotaNeedsTheLengthOfAWrite(t *testing.T) {
	t.Parallel()
	a, _ := newQuotaAdmin(t)
	setQuota(t, a, "bkt", `{"hardBytes": 100}`)
	r := signedRequest(t, http.MethodPut, "/bkt/a", nil, signOptions{payload: "UNSIGNED-PAYLOAD"})
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader("12345")), -1
	mustStatus(t, do(a, r), http.StatusLengthRequired, "MissingContentLength")
}

func TestObjectQuotaRefusesANewObjectAtTheLimit(t *testing.T) {
	t.Parallel()
	a, layer := newQuotaAdmin(t)
	st := setQuota(t, a, "bkt", `{"hardObjects": 2}`)
	if st.HardObjects != 2 || st.HardBytes != 0 || st.UsedObjects != 0 {
		t.Fatalf("quota status: got %+v, want a limit of 2 objects, none of bytes, none used", st)
	}
	mustStatus(t, do(a, putBody(t, a, "a", "1")), http.StatusOK, "")
	mustStatus(t, do(a, putBody(t, a, "b", "2")), http.StatusOK, "")

	w := do(a, putBody(t, a, "c", "3"))
	mustStatus(t, w, http.StatusForbidden, "XStrataBucketQuotaExceeded")
	for _, want := range []string{"bkt", "2 objects", "holds 2"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("message: got %s, want it to name %q", w.Body.String(), want)
		}
	}
	if _, err := layer.HeadObject(context.Background(), "bkt", "c"); err == nil {
		t.Errorf("HeadObject(c) after the refusal: got the object, want none stored")
	}

	mustStatus(t, do(a, putBody(t, a, "a", "replaced")), http.StatusOK, "")
	mustStatus(t, do(a, signedRequest(t, http.MethodDelete, "/bkt/b", nil, signOptions{})),
		http.StatusNoContent, "")
	mustStatus(t, do(a, putBody(t, a, "c", "3")), http.StatusOK, "")
	mustStatus(t, do(a, putBody(t, a, "d", "4")), http.StatusForbidden,
		"XStrataBucketQuotaExceeded")

	st = getQuota(t, a, "bkt")
	if st.HardObjects != 2 || st.UsedObjects != 2 || st.UsedBytes != 9 {
		t.Errorf("quota status: got %+v, want 2 of 2 objects used, 9 bytes", st)
	}
}

func TestObjectQuotaCoversCopiesCompletionsAndForms(t *testing.T) {
	t.Parallel()
	a, layer := newQuotaAdmin(t)
	ctx := context.Background()
	if _, err := layer.PutObject(ctx, "src", "s", strings.NewReader("abc"), 3,
		object.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	up, err := layer.NewMultipartUpload(ctx, "bkt", "mp", object.UploadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	setQuota(t, a, "bkt", `{"hardObjects": 1}`)
	mustStatus(t, do(a, putBody(t, a, "only", "1")), http.StatusOK, "")

	copyReq := signedRequest(t, http.MethodPut, "/bkt/copy", nil, signOptions{
		header: http.Header{"X-Amz-Copy-Source": {"/src/s"}}})
	mustStatus(t, do(a, copyReq), http.StatusForbidden, "XStrataBucketQuotaExceeded")

	part := signedRequest(t, http.MethodPut, "/bkt/mp?partNumber=1&uploadId="+up.UploadID,
		[]byte("123456"), signOptions{})
	mustStatus(t, do(a, part), http.StatusOK, "")
	parts, err := layer.ListParts(ctx, "bkt", "mp", up.UploadID, object.ListPartsOptions{})
	if err != nil || len(parts.Parts) != 1 {
		t.Fatalf("ListParts: got %v, %v; want one part", parts.Parts, err)
	}
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"` +
		parts.Parts[0].ETag + `"</ETag></Part></CompleteMultipartUpload>`
	w := do(a, signedRequest(t, http.MethodPost, "/bkt/mp?uploadId="+up.UploadID,
		[]byte(complete), signOptions{}))
	mustStatus(t, w, http.StatusForbidden, "XStrataBucketQuotaExceeded")

	form := formRequest(t, "/bkt", postPolicyForm(t, time.Now().Add(time.Hour),
		[]string{`{"bucket":"bkt"}`, `["starts-with","$key",""]`},
		formField{"key", "form"}), "f", "x")
	mustStatus(t, do(a, form), http.StatusForbidden, "XStrataBucketQuotaExceeded")
	for _, key := range []string{"copy", "mp", "form"} {
		if _, err := layer.HeadObject(ctx, "bkt", key); err == nil {
			t.Errorf("HeadObject(%s) after the refusal: got the object, want none", key)
		}
	}
}

func TestQuotaCountsAFormUploadAndRefusesOneWhenFull(t *testing.T) {
	t.Parallel()
	a, _ := newQuotaAdmin(t)
	setQuota(t, a, "bkt", `{"hardBytes": 10, "hardObjects": 5}`)
	form := func(key, content string) *http.Request {
		return formRequest(t, "/bkt", postPolicyForm(t, time.Now().Add(time.Hour),
			[]string{`{"bucket":"bkt"}`, `["starts-with","$key",""]`},
			formField{"key", key}), key, content)
	}
	mustStatus(t, do(a, form("a", "1234567890")), http.StatusNoContent, "")
	mustStatus(t, do(a, form("b", "1")), http.StatusForbidden, "XStrataBucketQuotaExceeded")
	mustStatus(t, do(a, putBody(t, a, "c", "1")), http.StatusForbidden,
		"XStrataBucketQuotaExceeded")
}

// getQuota reads the bucket's quota status through the admin endpoint.
func getQuota(t *testing.T, a *Admin, bucket string) QuotaStatus {
	t.Helper()
	w := do(a, signedRequest(t, http.MethodGet, "/strata/admin/quota?bucket="+bucket, nil,
		signOptions{}))
	if w.Code != http.StatusOK {
		t.Fatalf("GET quota: got %d %s, want 200", w.Code, w.Body.String())
	}
	var st QuotaStatus
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatalf("decoding %s: %v", w.Body.String(), err)
	}
	return st
}
