package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/api"
	"github.com/strata-storage/strata/controlplane/kms"
	"github.com/strata-storage/strata/controlplane/leader"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
	"github.com/strata-storage/strata/controlplane/provision/local"
	"github.com/strata-storage/strata/controlplane/reconcile"
	"github.com/strata-storage/strata/controlplane/secrets"
	"github.com/strata-storage/strata/controlplane/store"
	"github.com/strata-storage/strata/internal/atomicfile"
)

// Environment variables that serve's flags fall back to.
const (
	envListen    = "STRATA_LISTEN"
	envStateDir  = "STRATA_STATE_DIR"
	envStoraged  = "STRATA_STORAGED_BIN"
	envLogLevel  = "STRATA_LOG_LEVEL"
	envStore     = "STRATA_STORE"
	envSecrets   = "STRATA_SECRETS_KEY_FILE"
	envKube      = "KUBECONFIG"
	defaultState = "./.strata"
)

// Files in the state directory.
const (
	tokenFile     = "admin.token"
	secretsFile   = "secrets.key"
	stateFile     = "state.db"
	serverCert    = "server.pem"
	serverKey     = "server-key.pem"
	cpPIDFile     = "controlplane.pid"
	serverRenewAt = 30 * 24 * time.Hour
)

type serveConfig struct {
	listen, stateDir, storagedBin, logLevel string
	store, etcdPrefix, secretsKeyFile       string
	kubeconfig                              string
	resync, leaseTTL                        time.Duration
	certLifetime, certRenewBefore           time.Duration
	caLifetime, caRenewBefore               time.Duration
}

func parseServe(args []string) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", envOr(envListen, "127.0.0.1:7443"),
		"address to serve HTTPS on ($"+envListen+")")
	fs.StringVar(&c.stateDir, "state-dir", envOr(envStateDir, defaultState),
		"directory for state, keys, certificates and drives ($"+envStateDir+")")
	fs.StringVar(&c.storagedBin, "storaged-bin", envOr(envStoraged, ""),
		"storaged binary (default: storaged beside this binary) ($"+envStoraged+")")
	fs.StringVar(&c.logLevel, "log-level", envOr(envLogLevel, "info"),
		"trace, debug, info, warn or error ($"+envLogLevel+")")
	fs.DurationVar(&c.resync, "resync", 15*time.Second,
		"how often every resource is checked for drift")
	fs.StringVar(&c.store, "store", envOr(envStore, "bolt"),
		"where state lives: bolt (state.db in the state directory) or "+
			"etcd://host:port[,host:port...] for several replicas ($"+envStore+")")
	fs.StringVar(&c.etcdPrefix, "etcd-prefix", "/strata/", "key prefix in etcd")
	fs.StringVar(&c.secretsKeyFile, "secrets-key-file", envOr(envSecrets, ""),
		"file of the 32-byte key that seals secrets in the store (raw or hex); default "+
			secretsFile+" in the state directory, made on first start; required with etcd, "+
			"the same file for every replica ($"+envSecrets+")")
	fs.StringVar(&c.kubeconfig, "kubeconfig", envOr(envKube, ""),
		"kubeconfig file of the Kubernetes API that holds the Secrets tenants name in "+
			"tls.secretRef; in a Kubernetes pod the pod's service account is used without it "+
			"($"+envKube+")")
	fs.DurationVar(&c.leaseTTL, "leader-lease", 5*time.Second,
		"with etcd, how long a lost leader keeps the leadership")
	fs.DurationVar(&c.certLifetime, "cert-lifetime", pki.CertLifetime,
		"how long storage nodes' certificates are valid")
	fs.DurationVar(&c.certRenewBefore, "cert-renew-before", local.DefaultRenewBefore,
		"how long before expiry a node's certificate is replaced (the node reloads it)")
	fs.DurationVar(&c.caLifetime, "ca-lifetime", local.DefaultCALifetime,
		"how long a tenant's CA is valid")
	fs.DurationVar(&c.caRenewBefore, "ca-renew-before", local.DefaultCARenewBefore,
		"how long before a tenant CA expires its successor is published in the tenant's "+
			"CA bundle; nodes get certificates of the new CA from half that before expiry")
	fs.String("config", os.Getenv(envConfig), "a YAML or JSON file whose keys are these "+
		"flags' names; the environment and the command line win over it ($"+envConfig+")")
	if path := configPath(args); path != "" {
		if err := applyConfigFile(fs, path); err != nil {
			return c, err
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q: serve takes only flags", fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(c.listen); err != nil {
		return c, fmt.Errorf("--listen %q is not host:port, such as 127.0.0.1:7443", c.listen)
	}
	if hclog.LevelFromString(c.logLevel) == hclog.NoLevel {
		return c, fmt.Errorf("--log-level %q: use trace, debug, info, warn or error", c.logLevel)
	}
	if c.resync < time.Second {
		return c, fmt.Errorf("--resync %s is too short: use at least 1s", c.resync)
	}
	if c.store != "bolt" && !strings.HasPrefix(c.store, "etcd://") {
		return c, fmt.Errorf("--store %q: use bolt or etcd://host:port[,host:port...]", c.store)
	}
	if c.store != "bolt" && c.secretsKeyFile == "" {
		return c, fmt.Errorf("--secrets-key-file is required with --store %s: every replica "+
			"must seal and open the state with the same key; %s", c.store,
			store.MakeSecretsKeyHint)
	}
	if c.storagedBin == "" {
		c.storagedBin = besideSelf("storaged")
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func besideSelf(name string) string {
	self, err := os.Executable()
	if err != nil {
		return name
	}
	return filepath.Join(filepath.Dir(self), name)
}

func serve(args []string) int {
	cfg, err := parseServe(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "strata-controlplane serve:", err)
		return 2
	}
	log := hclog.New(&hclog.LoggerOptions{Name: "strata-controlplane",
		Level: hclog.LevelFromString(cfg.logLevel)})
	if err := runServer(cfg, log); err != nil {
		log.Error("control plane stopped", "error", err)
		return 1
	}
	return 0
}

func runServer(cfg serveConfig, log hclog.Logger) error {
	if err := os.MkdirAll(cfg.stateDir, 0o700); err != nil {
		return fmt.Errorf("creating state directory: %w", err)
	}
	st, elector, err := openSealedStore(cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	token, err := loadOrCreateToken(filepath.Join(cfg.stateDir, tokenFile))
	if err != nil {
		return err
	}
	tlsCfg, err := serverTLS(cfg)
	if err != nil {
		return err
	}
	secretReader, err := kubeSecrets(cfg, log)
	if err != nil {
		return err
	}
	prov, err := local.New(local.Config{StateDir: cfg.stateDir, StoragedBin: cfg.storagedBin,
		Logger: log.Named("local"), CertLifetime: cfg.certLifetime,
		CertRenewBefore: cfg.certRenewBefore, CALifetime: cfg.caLifetime,
		CARenewBefore: cfg.caRenewBefore, Secrets: secretReader})
	if err != nil {
		return err
	}
	keys, err := kms.NewBuiltin(kms.Config{StateDir: cfg.stateDir, Store: st})
	if err != nil {
		return err
	}
	ctrl := reconcile.New(reconcile.Config{
		Store:        st,
		Provisioners: map[string]provision.Provisioner{model.ClusterLocal: prov},
		Keys:         keys,
		Logger:       log.Named("reconcile"),
		Resync:       cfg.resync,
	})
	srv := api.New(api.Config{Store: st, Token: token, Notifier: ctrl, Logger: log.Named("api"),
		Secrets: secretReader})
	return listenAndServe(cfg, log, tlsCfg, srv, func(ctx context.Context) {
		reconcileWhileLeading(ctx, log, elector, ctrl)
	})
}

// kubeSecrets returns the reader of the Kubernetes Secrets that tenants
// name: through --kubeconfig, else the pod's service account, else none
// (a tenant's secretRef is then refused with what to do).
func kubeSecrets(cfg serveConfig, log hclog.Logger) (model.SecretReader, error) {
	if cfg.kubeconfig != "" {
		k, err := secrets.NewKubernetes(cfg.kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig: %w", err)
		}
		log.Info("reading tenants' certificate Secrets", "kubernetes", k.Host())
		return k, nil
	}
	k, ok, err := secrets.InCluster()
	if err != nil || !ok {
		return nil, err
	}
	log.Info("reading tenants' certificate Secrets with the pod's service account",
		"kubernetes", k.Host())
	return k, nil
}

// openSealedStore opens the store that --store names, sealed with the
// secrets key, and the elector that goes with it. Values that an older
// control plane wrote in the clear are sealed now, and on bbolt the file
// is compacted so that no clear copy stays in its free pages.
func openSealedStore(cfg serveConfig, log hclog.Logger) (store.Store, leader.Elector, error) {
	key, keyPath, err := secretsKey(cfg)
	if err != nil {
		return nil, nil, err
	}
	inner, elector, err := openStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, n, err := store.Seal(context.Background(), inner, key)
	clear(key)
	if err != nil {
		inner.Close()
		return nil, nil, fmt.Errorf("opening the store with the secrets key %s: %w", keyPath,
			err)
	}
	if n == 0 {
		return st, elector, nil
	}
	log.Info("sealed values that were stored in the clear", "count", n)
	if b, ok := inner.(*store.Bolt); ok {
		if err := b.Compact(); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	return st, elector, nil
}

// secretsKey reads the key that --secrets-key-file names, or, without the
// flag, the one in the state directory, made on first start.
func secretsKey(cfg serveConfig) ([]byte, string, error) {
	if cfg.secretsKeyFile != "" {
		key, err := store.ReadSecretsKey(cfg.secretsKeyFile)
		return key, cfg.secretsKeyFile, err
	}
	path := filepath.Join(cfg.stateDir, secretsFile)
	key, err := store.ReadOrCreateSecretsKey(path)
	return key, path, err
}

// openStore opens the store that --store names, and the elector that goes
// with it.
func openStore(cfg serveConfig) (store.Store, leader.Elector, error) {
	if cfg.store == "bolt" {
		st, err := store.OpenBolt(filepath.Join(cfg.stateDir, stateFile))
		return st, leader.Alone{}, err
	}
	var endpoints []string
	for _, hp := range strings.Split(strings.TrimPrefix(cfg.store, "etcd://"), ",") {
		endpoints = append(endpoints, "http://"+hp)
	}
	st, err := store.OpenEtcd(context.Background(), endpoints, cfg.etcdPrefix)
	if err != nil {
		return nil, nil, err
	}
	el := leader.NewEtcd(st.Client(), cfg.etcdPrefix+"leader", cfg.listen, cfg.leaseTTL)
	return st, el, nil
}

// reconcileWhileLeading runs the reconcile loops whenever this replica
// leads, until ctx ends.
func reconcileWhileLeading(ctx context.Context, log hclog.Logger, el leader.Elector,
	ctrl *reconcile.Controller) {
	for ctx.Err() == nil {
		lctx, err := el.Lead(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("campaigning for leadership failed; retrying", "error", err)
				time.Sleep(time.Second)
			}
			continue
		}
		log.Info("leading: running the reconcile loops")
		ctrl.Run(lctx)
		if ctx.Err() == nil {
			log.Warn("lost the leadership: reconcile loops stopped")
		}
	}
}

func listenAndServe(cfg serveConfig, log hclog.Logger, tlsCfg *tls.Config, h http.Handler,
	background func(context.Context)) error {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return fmt.Errorf("listening on %s (is another control plane running?): %w",
			cfg.listen, err)
	}
	pidPath := filepath.Join(cfg.stateDir, cpPIDFile)
	if cfg.store != "bolt" { // replicas may share the state directory
		pidPath = filepath.Join(cfg.stateDir, "controlplane-"+portOf(ln)+".pid")
	}
	if err := atomicfile.Write(pidPath, []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return err
	}
	defer os.Remove(pidPath)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() { background(ctx); close(done) }()
	hs := &http.Server{Handler: h, TLSConfig: tlsCfg, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug})}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	log.Info("serving", "endpoint", "https://"+ln.Addr().String(), "state_dir", cfg.stateDir)
	err = hs.ServeTLS(ln, "", "")
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		log.Info("stopped; storage nodes keep running")
		return nil
	}
	return err
}

func portOf(ln net.Listener) string {
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// loadOrCreateToken reads the admin token, creating it on first start.
func loadOrCreateToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("%s is empty: remove it to make a new admin token", path)
		}
		return tok, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading admin token: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	tok := "strata_" + hex.EncodeToString(raw[:])
	return tok, atomicfile.Write(path, []byte(tok+"\n"), 0o600)
}

// serverTLS loads or creates the control plane's CA and its server
// certificate for the listen address and loopback names.
func serverTLS(cfg serveConfig) (*tls.Config, error) {
	ca, err := pki.LoadOrCreateCA(cfg.stateDir, "Strata control plane CA")
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(cfg.listen)
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if host != "" && host != "0.0.0.0" && host != "::" {
		hosts = append(hosts, host)
	}
	certPath := filepath.Join(cfg.stateDir, serverCert)
	keyPath := filepath.Join(cfg.stateDir, serverKey)
	if !certValid(certPath, ca, hosts) {
		iss, err := ca.IssueServer("strata-controlplane", hosts, pki.CertLifetime)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(keyPath, iss.KeyPEM, 0o600); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(certPath, iss.CertPEM, 0o644); err != nil {
			return nil, err
		}
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("loading server certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

func certValid(path string, ca *pki.CA, hosts []string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	c, err := pki.ParseCert(b)
	if err != nil || c.CheckSignatureFrom(ca.Cert) != nil ||
		time.Until(c.NotAfter) < serverRenewAt {
		return false
	}
	for _, h := range hosts {
		if c.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}
