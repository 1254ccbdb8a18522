package local

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// providedFiles issues a certificate for 127.0.0.1 and localhost from ca
// and writes it into dir as cert.pem (followed by the CA, so that the
// chain's last certificate is the CA) and key.pem.
func providedFiles(t *testing.T, ca *pki.CA, dir string) *x509.Certificate {
	t.Helper()
	iss, err := ca.IssueServer("s3.example.test", []string{"127.0.0.1", "localhost"},
		time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), iss.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	chain := append(iss.CertPEM, ca.CertPEM...)
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), chain, 0o644); err != nil {
		t.Fatal(err)
	}
	leaf, err := pki.ParseCert(iss.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// servedLeaf returns the certificate that endpoint shows a client that
// trusts only bundle and sends no server name.
func servedLeaf(t *testing.T, endpoint string, bundle []byte) *x509.Certificate {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(bundle)
	conn, err := tls.Dial("tcp", strings.TrimPrefix(endpoint, "https://"),
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS to %s: %v", endpoint, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0]
}

func TestAProvidedCertificateIsWhatS3ClientsSee(t *testing.T) {
	t.Parallel()
	userCA, err := pki.NewCA("user test CA")
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	leaf := providedFiles(t, userCA, files)
	p := newProvisioner(t)
	tenant := newTenant("byo", 2, 2)
	tenant.Spec.TLS = &model.TenantTLS{Source: model.TLSSourceProvided,
		CertFile: filepath.Join(files, "cert.pem"), KeyFile: filepath.Join(files, "key.pem")}
	obs := ensureReady(t, p, tenant)

	if obs.CABundle != string(userCA.CertPEM) {
		t.Errorf("CA bundle: got %q, want the provided chain's CA", obs.CABundle)
	}
	if !obs.CertNotAfter.Equal(leaf.NotAfter) {
		t.Errorf("certificate expiry: got %s, want %s", obs.CertNotAfter, leaf.NotAfter)
	}
	ca, err := pki.LoadCA(p.TenantDir("byo"))
	if err != nil || !obs.CAExpiry.Equal(ca.Cert.NotAfter) {
		t.Errorf("CA expiry: got %s, want the internal CA's %v (%v)", obs.CAExpiry, ca, err)
	}
	// The test's leaf lives less than the default renewal window, which
	// the control plane cannot act on for a certificate it did not issue.
	if !strings.Contains(obs.TLSWarning, "expires at") || obs.TLSExpired {
		t.Errorf("a provided certificate inside the renewal window: got warning %q "+
			"(expired %v), want one that it expires soon", obs.TLSWarning, obs.TLSExpired)
	}
	for _, n := range obs.Nodes {
		got := servedLeaf(t, n.Endpoint, userCA.CertPEM)
		if got.SerialNumber.Cmp(leaf.SerialNumber) != 0 || got.Issuer.CommonName != "user test CA" {
			t.Errorf("%s serves serial %s from %q, want serial %s from the user's CA",
				n.Name, got.SerialNumber, got.Issuer.CommonName, leaf.SerialNumber)
		}
	}
	putAndGetThroughBothNodes(t, obs)

	t.Run("a changed certificate file is served after a reload", func(t *testing.T) {
		pid, _ := livePID(p.node(tenant, tenant.Spec.Pools[0], 0).dir)
		next := providedFiles(t, userCA, files)
		if _, err := p.Ensure(context.Background(), tenant); err != nil {
			t.Fatal(err)
		}
		waitForSerial(t, obs.Endpoint, userCA.CertPEM, next)
		if now, _ := livePID(p.node(tenant, tenant.Spec.Pools[0], 0).dir); now != pid {
			t.Errorf("storaged pid changed from %d to %d: want a reload, not a restart", pid, now)
		}
	})
}

// putAndGetThroughBothNodes stores an object through the first node and
// reads it through the second: its shards travel over the drive RPC.
func putAndGetThroughBothNodes(t *testing.T, obs provision.Observed) {
	t.Helper()
	ctx := context.Background()
	first := s3Client(t, obs, obs.Nodes[0].Endpoint)
	if _, err := first.CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String("tls-bucket")}); err != nil {
		t.Fatalf("creating a bucket: %v", err)
	}
	body := bytes.Repeat([]byte("provided"), 100_000)
	_, err := first.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tls-bucket"),
		Key: aws.String("k"), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	got, err := getObject(ctx, s3Client(t, obs, obs.Nodes[1].Endpoint), "tls-bucket", "k")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("GET through the second node: got %d bytes, %v; want %d bytes",
			len(got), err, len(body))
	}
}

// waitForSerial waits up to 5 seconds for endpoint to serve want.
func waitForSerial(t *testing.T, endpoint string, bundle []byte, want *x509.Certificate) {
	t.Helper()
	for range 50 {
		if servedLeaf(t, endpoint, bundle).SerialNumber.Cmp(want.SerialNumber) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s still serves another certificate, want serial %s", endpoint,
		want.SerialNumber)
}

// rotationWatch runs Ensure every 300ms and keeps the last CA bundle, as
// clients that poll the tenant's status would.
type rotationWatch struct {
	mu     sync.Mutex
	bundle string
	err    error
}

func (w *rotationWatch) run(ctx context.Context, p *Provisioner, tenant *model.Tenant) {
	for ctx.Err() == nil {
		obs, err := p.Ensure(ctx, tenant)
		w.mu.Lock()
		if err != nil && ctx.Err() == nil {
			w.err = err
		} else if err == nil {
			w.bundle = obs.CABundle
		}
		w.mu.Unlock()
		time.Sleep(300 * time.Millisecond)
	}
}

func (w *rotationWatch) last() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bundle, w.err
}

// TestCARotationKeepsClientsWorking rotates the CA of a running 2-node
// tenant: with a lifetime of 30s and a window of 12s, the next CA is
// published at 18s, signs the nodes' certificates from 24s, and the old
// one is dropped once it expired at 30s (and before the new one is due
// for rotation at 36s).
func TestCARotationKeepsClientsWorking(t *testing.T) {
	t.Parallel()
	p, err := New(Config{StateDir: t.TempDir(), StoragedBin: storagedBin,
		CALifetime: 30 * time.Second, CARenewBefore: 12 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tenant := newTenant("rotor", 2, 2)
	obs := ensureReady(t, p, tenant)
	firstCA, err := pki.ParseCert([]byte(obs.CABundle))
	if err != nil {
		t.Fatal(err)
	}
	putAndGetThroughBothNodes(t, obs)

	ctx, cancel := context.WithCancel(context.Background())
	w := &rotationWatch{bundle: obs.CABundle}
	done := make(chan struct{})
	go func() { defer close(done); w.run(ctx, p, tenant) }()
	gets, pruned := getAcrossRotation(t, w, obs, firstCA)
	cancel()
	<-done

	if !pruned {
		t.Fatalf("the old CA was never dropped from the bundle within the test's bound")
	}
	active, err := pki.LoadCA(p.TenantDir("rotor"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range obs.Nodes {
		leaf := servedLeaf(t, n.Endpoint, active.BundlePEM())
		if leaf.CheckSignatureFrom(active.Cert) != nil || active.Cert.Equal(firstCA) {
			t.Errorf("%s serves a certificate from %q, want one from the new CA",
				n.Name, leaf.Issuer.CommonName)
		}
	}
	t.Logf("%d GETs across the rotation, none failed", gets)
}

// getAcrossRotation GETs the object every 100ms, each time over a new TLS
// connection that trusts the last published bundle, until the bundle no
// longer holds firstCA (it rotated and was pruned), for at most 45s. It
// fails the test on the first failed GET.
func getAcrossRotation(t *testing.T, w *rotationWatch, obs provision.Observed,
	firstCA *x509.Certificate) (gets int, pruned bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		bundle, err := w.last()
		if err != nil {
			t.Fatalf("Ensure during the rotation: %v", err)
		}
		c := freshClient(t, obs, bundle)
		if _, err := getObject(context.Background(), c, "tls-bucket", "k"); err != nil {
			t.Fatalf("GET %d during the rotation: %v", gets+1, err)
		}
		gets++
		certs, _ := pki.ParseCerts([]byte(bundle))
		if !slices.ContainsFunc(certs, firstCA.Equal) {
			return gets, true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return gets, false
}

// freshClient is an S3 client of the first node that trusts bundle and
// opens a new connection for every request.
func freshClient(t *testing.T, obs provision.Observed, bundle string) *s3.Client {
	t.Helper()
	obs.CABundle = bundle
	c := s3Client(t, obs, obs.Nodes[0].Endpoint)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(bundle))
	return s3.New(c.Options(), func(o *s3.Options) {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	})
}

func TestProvidedCertificateWarnings(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	window := 30 * 24 * time.Hour
	tests := []struct {
		name        string
		notAfter    time.Time
		wantWarning string
		wantExpired bool
	}{
		{"a certificate far from expiry needs nothing", now.Add(90 * 24 * time.Hour), "", false},
		{"a certificate within the window is reported", now.Add(24 * time.Hour),
			"expires at 2026-01-02T00:00:00Z: the control plane cannot renew a certificate it " +
				"did not issue; replace it before then", false},
		{"an expired certificate is reported as expired", now.Add(-time.Second),
			"expired at 2025-12-31T23:59:59Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg, expired := providedWarning(tt.notAfter, now, window, "replace it")
			if expired != tt.wantExpired || (tt.wantWarning == "") != (msg == "") ||
				!strings.Contains(msg, tt.wantWarning) {
				t.Errorf("got %q, expired=%v; want %q, expired=%v", msg, expired,
					tt.wantWarning, tt.wantExpired)
			}
		})
	}
}

// TestSwitchingTheTLSSourceRestartsNodesOneAtATime switches a running
// tenant from its internal CA to a provided certificate and back: each
// time the nodes restart one at a time, and then every node serves the
// other certificate to S3 clients, and the data stays readable.
func TestSwitchingTheTLSSourceRestartsNodesOneAtATime(t *testing.T) {
	t.Parallel()
	userCA, err := pki.NewCA("user switch CA")
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	leaf := providedFiles(t, userCA, files)
	p := newProvisioner(t)
	tenant := newTenant("tls-switch", 2, 2)
	obs := ensureReady(t, p, tenant)
	putAndGetThroughBothNodes(t, obs)
	internal := []byte(obs.CABundle)

	tenant.Spec.TLS = &model.TenantTLS{Source: model.TLSSourceProvided,
		CertFile: filepath.Join(files, "cert.pem"), KeyFile: filepath.Join(files, "key.pem")}
	obs = rollTo(t, p, tenant)
	if obs.CABundle != string(userCA.CertPEM) {
		t.Errorf("CA bundle after the switch: got %q, want the provided chain's CA",
			obs.CABundle)
	}
	for _, n := range obs.Nodes {
		if got := servedLeaf(t, n.Endpoint, userCA.CertPEM); got.SerialNumber.Cmp(
			leaf.SerialNumber) != 0 {
			t.Errorf("%s serves serial %s from %q, want the provided serial %s", n.Name,
				got.SerialNumber, got.Issuer.CommonName, leaf.SerialNumber)
		}
	}
	got, err := getObject(context.Background(), s3Client(t, obs, obs.Nodes[1].Endpoint),
		"tls-bucket", "k")
	if err != nil || len(got) != 800_000 {
		t.Errorf("GET after the switch: got %d bytes, %v; want 800000", len(got), err)
	}

	tenant.Spec.TLS = nil
	obs = rollTo(t, p, tenant)
	if obs.CABundle != string(internal) {
		t.Errorf("CA bundle after switching back: got %q, want the internal CA", obs.CABundle)
	}
	for _, n := range obs.Nodes {
		got := servedLeaf(t, n.Endpoint, internal)
		if got.Issuer.CommonName != "Strata tenant tls-switch CA" {
			t.Errorf("%s serves a certificate from %q, want the tenant's CA", n.Name,
				got.Issuer.CommonName)
		}
	}
}
