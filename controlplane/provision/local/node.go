package local

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// node is one storaged process of a tenant.
type node struct {
	name, pool, dir string
	drives, parity  int
	region          string
	port            int
	certNotAfter    time.Time
	// lifetime and renewBefore govern the node's certificate.
	lifetime, renewBefore time.Duration
	// topology and caFile are set on a node of a multi-server tenant: the
	// topology file and the tenant's CA, which checks the other nodes.
	topology, caFile string
	// provided is set when the S3 endpoint serves a provided certificate
	// (see tlsArgs), and providedCert is that certificate as last read;
	// served is the node certificate the node showed at its last probe.
	provided     bool
	providedCert *model.ProvidedCert
	served       *x509.Certificate
	// metrics is set when the node serves Prometheus metrics.
	metrics bool
	// rrsParity is the parity of REDUCED_REDUNDANCY objects, 0 for the
	// tenant's parity (no --rrs-parity).
	rrsParity int
	// auditTargets and logTargets are where the node sends its S3 audit
	// records and its log lines.
	auditTargets, logTargets []model.LogTarget
}

// nodeFile is what node.json keeps across restarts.
type nodeFile struct {
	Port int `json:"port"`
}

const (
	pidFile = "storaged.pid"
	logFile = "storaged.log"
	// DefaultRenewBefore is how long before expiry a node certificate is
	// replaced unless Config says otherwise.
	DefaultRenewBefore = 30 * 24 * time.Hour
)

func (n *node) endpoint() string {
	return "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port))
}

// prepare creates the node's directories, chooses its port once and makes
// sure it has a valid certificate.
//
// Drive directories are made only while the node is not running: one that
// disappears under a running node is a lost drive, which the node reports,
// not something to paper over. When the node starts again the empty
// directory stands for a replaced drive, which storaged formats.
func (n *node) prepare(ca *pki.CA) error {
	if _, running := livePID(n.dir); !running {
		for i := range n.drives {
			if err := os.MkdirAll(n.drivePath(i), 0o700); err != nil {
				return fmt.Errorf("creating drive: %w", err)
			}
		}
	}
	if err := n.loadOrChoosePort(); err != nil {
		return err
	}
	if err := n.ensureCert(ca); err != nil || n.providedCert == nil {
		return err
	}
	if changed, err := n.ensureEndpointCert(n.providedCert); err != nil || !changed {
		return err
	}
	n.reload()
	return nil
}

func (n *node) drivePath(i int) string {
	return filepath.Join(n.dir, "drives", "d"+strconv.Itoa(i))
}

func (n *node) loadOrChoosePort() error {
	path := filepath.Join(n.dir, "node.json")
	var nf nodeFile
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &nf); err != nil || nf.Port == 0 {
			return fmt.Errorf("%s is damaged (%v): remove it to choose a new port", path, err)
		}
		n.port = nf.Port
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if nf.Port, err = freePort(); err != nil {
		return err
	}
	b, _ = json.Marshal(nf)
	n.port = nf.Port
	return atomicfile.Write(path, b, 0o600)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("choosing a port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ensureCert issues the node's certificate when it is missing, not from
// the tenant's active CA, not naming the node as a DNS name (which clients
// ask for by SNI), or due for renewal. A node that runs gets SIGHUP, on
// which storaged loads the new certificate without dropping requests.
func (n *node) ensureCert(ca *pki.CA) error {
	certPath := filepath.Join(n.dir, "cert.pem")
	if b, err := os.ReadFile(certPath); err == nil {
		c, err := pki.ParseCert(b)
		if err == nil && time.Until(c.NotAfter) > n.renewBefore &&
			c.CheckSignatureFrom(ca.Cert) == nil && slices.Contains(c.DNSNames, n.name) {
			n.certNotAfter = c.NotAfter
			return nil
		}
	}
	iss, err := ca.IssueServer(n.name, []string{n.name, "localhost", "127.0.0.1", "::1"},
		n.lifetime)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(n.dir, "key.pem"), iss.KeyPEM, 0o600); err != nil {
		return err
	}
	n.certNotAfter = iss.NotAfter
	if err := atomicfile.Write(certPath, iss.CertPEM, 0o644); err != nil {
		return err
	}
	n.reload()
	return nil
}

// reload sends SIGHUP to the node's process, if one runs: storaged then
// loads its certificate and its access keys again without dropping
// requests.
func (n *node) reload() {
	if pid, running := livePID(n.dir); running {
		_ = syscall.Kill(pid, syscall.SIGHUP)
	}
}

// drivePaths returns the node's drive directories in order.
func (n *node) drivePaths() []string {
	drives := make([]string, n.drives)
	for i := range drives {
		drives[i] = n.drivePath(i)
	}
	return drives
}

// args is storaged's command line for this node: its drives and parity,
// or, on a multi-server tenant, the topology that names them, the parity
// of reduced redundancy when the tenant sets one, and its audit and log
// targets.
func (n *node) args(credentials string) []string {
	args := []string{
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)),
		"--region", n.region,
		"--credentials-file", credentials,
		accessKeysFlag, filepath.Join(n.dir, accessKeysFile),
		"--log-json",
		"--metrics=" + strconv.FormatBool(n.metrics),
	}
	args = append(args, n.tlsArgs()...)
	args = append(args, targetArgs("--audit-target", n.auditTargets)...)
	args = append(args, targetArgs("--log-target", n.logTargets)...)
	if n.rrsParity > 0 {
		args = append(args, "--rrs-parity", strconv.Itoa(n.rrsParity))
	}
	if n.topology != "" {
		return append(args, "--topology", n.topology, "--node-name", n.name,
			"--tls-ca", n.caFile)
	}
	return append(args, "--drive", strings.Join(n.drivePaths(), ","),
		"--parity", strconv.Itoa(n.parity))
}

// credentialsPath is the tenant's root credentials file, which the node
// reads at start.
func (n *node) credentialsPath() string {
	return filepath.Join(filepath.Dir(filepath.Dir(n.dir)), credentialsFile)
}

// start runs storaged for the node in a session of its own, so that it
// outlives the control plane, and records its pid.
func (n *node) start(bin string, log hclog.Logger) error {
	logf, err := os.OpenFile(filepath.Join(n.dir, logFile),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening log: %w", err)
	}
	defer logf.Close()
	keys, err := n.stageAccessKeys()
	if err != nil {
		return err
	}
	if err := n.markTopology(); err != nil {
		return err
	}
	cmd := exec.Command(bin, n.args(n.credentialsPath())...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting storaged: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reap it if it exits while we run
	log.Info("started storage node", "node", n.name, "pid", cmd.Process.Pid, "port", n.port)
	pid := []byte(strconv.Itoa(cmd.Process.Pid))
	if err := atomicfile.Write(filepath.Join(n.dir, pidFile), pid, 0o600); err != nil {
		return err
	}
	return n.markApplied(appliedMark(cmd.Process.Pid, keys))
}

// exitedLogTail returns the last lines of the node's log when a pid file
// says it ran before, and "" when it never ran.
func (n *node) exitedLogTail() string {
	if _, err := os.Stat(filepath.Join(n.dir, pidFile)); err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(n.dir, logFile))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-3):], " | ")
}

// livePID reads dir's pid file and checks that the process is alive, not a
// zombie, and a storaged serving that directory (pids are reused).
func livePID(dir string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte(dir+string(os.PathSeparator))) {
		return 0, false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' {
		return 0, false
	}
	return pid, true
}

// ready asks the node's readiness endpoint over TLS, trusting only the
// tenant's CA.
func (n *node) ready(ctx context.Context, ca *pki.CA) bool {
	resp, err := n.health(ctx, ca, "ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// drivesReport is the part of storaged's /strata/health/drives answer that
// the provisioner reads.
type drivesReport struct {
	Drives []struct {
		Drive  string `json:"drive"`
		Online bool   `json:"online"`
	} `json:"drives"`
}

// driveStates asks the node which of its own drives answer (a node of a
// multi-node tenant also reports its peers' drives, which are skipped). A
// node that does not answer the question counts all its drives online, as
// its readiness said.
func (n *node) driveStates(ctx context.Context, ca *pki.CA) (online int, offline []string) {
	resp, err := n.health(ctx, ca, "drives")
	if err != nil {
		return n.drives, nil
	}
	defer resp.Body.Close()
	var rep drivesReport
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&rep) != nil {
		return n.drives, nil
	}
	for _, d := range rep.Drives {
		switch {
		case !strings.HasPrefix(d.Drive, n.dir+string(os.PathSeparator)):
		case d.Online:
			online++
		default:
			offline = append(offline, n.name+":"+filepath.Base(d.Drive))
		}
	}
	return online, offline
}

// health GETs one of the node's /strata/health endpoints over TLS, asking
// for the node's certificate by SNI and trusting only the tenant's CA
// bundle, and records the certificate the node showed.
func (n *node) health(ctx context.Context, ca *pki.CA, what string) (*http.Response, error) {
	client := &http.Client{
		Timeout: readyTimeout,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: trustPool(ca), ServerName: n.name,
				MinVersion: tls.VersionTLS12},
			DisableKeepAlives: true,
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		n.endpoint()+"/strata/health/"+what, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err == nil && resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		n.served = resp.TLS.PeerCertificates[0]
	}
	return resp, err
}

// targetArgs is flag once per target, each with the target as the JSON
// object storaged reads.
func targetArgs(flag string, targets []model.LogTarget) []string {
	var args []string
	for _, t := range targets {
		b, err := json.Marshal(t)
		if err != nil { // a struct of strings always marshals
			panic(err)
		}
		args = append(args, flag, string(b))
	}
	return args
}
