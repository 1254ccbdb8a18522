package rpc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// Defaults of PeerConfig's timeouts.
const (
	DefaultDialTimeout      = time.Second
	DefaultHandshakeTimeout = 2 * time.Second
	DefaultCallTimeout      = 30 * time.Second
	DefaultStallTimeout     = 30 * time.Second
	DefaultRetryInterval    = time.Second
)

// maxErrorBody bounds how much of an error response the client reads.
const maxErrorBody = 64 << 10

// PeerConfig describes another node of the tenant and how to reach it.
// Node, Endpoint, RootCAs (or GetRootCAs) and GetClientCertificate are
// required; a zero timeout takes its default.
type PeerConfig struct {
	// Node is the peer's node name. Its certificate must carry it as the
	// common name or as a DNS name.
	Node string
	// Endpoint is the peer's HTTPS base URL, such as https://10.0.0.2:9000.
	Endpoint string
	// RootCAs holds the tenant's CA: the peer's certificate must chain to
	// it.
	RootCAs *x509.CertPool
	// GetRootCAs, when set, is called at each handshake instead of using
	// RootCAs, so that a reloaded CA bundle (old and new CA while the
	// tenant's CA rotates) is trusted from then on.
	GetRootCAs func() *x509.CertPool
	// GetClientCertificate returns this node's certificate, which the peer
	// checks the same way. It is called on every new connection, so a
	// reloaded certificate is used from then on.
	GetClientCertificate func(*tls.CertificateRequestInfo) (*tls.Certificate, error)

	// DialTimeout bounds a TCP connect (DefaultDialTimeout).
	DialTimeout time.Duration
	// HandshakeTimeout bounds a TLS handshake (DefaultHandshakeTimeout).
	HandshakeTimeout time.Duration
	// CallTimeout bounds a call that does not stream, and the wait for the
	// answer once a stream's request is sent (DefaultCallTimeout).
	CallTimeout time.Duration
	// StallTimeout bounds one Read or Write of a stream that makes no
	// progress (DefaultStallTimeout).
	StallTimeout time.Duration
	// RetryInterval is how long calls to a peer that failed fail at once
	// before one is let through to try again (DefaultRetryInterval).
	RetryInterval time.Duration
}

// withDefaults returns c with every zero timeout set to its default.
func (c PeerConfig) withDefaults() PeerConfig {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&c.DialTimeout, DefaultDialTimeout)
	set(&c.HandshakeTimeout, DefaultHandshakeTimeout)
	set(&c.CallTimeout, DefaultCallTimeout)
	set(&c.StallTimeout, DefaultStallTimeout)
	set(&c.RetryInterval, DefaultRetryInterval)
	return c
}

// validate checks the required fields.
func (c PeerConfig) validate() (*url.URL, error) {
	switch {
	case c.Node == "":
		return nil, errors.New("rpc: a peer needs its node name")
	case c.RootCAs == nil && c.GetRootCAs == nil:
		return nil, fmt.Errorf("rpc: peer %s: the tenant's CA is required", c.Node)
	case c.GetClientCertificate == nil:
		return nil, fmt.Errorf("rpc: peer %s: this node's certificate is required", c.Node)
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("rpc: peer %s: endpoint %q must be an https://host:port URL",
			c.Node, c.Endpoint)
	}
	return u, nil
}

// Peer is the client side of the RPC for one other node. Its methods and
// the RemoteDrive values it returns are safe for concurrent use.
type Peer struct {
	cfg    PeerConfig
	base   *url.URL
	client *http.Client
	health *health
}

// NewPeer checks cfg and returns a client for the node it names. It does
// not connect: the first call does.
func NewPeer(cfg PeerConfig) (*Peer, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	p := &Peer{
		cfg:    cfg,
		base:   base,
		health: &health{node: cfg.Node, retry: cfg.RetryInterval},
	}
	p.client = &http.Client{Transport: p.transport()}
	return p, nil
}

// transport returns an HTTP/1.1 transport that dials only this peer's
// endpoint, with this node's certificate, and never goes through a proxy.
func (p *Peer) transport() *http.Transport {
	dialer := &net.Dialer{Timeout: p.cfg.DialTimeout, KeepAlive: 15 * time.Second}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       p.tlsConfig(),
		TLSHandshakeTimeout:   p.cfg.HandshakeTimeout,
		ResponseHeaderTimeout: p.cfg.CallTimeout,
		ExpectContinueTimeout: p.cfg.CallTimeout,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		Protocols:             new(http.Protocols),
	}
	tr.Protocols.SetHTTP1(true)
	return tr
}

// tlsConfig trusts only the tenant's CA and demands that the server's
// certificate name the peer's node. It sends the node's name as the server
// name, so that a node whose S3 endpoint serves another certificate answers
// with its node certificate; the chain and the name are checked here, as
// the node certificate names the node by its common name.
func (p *Peer) tlsConfig() *tls.Config {
	a := authority{roots: p.cfg.RootCAs, getRoots: p.cfg.GetRootCAs,
		nodes: []string{p.cfg.Node}}
	return &tls.Config{
		MinVersion:           tls.VersionTLS12,
		ServerName:           p.cfg.Node,
		GetClientCertificate: p.cfg.GetClientCertificate,
		// Verification is not skipped: VerifyConnection checks the chain
		// against the tenant's CA and the node's name.
		InsecureSkipVerify: true, //nolint:gosec // checked in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			_, err := a.verify(cs.PeerCertificates, x509.ExtKeyUsageServerAuth)
			return err
		},
	}
}

// Node returns the peer's node name.
func (p *Peer) Node() string { return p.cfg.Node }

// Online reports whether calls go to the peer: it is false while the peer
// is known to be unreachable and calls fail at once.
func (p *Peer) Online() bool { return p.health.online() }

// Close closes the peer's idle connections. Calls made afterwards open
// new ones.
func (p *Peer) Close() { p.client.CloseIdleConnections() }

// Ping asks the peer whether it serves the RPC and accepts this node.
func (p *Peer) Ping(ctx context.Context) error {
	return p.exec(ctx, http.MethodGet, opPing, url.Values{}, "ping "+p.cfg.Node)
}

// Drive returns the drive that the peer serves under id.
func (p *Peer) Drive(id string) *RemoteDrive {
	return &RemoteDrive{p: p, id: id}
}

// newRequest builds a request for op with the query q.
func (p *Peer) newRequest(ctx context.Context, method, op string, q url.Values,
	body io.Reader) (*http.Request, error) {
	u := *p.base
	u.Path = PathPrefix + op
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("rpc: building %s request: %w", op, err)
	}
	return req, nil
}

// roundTrip sends req and returns the response of a peer that said yes.
// parent is the caller's context: when it ended, the failure is the
// caller's; any other failure to get an answer marks the peer down. An
// error response is decoded into the sentinel it names.
func (p *Peer) roundTrip(parent context.Context, req *http.Request,
	where string) (*http.Response, error) {
	probe, err := p.health.admit()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return p.exchange(parent, req, where, probe)
}

// exchange is roundTrip for a call that health already admitted.
func (p *Peer) exchange(parent context.Context, req *http.Request, where string,
	probe bool) (*http.Response, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.callFailed(parent, probe, where, withStall(req.Context(), err))
	}
	p.health.succeeded()
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var body errorBody
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody)).Decode(&body); err != nil {
		body = errorBody{Code: codeInternal, Message: "undecodable error body: " + err.Error()}
	}
	return nil, remoteError(where, resp.StatusCode, body)
}

// callFailed turns a failed exchange into the caller's own error when its
// context ended, and otherwise into drive.ErrDriveOffline, marking the
// peer down when the failure says it is unreachable.
func (p *Peer) callFailed(parent context.Context, probe bool, where string, err error) error {
	if ctxErr := parent.Err(); ctxErr != nil {
		p.health.abandoned(probe)
		return fmt.Errorf("%s: %w", where, ctxErr)
	}
	if unreachable(err) {
		p.health.failed(err)
	} else {
		p.health.abandoned(probe)
	}
	return fmt.Errorf("%w: %s: %w", drive.ErrDriveOffline, where, err)
}

// call runs a request that does not stream and hands the successful
// response to read, which must consume what it needs of the body.
func (p *Peer) call(ctx context.Context, method, op string, q url.Values, body io.Reader,
	where string, read func(*http.Response) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.CallTimeout)
	defer cancel()
	req, err := p.newRequest(cctx, method, op, q, body)
	if err != nil {
		return err
	}
	resp, err := p.roundTrip(ctx, req, where)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if read == nil {
		return nil
	}
	if err := read(resp); err != nil {
		return p.callFailed(ctx, false, where, err)
	}
	return nil
}

// exec runs a call whose answer carries nothing.
func (p *Peer) exec(ctx context.Context, method, op string, q url.Values, where string) error {
	return p.call(ctx, method, op, q, nil, where, nil)
}

// getJSON runs a GET whose answer is JSON decoded into v.
func (p *Peer) getJSON(ctx context.Context, op string, q url.Values, where string, v any) error {
	return p.call(ctx, http.MethodGet, op, q, nil, where, func(resp *http.Response) error {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			return fmt.Errorf("decoding the answer: %w", err)
		}
		return nil
	})
}
