package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

func TestCreateBucket(t *testing.T) {
	t.Parallel()
	cfg := func(region string) []byte {
		return []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
			`<LocationConstraint>` + region + `</LocationConstraint></CreateBucketConfiguration>`)
	}
	tests := []struct {
		name   string
		bucket string
		body   []byte
		status int
		code   string
	}{
		{"a bucket without a configuration is created", "plain", nil, 200, ""},
		{"a bucket in this region is created", "local", cfg(testRegion), 200, ""},
		{"a bucket in another region is refused", "remote", cfg("eu-west-1"), 400,
			"IllegalLocationConstraintException"},
		{"a malformed configuration is refused", "broken", []byte("<Create"), 400, "MalformedXML"},
		{"the reserved name strata is refused", "strata", nil, 400, "InvalidBucketName"},
		{"an invalid name is refused", "Bad_Name", nil, 400, "InvalidBucketName"},
		{"an existing bucket is already owned", "taken", nil, 409, "BucketAlreadyOwnedByYou"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "taken")
			w := do(h, signedRequest(t, http.MethodPut, "/"+tt.bucket, tt.body, signOptions{}))
			mustStatus(t, w, tt.status, tt.code)
			_, err := layer.HeadBucket(t.Context(), tt.bucket)
			if exists := err == nil; exists != (tt.status == 200 || tt.bucket == "taken") {
				t.Errorf("got bucket exists=%v after the request", exists)
			}
		})
	}
}

func TestBucketLifecycle(t *testing.T) {
	t.Parallel()
	h, _ := newTestHandler(t)
	steps := []struct {
		name, method, target string
		body                 string
		status               int
		code                 string
	}{
		{"heading a missing bucket is 404", http.MethodHead, "/life", "", 404, ""},
		{"creating the bucket succeeds", http.MethodPut, "/life", "", 200, ""},
		{"heading it succeeds", http.MethodHead, "/life", "", 200, ""},
		{"putting an object succeeds", http.MethodPut, "/life/k", "v", 200, ""},
		{"deleting a non-empty bucket is refused", http.MethodDelete, "/life", "", 409,
			"BucketNotEmpty"},
		{"deleting the object succeeds", http.MethodDelete, "/life/k", "", 204, ""},
		{"deleting a missing key succeeds", http.MethodDelete, "/life/k", "", 204, ""},
		{"deleting the empty bucket succeeds", http.MethodDelete, "/life", "", 204, ""},
		{"deleting it again is NoSuchBucket", http.MethodDelete, "/life", "", 404, "NoSuchBucket"},
	}
	for _, s := range steps {
		w := do(h, signedRequest(t, s.method, s.target, []byte(s.body), signOptions{}))
		if w.Code != s.status || errorCode(t, w) != s.code {
			t.Fatalf("%s: got %d %q, want %d %q", s.name, w.Code, errorCode(t, w), s.status, s.code)
		}
	}
}

func TestListBucketsAndLocation(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	for _, b := range []string{"alpha", "beta", "gamma"} {
		if err := layer.MakeBucket(t.Context(), b); err != nil {
			t.Fatal(err)
		}
	}
	w := do(h, signedRequest(t, http.MethodGet, "/", nil, signOptions{}))
	mustStatus(t, w, 200, "")
	var res listAllMyBucketsResult
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range res.Buckets {
		names = append(names, b.Name)
	}
	if got := strings.Join(names, ","); got != "alpha,beta,gamma" {
		t.Errorf("got buckets %s, want alpha,beta,gamma", got)
	}

	w = do(h, signedRequest(t, http.MethodGet, "/?max-buckets=2", nil, signOptions{}))
	res = listAllMyBucketsResult{}
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Buckets) != 2 || res.ContinuationToken == "" {
		t.Fatalf("max-buckets=2: got %d buckets, token %q; want 2 and a token",
			len(res.Buckets), res.ContinuationToken)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/?max-buckets=2&continuation-token="+
		res.ContinuationToken, nil, signOptions{}))
	res = listAllMyBucketsResult{}
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Buckets) != 1 || res.Buckets[0].Name != "gamma" || res.ContinuationToken != "" {
		t.Errorf("second page: got %+v, want only gamma and no token", res)
	}

	w = do(h, signedRequest(t, http.MethodGet, "/alpha?location", nil, signOptions{}))
	mustStatus(t, w, 200, "")
	if !strings.Contains(w.Body.String(), "<LocationConstraint") ||
		strings.Contains(w.Body.String(), testRegion) {
		t.Errorf("us-east-1 location: got %s, want an empty LocationConstraint", w.Body.String())
	}
}

func TestHealthEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    string
		listErr error
		status  int
	}{
		{"liveness answers without a signature", healthLivePath, nil, 200},
		{"readiness answers when the layer answers", healthReadyPath, nil, 200},
		{"readiness fails when the layer fails", healthReadyPath, errLayerDown, 503},
		{"liveness holds when the layer fails", healthLivePath, errLayerDown, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := newTestHandler(t)
			layer.listErr = tt.listErr
			w := do(h, unsignedRequest(http.MethodGet, tt.path, nil, nil))
			if w.Code != tt.status {
				t.Errorf("got %d, want %d", w.Code, tt.status)
			}
		})
	}
}

var errLayerDown = errString("drives unreachable")

type errString string

func (e errString) Error() string { return string(e) }
