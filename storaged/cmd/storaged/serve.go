package main

import (
	"context"
	"crypto/tls"
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
)

// Server timeouts. Bodies have no read deadline: a large upload may take
// long; only idle and header-less connections are cut.
const (
	readHeaderTimeout = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 30 * time.Second
)

func newLogger(opts options, out io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "storaged",
		Level:      opts.logLevel,
		JSONFormat: opts.logJSON,
		Output:     out,
	})
}

// serve runs the S3 server until ctx ends, then shuts it down gracefully.
func serve(ctx context.Context, opts options, logger hclog.Logger) error {
	certs, err := loadCerts(ctx, opts, logger)
	if err != nil {
		return err
	}
	st, err := openStore(opts, certs, logger)
	if err != nil {
		return fmt.Errorf("opening the drives: %w", err)
	}
	defer st.close()
	handler, err := s3api.New(s3api.Config{Region: opts.region, Credentials: opts.credentials,
		Layer: st.layer, Logger: logger.Named("s3")})
	if err != nil {
		return fmt.Errorf("configuring the S3 API: %w", err)
	}
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
	logger.Info("storaged listening", listeningFields(ln, opts)...)
	return serveUntilDone(ctx, srv, ln, logger)
}

// listeningFields are the key/value pairs of the "listening" log line.
func listeningFields(ln net.Listener, opts options) []any {
	fields := []any{"address", ln.Addr().String(), "tls", !opts.insecureHTTP,
		"drives", len(opts.drives), "parity", opts.parity, "region", opts.region}
	if c := opts.cluster; c != nil {
		fields = append(fields, "node", c.topology.self, "nodes", len(c.topology.nodes),
			"sets", len(c.topology.sets))
	}
	return fields
}

// loadCerts loads the TLS certificate and reloads it on SIGHUP until ctx
// ends; it returns nil when serving plain HTTP.
func loadCerts(ctx context.Context, opts options, logger hclog.Logger) (*certReloader, error) {
	if opts.insecureHTTP {
		return nil, nil
	}
	certs, err := newCertReloader(opts.tlsCert, opts.tlsKey)
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

// certReloader serves the TLS certificate and reloads it on SIGHUP.
type certReloader struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile}
	return c, c.load()
}

func (c *certReloader) load() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("loading the TLS certificate: %w", err)
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

func (c *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}

// getClient returns the same certificate for the drive RPC's client side:
// a node is one identity to its peers, in both directions.
func (c *certReloader) getClient(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return c.get(nil)
}

// reloadOnHangup reloads the certificate on each SIGHUP until ctx ends;
// a failed reload keeps the current certificate.
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
			logger.Info("TLS certificate reloaded", "cert", c.certFile)
		}
	}
}
