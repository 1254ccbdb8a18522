package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/s3api"
	"github.com/strata-storage/strata/storaged/telemetry"
)

// Server timeouts. Bodies have no read deadline: a large upload may take
// long; only idle and header-less connections are cut.
const (
	readHeaderTimeout = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 30 * time.Second
)

// newLogger returns the node's logger, which writes to out and passes
// each line to the sinks registered on it (the log targets' shipper).
func newLogger(opts options, out io.Writer) hclog.InterceptLogger {
	return hclog.NewInterceptLogger(&hclog.LoggerOptions{
		Name:       "storaged",
		Level:      opts.logLevel,
		JSONFormat: opts.logJSON,
		Output:     out,
	})
}

// serve runs the S3 server until ctx ends, then shuts it down gracefully.
// tel, when not nil, audits the S3 requests and its counters join the
// node's metrics.
func serve(ctx context.Context, opts options, logger hclog.Logger,
	tel *telemetry.Shipper) error {
	certs, err := loadCerts(ctx, opts, logger)
	if err != nil {
		return err
	}
	st, err := openStore(opts, certs, logger)
	if err != nil {
		return fmt.Errorf("opening the drives: %w", err)
	}
	defer st.close()
	cfg := s3api.Config{Region: opts.region, Credentials: opts.credentials,
		Keys:    keyStore(ctx, opts, logger),
		Domains: opts.domains,
		Layer:   st.layer, Logger: logger.Named("s3")}
	if tel != nil {
		cfg.Audit = tel
		st.collectors = append(st.collectors, tel)
	}
	handler, err := s3api.New(cfg)
	if err != nil {
		return fmt.Errorf("configuring the S3 API: %w", err)
	}
	st.noMetrics = !opts.metrics
	stopLifecycle := startLifecycle(opts, st.layer, logger.Named("lifecycle"))
	defer stopLifecycle()
	srv := &http.Server{
		Handler:           st.handler(handler),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          logger.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}
	ln, err := listen(opts, srv, certs, logger)
	if err != nil {
		return err
	}
	if tel != nil && opts.cluster == nil {
		tel.SetNode(ln.Addr().String())
	}
	logger.Info("storaged listening", listeningFields(ln, opts)...)
	return serveUntilDone(ctx, srv, ln, logger)
}

// listeningFields are the key/value pairs of the "listening" log line.
func listeningFields(ln net.Listener, opts options) []any {
	fields := []any{"address", ln.Addr().String(), "tls", !opts.insecureHTTP,
		"drives", len(opts.drives), "parity", opts.parity, "region", opts.region}
	if c := opts.cluster; c != nil {
		fields = append(fields, "node", c.topology.self, "nodes", len(c.topology.nodes),
			"pools", len(c.topology.pools), "sets", len(c.topology.sets))
	}
	return fields
}

// loadCerts loads the TLS certificate and reloads it on SIGHUP until ctx
// ends; it returns nil when serving plain HTTP.
func loadCerts(ctx context.Context, opts options, logger hclog.Logger) (*certReloader, error) {
	if opts.insecureHTTP {
		return nil, nil
	}
	certs, err := newCertReloader(certFiles{cert: opts.tlsCert, key: opts.tlsKey,
		rpcCert: opts.rpcTLSCert, rpcKey: opts.rpcTLSKey, ca: clusterCA(opts),
		nodes: clusterNodes(opts)})
	if err != nil {
		return nil, err
	}
	go certs.reloadOnHangup(ctx, logger)
	return certs, nil
}

// listen opens the listening socket, wrapped in TLS unless insecure. A node
// of a multi-node tenant asks clients for a certificate, which the drive
// RPC checks; S3 clients need none.
func listen(opts options, srv *http.Server, certs *certReloader,
	logger hclog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", opts.listen, err)
	}
	if opts.insecureHTTP {
		logger.Warn("serving plain HTTP without TLS; use this for tests only")
		return ln, nil
	}
	srv.TLSConfig = &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: certs.get,
		NextProtos:     []string{"h2", "http/1.1"},
	}
	if opts.cluster != nil {
		srv.TLSConfig.ClientAuth = tls.RequestClientCert
	}
	return tls.NewListener(ln, srv.TLSConfig), nil
}

// serveUntilDone serves until ctx ends or the server fails.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener,
	logger hclog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	logger.Info("storaged stopped")
	return nil
}

// certFiles names the files a certReloader loads.
type certFiles struct {
	// cert and key are the S3 endpoint's pair.
	cert, key string
	// rpcCert and rpcKey are the node's pair from the tenant's CA, for the
	// drive RPC; they may name the same files as cert and key.
	rpcCert, rpcKey string
	// ca is the tenant's CA bundle that peers must chain to ("" on a
	// single node).
	ca string
	// nodes are the tenant's node names: a client that asks for one of
	// them by SNI gets the node certificate.
	nodes []string
}

// clusterCA returns the --tls-ca file of a multi-node tenant, or "".
func clusterCA(opts options) string {
	if opts.cluster == nil {
		return ""
	}
	return opts.cluster.tlsCA
}

// clusterNodes returns the topology's node names, or nil.
func clusterNodes(opts options) []string {
	if opts.cluster == nil {
		return nil
	}
	return opts.cluster.topology.nodeNames()
}

// certReloader serves the TLS certificates and the tenant's CA bundle,
// and reloads them all on SIGHUP. It picks the certificate per connection
// by SNI: a server name that is a node of the tenant (or the node
// certificate's common name) gets the node certificate, so that peers and
// the control plane keep checking it against the tenant's CA while S3
// clients get the endpoint's certificate, which may be one the user
// provided.
type certReloader struct {
	files certFiles
	mu    sync.RWMutex
	cert  *tls.Certificate
	rpc   *tls.Certificate
	// rpcNames are the server names that get the node certificate.
	rpcNames map[string]bool
	pool     *x509.CertPool
}

func newCertReloader(files certFiles) (*certReloader, error) {
	c := &certReloader{files: files}
	return c, c.load()
}

// load reads every file and swaps them in at once; on any error nothing
// changes.
func (c *certReloader) load() error {
	cert, err := tls.LoadX509KeyPair(c.files.cert, c.files.key)
	if err != nil {
		return fmt.Errorf("loading the TLS certificate: %w", err)
	}
	rpc, err := tls.LoadX509KeyPair(c.files.rpcCert, c.files.rpcKey)
	if err != nil {
		return fmt.Errorf("loading the node certificate: %w", err)
	}
	names := map[string]bool{}
	for _, n := range c.files.nodes {
		names[n] = true
	}
	if rpc.Leaf != nil && rpc.Leaf.Subject.CommonName != "" {
		names[rpc.Leaf.Subject.CommonName] = true
	}
	var pool *x509.CertPool
	if c.files.ca != "" {
		if pool, err = loadCA(c.files.ca); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.cert, c.rpc, c.rpcNames, c.pool = &cert, &rpc, names, pool
	c.mu.Unlock()
	return nil
}

// get returns the node certificate to a client that names a node by SNI
// and the endpoint's certificate to any other.
func (c *certReloader) get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if hello != nil && c.rpcNames[hello.ServerName] {
		return c.rpc, nil
	}
	return c.cert, nil
}

// getClient returns the node certificate for the drive RPC's client side:
// a node is one identity to its peers, in both directions.
func (c *certReloader) getClient(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.rpc, nil
}

// roots returns the tenant's CA bundle as last loaded: during a CA
// rotation it holds the old and the new CA.
func (c *certReloader) roots() *x509.CertPool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.pool
}

// reloadOnHangup reloads the certificates and the CA bundle on each
// SIGHUP until ctx ends; a failed reload keeps the current ones.
func (c *certReloader) reloadOnHangup(ctx context.Context, logger hclog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := c.load(); err != nil {
				logger.Error("TLS certificate reload failed; keeping the current one", "error", err)
				continue
			}
			logger.Info("TLS certificates reloaded", "cert", c.files.cert,
				"node_cert", c.files.rpcCert, "ca", c.files.ca)
		}
	}
}
