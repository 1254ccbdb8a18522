package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testRegion    = "us-east-1"
	testAccessKey = "AKIDSTRATATEST"
	testSecret    = "strata-test-secret-key-0123456789"
	testHost      = "localhost:9000"
)

// testCreds are the key pair the test handler accepts.
var testCreds = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}

// newTestHandler returns a handler over a fresh fake layer.
func newTestHandler(t *testing.T) (*Handler, *fakeLayer) {
	t.Helper()
	layer := newFakeLayer()
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, layer
}

// signOptions vary how a test request is signed.
type signOptions struct {
	creds   aws.Credentials
	region  string
	service string
	at      time.Time
	payload string // x-amz-content-sha256; default: the body's SHA-256
	header  http.Header
}

// signedRequest builds a request and signs it with aws-sdk-go-v2's signer,
// the way the SDK signs S3 requests.
func signedRequest(t testing.TB, method, target string, body []byte, o signOptions) *http.Request {
	t.Helper()
	r := unsignedRequest(method, target, body, o.header)
	if o.creds.AccessKeyID == "" {
		o.creds = testCreds
	}
	if o.region == "" {
		o.region = testRegion
	}
	if o.service == "" {
		o.service = "s3"
	}
	if o.at.IsZero() {
		o.at = time.Now()
	}
	if o.payload == "" {
		sum := sha256.Sum256(body)
		o.payload = hex.EncodeToString(sum[:])
	}
	r.Header.Set("X-Amz-Content-Sha256", o.payload)
	signer := v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), o.creds, r, o.payload, o.service,
		o.region, o.at); err != nil {
		t.Fatalf("signing: %v", err)
	}
	return r
}

func unsignedRequest(method, target string, body []byte, header http.Header) *http.Request {
	r := httptest.NewRequest(method, "http://"+testHost+target, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

// do serves r and returns the recorded answer.
func do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorCode returns the Code of an S3 XML error body, or "".
func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct{ Code string }
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		return ""
	}
	return e.Code
}

// mustStatus fails the test unless the answer has the status and code.
func mustStatus(t *testing.T, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if w.Code != status || errorCode(t, w) != code {
		t.Fatalf("got %d %q, want %d %q; body %s", w.Code, errorCode(t, w), status, code,
			truncate(w.Body.String()))
	}
}

func truncate(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return b
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
