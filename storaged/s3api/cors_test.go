package s3api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/object"
)

// corsLayer is the fake layer with the CORS capability.
type corsLayer struct {
	*fakeLayer
	mu   sync.Mutex
	docs map[string][]byte
}

var _ object.BucketCORSStore = (*corsLayer)(nil)

func (c *corsLayer) PutBucketCORS(ctx context.Context, bucket string, doc []byte) error {
	if _, err := c.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(doc) == 0 {
		delete(c.docs, bucket)
		return nil
	}
	c.docs[bucket] = append([]byte(nil), doc...)
	return nil
}

func (c *corsLayer) BucketCORS(ctx context.Context, bucket string) ([]byte, error) {
	if _, err := c.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.docs[bucket]...), nil
}

// newCORSHandler returns a handler over a fake layer with CORS and the
// bucket "bkt".
func newCORSHandler(t *testing.T) *Handler {
	t.Helper()
	layer := &corsLayer{fakeLayer: newFakeLayer(), docs: map[string][]byte{}}
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

const testCORSRules = `<CORSConfiguration>
<CORSRule><ID>site</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>
<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
<AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader>
<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>
<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
</CORSConfiguration>`

// putTestCORS stores testCORSRules on "bkt".
func putTestCORS(t *testing.T, h *Handler) {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodPut, "/bkt?cors", []byte(testCORSRules),
		signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
}

func TestParseCORSConfiguration(t *testing.T) {
	t.Parallel()
	rule := func(inner string) string {
		return "<CORSConfiguration><CORSRule>" + inner + "</CORSRule></CORSConfiguration>"
	}
	tests := []struct {
		name string
		body string
		code string
	}{
		{"a full rule is accepted", testCORSRules, ""},
		{"a body that is not XML is MalformedXML", "<CORS", "MalformedXML"},
		{"no rule is MalformedXML", "<CORSConfiguration/>", "MalformedXML"},
		{"a rule without a method is MalformedXML",
			rule("<AllowedOrigin>*</AllowedOrigin>"), "MalformedXML"},
		{"a rule without an origin is MalformedXML",
			rule("<AllowedMethod>GET</AllowedMethod>"), "MalformedXML"},
		{"an unknown method is InvalidRequest",
			rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"),
			"InvalidRequest"},
		{"two wildcards in an origin are InvalidRequest",
			rule("<AllowedOrigin>*.a.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"),
			"InvalidRequest"},
		{"a wildcard in an exposed header is InvalidRequest",
			rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>" +
				"<ExposeHeader>x-*</ExposeHeader>"), "InvalidRequest"},
		{"a negative max age is MalformedXML",
			rule("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>" +
				"<MaxAgeSeconds>-1</MaxAgeSeconds>"), "MalformedXML"},
		{"101 rules are MalformedXML", "<CORSConfiguration>" + strings.Repeat(
			"<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"+
				"</CORSRule>", 101) + "</CORSConfiguration>", "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseCORSConfiguration([]byte(tt.body))
			got := ""
			if err != nil {
				got = toAPIError(err).code
			}
			if got != tt.code {
				t.Fatalf("got code %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestBucketCorsLifecycle(t *testing.T) {
	t.Parallel()
	h := newCORSHandler(t)
	get := func() *httptest.ResponseRecorder {
		return do(h, signedRequest(t, http.MethodGet, "/bkt?cors", nil, signOptions{}))
	}
	mustStatus(t, get(), http.StatusNotFound, "NoSuchCORSConfiguration")
	putTestCORS(t, h)

	w := get()
	mustStatus(t, w, http.StatusOK, "")
	for _, want := range []string{"<ID>site</ID>", "<AllowedOrigin>https://*.example.com" +
		"</AllowedOrigin>", "<MaxAgeSeconds>600</MaxAgeSeconds>", s3Namespace} {
		if !strings.Contains(w.Body.String(), want) {
			t.Fatalf("got body %s, want it to hold %s", w.Body.String(), want)
		}
	}
	w = do(h, signedRequest(t, http.MethodDelete, "/bkt?cors", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	mustStatus(t, get(), http.StatusNotFound, "NoSuchCORSConfiguration")

	w = do(h, signedRequest(t, http.MethodPut, "/missing?cors", []byte(testCORSRules),
		signOptions{}))
	mustStatus(t, w, http.StatusNotFound, "NoSuchBucket")
}

func TestBucketCorsWithoutCapability(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	w := do(h, signedRequest(t, http.MethodGet, "/bkt?cors", nil, signOptions{}))
	mustStatus(t, w, http.StatusNotImplemented, "NotImplemented")
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	h := newCORSHandler(t)
	putTestCORS(t, h)
	tests := []struct {
		name, target, origin, method, headers string
		status                                int
		code                                  string
		allowOrigin, allowHeaders             string
	}{
		{"a matching origin, method and headers are allowed", "/bkt/a/key",
			"https://app.example.com", "PUT", "X-Amz-Date, content-type", 200, "",
			"https://app.example.com", "x-amz-date,content-type"},
		{"a bucket-level preflight is allowed", "/bkt", "https://app.example.com", "GET", "",
			200, "", "https://app.example.com", ""},
		{"the wildcard origin answers a star", "/bkt/k", "http://other.test", "HEAD", "", 200,
			"", "*", ""},
		{"a header no rule allows is refused", "/bkt/k", "https://app.example.com", "GET",
			"authorization", 403, "AccessForbidden", "", ""},
		{"an origin no rule allows is refused", "/bkt/k", "https://evil.test", "GET", "", 403,
			"AccessForbidden", "", ""},
		{"a method no rule allows is refused", "/bkt/k", "https://app.example.com", "DELETE",
			"", 403, "AccessForbidden", "", ""},
		{"a missing origin is a bad request", "/bkt/k", "", "GET", "", 400, "BadRequest", "",
			""},
		{"a missing method is a bad request", "/bkt/k", "https://app.example.com", "", "", 400,
			"BadRequest", "", ""},
		{"a missing bucket is NoSuchBucket", "/nobucket/k", "https://app.example.com", "GET",
			"", 404, "NoSuchBucket", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hdr := http.Header{}
			for k, v := range map[string]string{"Origin": tt.origin,
				"Access-Control-Request-Method":  tt.method,
				"Access-Control-Request-Headers": tt.headers} {
				if v != "" {
					hdr.Set(k, v)
				}
			}
			w := do(h, unsignedRequest(http.MethodOptions, tt.target, nil, hdr))
			mustStatus(t, w, tt.status, tt.code)
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Fatalf("got Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if got := w.Header().Get("Access-Control-Allow-Headers"); got != tt.allowHeaders {
				t.Fatalf("got Access-Control-Allow-Headers %q, want %q", got, tt.allowHeaders)
			}
		})
	}
}

func TestPreflightAnswerHeaders(t *testing.T) {
	t.Parallel()
	h := newCORSHandler(t)
	putTestCORS(t, h)
	hdr := http.Header{"Origin": {"https://a.example.com"},
		"Access-Control-Request-Method": {"GET"}}
	w := do(h, unsignedRequest(http.MethodOptions, "/bkt/k", nil, hdr))
	want := map[string]string{
		"Access-Control-Allow-Methods":     "GET,PUT",
		"Access-Control-Expose-Headers":    "ETag",
		"Access-Control-Max-Age":           "600",
		"Access-Control-Allow-Credentials": "true",
		"Vary": "Origin, Access-Control-Request-Headers, " +
			"Access-Control-Request-Method",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Fatalf("got %s %q, want %q", k, got, v)
		}
	}
}

func TestPreflightWithoutRules(t *testing.T) {
	t.Parallel()
	h := newCORSHandler(t)
	hdr := http.Header{"Origin": {"https://a.example.com"},
		"Access-Control-Request-Method": {"GET"}}
	w := do(h, unsignedRequest(http.MethodOptions, "/bkt/k", nil, hdr))
	mustStatus(t, w, http.StatusForbidden, "AccessForbidden")
	if !strings.Contains(w.Body.String(), "CORS is not enabled") {
		t.Fatalf("got body %s, want it to say CORS is not enabled", w.Body.String())
	}
}

func TestActualRequestCORSHeaders(t *testing.T) {
	t.Parallel()
	h := newCORSHandler(t)
	putTestCORS(t, h)
	tests := []struct {
		name        string
		r           *http.Request
		status      int
		allowOrigin string
		vary        string
	}{
		{"a signed GET from an allowed origin gets the headers",
			signedRequest(t, http.MethodGet, "/bkt/missing", nil, signOptions{
				header: http.Header{"Origin": {"https://x.example.com"}}}),
			404, "https://x.example.com", "Origin"},
		{"an anonymous refused GET still gets the headers",
			unsignedRequest(http.MethodGet, "/bkt/k", nil,
				http.Header{"Origin": {"https://x.example.com"}}),
			403, "https://x.example.com", "Origin"},
		{"a method no rule allows gets none",
			signedRequest(t, http.MethodDelete, "/bkt/k", nil, signOptions{
				header: http.Header{"Origin": {"https://x.example.com"}}}),
			204, "", ""},
		{"a request naming another method in Access-Control-Request-Method is matched by it",
			signedRequest(t, http.MethodDelete, "/bkt/k", nil, signOptions{
				header: http.Header{"Origin": {"https://x.example.com"},
					"Access-Control-Request-Method": {"PUT"}}}),
			204, "https://x.example.com", "Origin"},
		{"an origin no rule allows gets none",
			signedRequest(t, http.MethodGet, "/bkt/missing", nil, signOptions{
				header: http.Header{"Origin": {"https://evil.test"}}}),
			404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.r)
			if w.Code != tt.status {
				t.Fatalf("got status %d, want %d; body %s", w.Code, tt.status, w.Body.String())
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Fatalf("got Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if got := w.Header().Get("Vary"); got != tt.vary {
				t.Fatalf("got Vary %q, want %q", got, tt.vary)
			}
		})
	}
}

func TestMatchWildcard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"https://*.example.com", "https://a.example.com", true},
		{"https://*.example.com", "https://example.com", false},
		{"x-amz-*", "x-amz-", true},
		{"ab*ba", "aba", false},
		{"exact", "exact", true},
		{"exact", "exacT", false},
	}
	for _, tt := range tests {
		if got := matchWildcard(tt.pattern, tt.s); got != tt.want {
			t.Errorf("matchWildcard(%q, %q): got %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// newSDKClient returns an aws-sdk-go-v2 S3 client for a path-style
// endpoint served by h.
func newSDKClient(t *testing.T, h http.Handler) *s3.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
	})
}

func TestBucketCorsWithSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newSDKClient(t, newCORSHandler(t))
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("bkt"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
			ID:             aws.String("r1"),
			AllowedOrigins: []string{"https://*.example.com"},
			AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(30),
		}}}})
	if err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("bkt")})
	if err != nil {
		t.Fatalf("GetBucketCors: %v", err)
	}
	if len(out.CORSRules) != 1 || aws.ToString(out.CORSRules[0].ID) != "r1" ||
		aws.ToInt32(out.CORSRules[0].MaxAgeSeconds) != 30 ||
		strings.Join(out.CORSRules[0].AllowedMethods, ",") != "GET,PUT" {
		t.Fatalf("got rules %+v, want the one rule r1 put", out.CORSRules)
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{
		Bucket: aws.String("bkt")}); err != nil {
		t.Fatalf("DeleteBucketCors: %v", err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("bkt")})
	if err == nil || !strings.Contains(err.Error(), "NoSuchCORSConfiguration") {
		t.Fatalf("GetBucketCors after delete: got %v, want NoSuchCORSConfiguration", err)
	}
}
