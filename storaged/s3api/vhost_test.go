package s3api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const testDomain = "s3.strata.test"

func TestValidateDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		domain string
		ok     bool
	}{
		{"a plain DNS name is valid", "s3.strata.test", true},
		{"digits and hyphens inside labels are valid", "s3-1.x9.example", true},
		{"an empty domain is refused", "", false},
		{"a single label is refused", "localhost", false},
		{"upper case is refused", "S3.strata.test", false},
		{"a port is refused", "s3.strata.test:9000", false},
		{"a trailing dot is refused", "s3.strata.test.", false},
		{"a label starting with a hyphen is refused", "-s3.strata.test", false},
		{"a wildcard is refused", "*.strata.test", false},
		{"a label of 64 characters is refused", strings.Repeat("a", 64) + ".test", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateDomain(tt.domain); (err == nil) != tt.ok {
				t.Fatalf("ValidateDomain(%q): got %v, want ok=%v", tt.domain, err, tt.ok)
			}
		})
	}
}

func TestConfigRefusesBadDomains(t *testing.T) {
	t.Parallel()
	cfg := Config{Region: testRegion, Layer: newFakeLayer(),
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret},
		Domains:     []string{"s3.strata.test", "s3.strata.test", "bad_domain.test"}}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "given twice") ||
		!strings.Contains(err.Error(), "bad_domain") {
		t.Fatalf("got %v, want the duplicate and the bad label reported", err)
	}
}

func TestVirtualBucket(t *testing.T) {
	t.Parallel()
	h := &Handler{domains: longestFirst([]string{"strata.test", "s3.strata.test"})}
	tests := []struct {
		host, bucket string
		ok           bool
	}{
		{"photos.s3.strata.test", "photos", true},
		{"photos.s3.strata.test:9000", "photos", true},
		{"Photos.S3.Strata.Test", "photos", true},
		{"my.dotted.bucket.s3.strata.test", "my.dotted.bucket", true},
		{"s3.strata.test", "", false},
		{"s3.strata.test:443", "", false},
		{"other.strata.test", "other", true},
		{"localhost:9000", "", false},
		{"127.0.0.1:9000", "", false},
		{"[::1]:9000", "", false},
		{"evil-s3.strata.test.example", "", false},
	}
	for _, tt := range tests {
		got, ok := h.virtualBucket(tt.host)
		if got != tt.bucket || ok != tt.ok {
			t.Errorf("virtualBucket(%q): got %q, %v, want %q, %v", tt.host, got, ok,
				tt.bucket, tt.ok)
		}
	}
}

// newVHostHandler returns a handler over the fake layer that serves
// testDomain virtual-hosted style.
func newVHostHandler(t *testing.T) (*Handler, *fakeLayer) {
	t.Helper()
	layer := newFakeLayer()
	h, err := New(Config{Region: testRegion, Layer: layer, Domains: []string{testDomain},
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, layer
}

// hostRequest is signedRequest for a URL on another Host.
func hostRequest(t *testing.T, method, host, target string, body []byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, "http://"+host+target, bytes.NewReader(body))
	payload := hex.EncodeToString(sha256Sum(body))
	r.Header.Set("X-Amz-Content-Sha256", payload)
	signer := v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	err := signer.SignHTTP(context.Background(), testCreds, r, payload, "s3", testRegion,
		time.Now())
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return r
}

func TestVirtualHostedRequests(t *testing.T) {
	t.Parallel()
	h, layer := newVHostHandler(t)
	ctx := context.Background()
	host := "bkt." + testDomain + ":9000"

	w := do(h, hostRequest(t, http.MethodPut, host, "/", nil))
	mustStatus(t, w, http.StatusOK, "")
	if _, err := layer.HeadBucket(ctx, "bkt"); err != nil {
		t.Fatalf("CreateBucket through the Host made no bucket: %v", err)
	}
	w = do(h, hostRequest(t, http.MethodPut, host, "/dir//a%20key.txt", []byte("hello")))
	mustStatus(t, w, http.StatusOK, "")
	info, err := layer.HeadObject(ctx, "bkt", "dir//a key.txt")
	if err != nil || info.Size != 5 {
		t.Fatalf("got %+v, %v, want the 5-byte object dir//a key.txt", info, err)
	}
	w = do(h, hostRequest(t, http.MethodGet, host, "/dir//a%20key.txt", nil))
	if w.Code != http.StatusOK || w.Body.String() != "hello" {
		t.Fatalf("GET: got %d %q, want 200 hello", w.Code, w.Body.String())
	}
	w = do(h, hostRequest(t, http.MethodGet, testDomain, "/bkt/dir//a%20key.txt", nil))
	if w.Code != http.StatusOK || w.Body.String() != "hello" {
		t.Fatalf("path style on the bare domain: got %d %q, want 200 hello", w.Code,
			w.Body.String())
	}
}

// testCertificate makes a self-signed certificate for names.
func testCertificate(t *testing.T, names ...string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{CommonName: names[0]},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: names, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// newVHostSDKClient serves h over TLS with a certificate for testDomain
// and *.testDomain, and returns an SDK client that addresses buckets
// virtual-hosted style and dials every host at the server.
func newVHostSDKClient(t *testing.T, h http.Handler) *s3.Client {
	t.Helper()
	cert, pool := testCertificate(t, testDomain, "*."+testDomain)
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	var dialer net.Dialer
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(transport.CloseIdleConnections)
	return s3.New(s3.Options{
		Region:       testRegion,
		BaseEndpoint: aws.String("https://" + testDomain + ":" + port),
		UsePathStyle: false,
		HTTPClient:   &http.Client{Transport: transport},
		Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, testSecret, ""),
	})
}

func TestVirtualHostedWithSDK(t *testing.T) {
	t.Parallel()
	h, _ := newVHostHandler(t)
	var mu sync.Mutex
	hosts := map[string]bool{}
	c := newVHostSDKClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		mu.Lock()
		hosts[host] = true
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	ctx := context.Background()
	bucket := aws.String("photos")

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	for _, key := range []string{"a.txt", "dir/b c.txt", "/leading-slash"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key),
			Body: strings.NewReader("body of " + key)})
		if err != nil {
			t.Fatalf("PutObject(%q): %v", key, err)
		}
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject(%q): %v", key, err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(got) != "body of "+key {
			t.Fatalf("GetObject(%q): got %q, want %q", key, got, "body of "+key)
		}
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if got := strings.Join(keys, ","); got != "/leading-slash,a.txt,dir/b c.txt" {
		t.Fatalf("ListObjectsV2: got keys %s, want /leading-slash,a.txt,dir/b c.txt", got)
	}
	buckets, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(buckets.Buckets) != 1 {
		t.Fatalf("ListBuckets on the bare domain: got %+v, %v, want one bucket", buckets, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !hosts["photos."+testDomain] || !hosts[testDomain] || len(hosts) != 2 {
		t.Fatalf("got requests for hosts %v, want photos.%s and %s", hosts, testDomain,
			testDomain)
	}
}
