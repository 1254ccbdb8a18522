// Package teststoraged builds and starts real storaged processes for
// tests: it compiles the binary, makes a throwaway CA and a server
// certificate for 127.0.0.1, writes a credentials file, and runs storaged
// on a free loopback port with four drive folders and parity 2, stopping
// it (and checking that it exits cleanly and logged no secret) when the
// test ends.
//
// It is for tests only: storaged/integration and storaged/compat use it.
// It never talks to anything but the processes it starts, and it owns no
// state beyond the temporary folders of the test that called it.
package teststoraged

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The credentials and region every server started here is configured with.
const (
	Region    = "us-east-1"
	AccessKey = "AKIDINTEGRATION"
	SecretKey = "integration-secret-key-0123456789"
)

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	drives       = 4
	parity       = "2"
)

// Server is one running storaged process. Its fields are set by Start and
// only read afterwards.
type Server struct {
	Endpoint string         // https://127.0.0.1:port
	Addr     string         // 127.0.0.1:port
	Roots    *x509.CertPool // holds only the test CA
	CAPEM    []byte         // the test CA, PEM-encoded
	CAFile   string         // a file holding CAPEM, for clients that take a path
	Logs     *LogBuffer     // storaged's JSON log lines
	Drives   []string       // the drive directories, in set order
}

// Build compiles storaged into dir and returns the binary's path. Call it
// once, from TestMain, and pass the path to Start.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "storaged")
	build := exec.Command("go", "build", "-o", bin,
		"github.com/strata-storage/strata/storaged/cmd/storaged")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building storaged: %w\n%s", err, out)
	}
	return bin, nil
}

// Start runs the storaged binary bin with 4 drives, parity 2 and real TLS
// on a free loopback port, in a temporary folder of t, and stops it
// (gracefully, checking its exit) when t ends. extra flags go at the end of
// its command line. Its certificate covers 127.0.0.1, localhost,
// s3.localhost and *.s3.localhost, so that --domain s3.localhost serves
// virtual-hosted buckets.
func Start(t testing.TB, bin string, extra ...string) *Server {
	t.Helper()
	dir := t.TempDir()
	pki := writeTLS(t, dir)
	args := []string{"--listen", "127.0.0.1:0", "--tls-cert", pki.certFile,
		"--tls-key", pki.keyFile, "--parity", parity,
		"--credentials-file", writeCredentials(t, dir),
		"--log-json", "--log-level", "debug", "--region", Region}
	var dirs []string
	for i := 1; i <= drives; i++ {
		d := filepath.Join(dir, fmt.Sprintf("drive%d", i))
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--drive", d)
		dirs = append(dirs, d)
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Env = CleanEnv()
	logs := &LogBuffer{}
	addr := startAndWait(t, cmd, logs)
	return &Server{Endpoint: "https://" + addr, Addr: addr, Roots: pki.roots,
		CAPEM: pki.caPEM, CAFile: pki.caFile, Logs: logs, Drives: dirs}
}

// startAndWait starts cmd and returns the address from its "listening"
// log line.
func startAndWait(t testing.TB, cmd *exec.Cmd, logs *LogBuffer) string {
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
func scanLogs(r io.Reader, logs *LogBuffer, addrc chan<- string, done chan<- struct{}) {
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

// stopServer sends SIGTERM and demands a clean exit in time, and checks
// that no secret reached the logs.
func stopServer(t testing.TB, cmd *exec.Cmd, logs *LogBuffer, done <-chan struct{}) {
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
	if strings.Contains(logs.String(), SecretKey) {
		t.Errorf("the logs contain the secret key")
	}
	if strings.Contains(logs.String(), "AWS4-HMAC-SHA256 Credential") {
		t.Errorf("the logs contain an Authorization header")
	}
}

// CleanEnv is this process's environment without storaged's own
// variables, so that only the flags configure the server.
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "STORAGED_") || strings.HasPrefix(kv, "STRATA_ROOT_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func writeCredentials(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "credentials.json")
	body := fmt.Sprintf(`{"accessKeyId":%q,"secretAccessKey":%q}`, AccessKey, SecretKey)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// HTTPClient returns an HTTP client that trusts only the test CA.
func (s *Server) HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

// WaitForLog waits a few seconds for a log line that contains want and
// fails t when none comes.
func (s *Server) WaitForLog(t testing.TB, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.Logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log line contains %s; the client did not take the path under test", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// LogBuffer collects a process's log lines for failure messages. It is
// safe for concurrent use.
type LogBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *LogBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

// String returns every line collected so far, joined by newlines.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
