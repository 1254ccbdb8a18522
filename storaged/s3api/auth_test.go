package s3api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func TestSignatureVerification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   signOptions
		tamper func(r *http.Request)
		status int
		code   string
	}{
		{name: "a request signed with the right key is accepted", status: http.StatusOK},
		{name: "a request signed with the wrong secret is refused",
			opts: signOptions{creds: aws.Credentials{AccessKeyID: testAccessKey,
				SecretAccessKey: "not-the-secret-key"}},
			status: http.StatusForbidden, code: "SignatureDoesNotMatch"},
		{name: "an unknown access key is refused",
			opts: signOptions{creds: aws.Credentials{AccessKeyID: "AKIDUNKNOWN",
				SecretAccessKey: testSecret}},
			status: http.StatusForbidden, code: "InvalidAccessKeyId"},
		{name: "a request signed 20 minutes ago is refused as skewed",
			opts:   signOptions{at: time.Now().Add(-20 * time.Minute)},
			status: http.StatusForbidden, code: "RequestTimeTooSkewed"},
		{name: "a request signed 20 minutes ahead is refused as skewed",
			opts:   signOptions{at: time.Now().Add(20 * time.Minute)},
			status: http.StatusForbidden, code: "RequestTimeTooSkewed"},
		{name: "a request signed 10 minutes ago is within the skew",
			opts: signOptions{at: time.Now().Add(-10 * time.Minute)}, status: http.StatusOK},
		{name: "a request signed for another region is refused as AWS does",
			opts:   signOptions{region: "eu-west-1"},
			status: http.StatusBadRequest, code: "AuthorizationHeaderMalformed"},
		{name: "a request signed for another service is refused",
			opts:   signOptions{service: "ec2"},
			status: http.StatusBadRequest, code: "AuthorizationHeaderMalformed"},
		{name: "a tampered signed header is refused",
			opts:   signOptions{header: http.Header{"X-Amz-Meta-Note": {"original"}}},
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Note", "changed") },
			status: http.StatusForbidden, code: "SignatureDoesNotMatch"},
		{name: "a tampered query is refused",
			tamper: func(r *http.Request) { r.URL.RawQuery = "prefix=other" },
			status: http.StatusForbidden, code: "SignatureDoesNotMatch"},
		{name: "an x-amz header added after signing is refused",
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Extra", "1") },
			status: http.StatusForbidden, code: "AccessDenied"},
		{name: "a request without any authentication is refused",
			tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			status: http.StatusForbidden, code: "AccessDenied"},
		{name: "a SigV2 header is refused",
			tamper: func(r *http.Request) { r.Header.Set("Authorization", "AWS AKID:c2ln") },
			status: http.StatusBadRequest, code: "InvalidRequest"},
		{name: "a garbled Authorization header is refused as malformed",
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			},
			status: http.StatusBadRequest, code: "AuthorizationHeaderMalformed"},
		{name: "a request without x-amz-content-sha256 is refused",
			tamper: func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") },
			status: http.StatusBadRequest, code: "InvalidRequest"},
		{name: "an unsigned-payload request is accepted",
			opts: signOptions{payload: unsignedPayload}, status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := newTestHandler(t)
			if err := layer.MakeBucket(t.Context(), "photos"); err != nil {
				t.Fatal(err)
			}
			r := signedRequest(t, http.MethodGet, "/photos?list-type=2", nil, tt.opts)
			if tt.tamper != nil {
				tt.tamper(r)
			}
			w := do(h, r)
			mustStatus(t, w, tt.status, tt.code)
		})
	}
}

func TestCanonicalURIKeepsThePathAsSent(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"a double slash stays", "/bucket//notes.txt", "/bucket//notes.txt"},
		{"spaces are encoded", "/b/a%20b", "/b/a%20b"},
		{"raw reserved characters are encoded", "/b/a!b$c", "/b/a%21b%24c"},
		{"over-encoded unreserved characters are decoded", "/b/%7Efile", "/b/~file"},
		{"an escaped slash stays escaped", "/b/a%2Fb", "/b/a%2Fb"},
		{"dot segments stay", "/b/./../x", "/b/./../x"},
		{"lowercase escapes become uppercase", "/b/%e2%82%ac", "/b/%E2%82%AC"},
		{"an empty path is the root", "", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := canonicalURI(tt.in); got != tt.want {
				t.Errorf("canonicalURI(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestKeysWithSpecialCharactersVerify(t *testing.T) {
	t.Parallel()
	keys := []string{"/notes.txt", "a b+c", "dir//x", "ünïcode/€", "q?x=1&y", "semi;colon,comma",
		"tilde~star*", "percent%41", "../up", strings.Repeat("x", 300)}
	for _, key := range keys {
		t.Run("key "+key+" round-trips", func(t *testing.T) {
			t.Parallel()
			h, layer := newTestHandler(t)
			if err := layer.MakeBucket(t.Context(), "keys"); err != nil {
				t.Fatal(err)
			}
			path := "/keys/" + uriEncode(key, false)
			w := do(h, signedRequest(t, http.MethodPut, path, []byte("body"), signOptions{}))
			mustStatus(t, w, http.StatusOK, "")
			w = do(h, signedRequest(t, http.MethodGet, path, nil, signOptions{}))
			mustStatus(t, w, http.StatusOK, "")
			if got := w.Body.String(); got != "body" {
				t.Errorf("got body %q, want %q", got, "body")
			}
			if _, err := layer.HeadObject(t.Context(), "keys", key); err != nil {
				t.Errorf("the key %q was not stored under its name: %v", key, err)
			}
		})
	}
}

func TestPresignedURL(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(t.Context(), "shared"); err != nil {
		t.Fatal(err)
	}
	w := do(h, signedRequest(t, http.MethodPut, "/shared/doc.txt", []byte("hello"), signOptions{}))
	mustStatus(t, w, http.StatusOK, "")

	tests := []struct {
		name    string
		at      time.Time
		expires string
		tamper  string
		status  int
		code    string
	}{
		{"a fresh presigned GET is served", time.Now(), "300", "", http.StatusOK, ""},
		{"an expired presigned GET is refused", time.Now().Add(-time.Hour), "60", "",
			http.StatusForbidden, "AccessDenied"},
		{"a presigned GET with a changed key is refused", time.Now(), "300", "other.txt",
			http.StatusForbidden, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := presignedRequest(t, "/shared/doc.txt", tt.at, tt.expires)
			if tt.tamper != "" {
				r.URL.Path = "/shared/" + tt.tamper
				r.URL.RawPath = ""
			}
			w := do(h, r)
			mustStatus(t, w, tt.status, tt.code)
			if tt.status == http.StatusOK && w.Body.String() != "hello" {
				t.Errorf("got body %q, want %q", w.Body.String(), "hello")
			}
		})
	}
}

// presignedRequest presigns a GET with aws-sdk-go-v2's signer.
func presignedRequest(t *testing.T, path string, at time.Time, expires string) *http.Request {
	t.Helper()
	r := unsignedRequest(http.MethodGet, path+"?X-Amz-Expires="+expires, nil, nil)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	uri, _, err := signer.PresignHTTP(context.Background(), testCreds, r, unsignedPayload,
		"s3", testRegion, at)
	if err != nil {
		t.Fatalf("presigning: %v", err)
	}
	return httptest.NewRequest(http.MethodGet, uri, nil)
}
