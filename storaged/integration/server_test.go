package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const (
	testRegion    = "us-east-1"
	testAccessKey = "AKIDINTEGRATION"
	testSecret    = "integration-secret-key-0123456789"
	startTimeout  = 30 * time.Second
	stopTimeout   = 30 * time.Second
)

// server is one running storaged process.
type server struct {
	endpoint string // https://127.0.0.1:port
	addr     string
	roots    *x509.CertPool
	caPEM    []byte
	logs     *logBuffer
}

// startServer starts storaged with 4 drives, parity 2 and real TLS on a
// free loopback port, and stops it (gracefully, checking its exit) when
// the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	roots, caPEM, certFile, keyFile := writeTLS(t, dir)
	args := []string{"--listen", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile,
		"--parity", "2", "--credentials-file", writeCredentials(t, dir),
		"--log-json", "--log-level", "debug", "--region", testRegion}
	for i := 1; i <= 4; i++ {
		d := filepath.Join(dir, fmt.Sprintf("drive%d", i))
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--drive", d)
	}
	cmd := exec.Command(storagedBin, args...)
	cmd.Env = cleanEnv()
	logs := &logBuffer{}
	addr := startAndWait(t, cmd, logs)
	return &server{endpoint: "https://" + addr, addr: addr, roots: roots, caPEM: caPEM, logs: logs}
}

// startAndWait starts cmd and returns the address from its "listening"
// log line.
func startAndWait(t *testing.T, cmd *exec.Cmd, logs *logBuffer) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting storaged: %v", err)
	}
	addrc := make(chan string, 1)
	done := make(chan struct{})
	go scanLogs(stderr, logs, addrc, done)
	t.Cleanup(func() { stopServer(t, cmd, logs, done) })
	select {
	case addr := <-addrc:
		return addr
	case <-done:
		t.Fatalf("storaged exited before listening:\n%s", logs)
	case <-time.After(startTimeout):
		t.Fatalf("storaged did not listen within %s:\n%s", startTimeout, logs)
	}
	return ""
}

// scanLogs copies JSON log lines into logs and reports the listen address.
func scanLogs(r io.Reader, logs *logBuffer, addrc chan<- string, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		logs.add(line)
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			continue
		}
		if entry["@message"] == "storaged listening" {
			if a, ok := entry["address"].(string); ok {
				addrc <- a
			}
		}
	}
}

// stopServer sends SIGTERM and demands a clean exit in time.
func stopServer(t *testing.T, cmd *exec.Cmd, logs *logBuffer, done <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { <-done; exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("storaged did not exit cleanly on SIGTERM: %v\n%s", err, logs)
		}
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-exited
		t.Errorf("storaged did not stop within %s of SIGTERM", stopTimeout)
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Errorf("the logs contain the secret key")
	}
	if strings.Contains(logs.String(), "AWS4-HMAC-SHA256 Credential") {
		t.Errorf("the logs contain an Authorization header")
	}
}

// cleanEnv is this process's environment without storaged's own
// variables, so that only the flags configure the server.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "STORAGED_") || strings.HasPrefix(kv, "STRATA_ROOT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func writeCredentials(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "credentials.json")
	body := fmt.Sprintf(`{"accessKeyId":%q,"secretAccessKey":%q}`, testAccessKey, testSecret)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeTLS makes a throwaway CA and a server certificate for 127.0.0.1
// signed by it, writes the server's pair and returns the CA as a pool and
// as PEM.
func writeTLS(t *testing.T, dir string) (*x509.CertPool, []byte, string, string) {
	t.Helper()
	caKey, caCert := newCA(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "storaged"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	roots := x509.NewCertPool()
	roots.AddCert(caCert)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw})
	return roots, caPEM, certFile, keyFile
}

func newCA(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "strata test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}),
		0o600); err != nil {
		t.Fatal(err)
	}
}

// httpClient trusts only the test CA.
func (s *server) httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// client is an aws-sdk-go-v2 S3 client with the SDK's default checksum
// settings, path-style addressing and the test CA. The CA goes in as the
// SDK's custom CA bundle, which also overrides an AWS_CA_BUNDLE in the
// environment; the SDK builds its own http.Client with that pool.
func (s *server) client(t *testing.T, secret string) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(testRegion),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			testAccessKey, secret, "")),
		config.WithCustomCABundle(bytes.NewReader(s.caPEM)),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenSupported ||
		cfg.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenSupported {
		t.Fatalf("the SDK's checksum settings are not its defaults (%v, %v); unset "+
			"AWS_REQUEST_CHECKSUM_CALCULATION and AWS_RESPONSE_CHECKSUM_VALIDATION",
			cfg.RequestChecksumCalculation, cfg.ResponseChecksumValidation)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.BaseEndpoint = aws.String(s.endpoint)
	})
}

// waitForLog waits a few seconds for a log line that contains want.
func (s *server) waitForLog(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line contains %s; the SDK did not take the path under test", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logBuffer collects a process's log lines for failure messages.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
