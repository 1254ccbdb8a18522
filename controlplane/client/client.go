// Package client is the Go client of the Strata control plane's REST API.
// It is the only way the Terraform provider reaches the control plane, and
// it may be used by any Go program.
//
// A Client is safe for concurrent use. It never logs, and never puts the
// token in an error message.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/strata-storage/strata/controlplane/model"
)

// Environment variables that DefaultConfig reads.
const (
	EnvEndpoint = "STRATA_ENDPOINT"
	EnvToken    = "STRATA_TOKEN"
	EnvCACert   = "STRATA_CA_CERT"
)

// Config says how to reach the control plane.
type Config struct {
	// Endpoint is the base URL, such as https://127.0.0.1:7443.
	Endpoint string
	// Token is the bearer token.
	Token string
	// CACertFile is a PEM file with the CA that signed the endpoint's
	// certificate. Empty means the system roots.
	CACertFile string
	// CACertPEM is the same CA given inline; it wins over CACertFile.
	CACertPEM []byte
	// Timeout bounds each request. Zero means 30 seconds.
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// DefaultConfig returns a Config filled from STRATA_ENDPOINT, STRATA_TOKEN
// and STRATA_CA_CERT.
func DefaultConfig() Config {
	return Config{
		Endpoint:   os.Getenv(EnvEndpoint),
		Token:      os.Getenv(EnvToken),
		CACertFile: os.Getenv(EnvCACert),
		UserAgent:  "strata-client",
	}
}

// Client talks to one control plane.
type Client struct {
	base  *url.URL
	token string
	ua    string
	http  *http.Client
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, fmt.Errorf("client: no endpoint: set %s or the endpoint setting", EnvEndpoint)
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.Endpoint, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("client: endpoint %q is not an http(s) URL such as "+
			"https://127.0.0.1:7443", cfg.Endpoint)
	}
	if cfg.Token == "" {
		return nil, fmt.Errorf("client: no token: set %s or the token setting", EnvToken)
	}
	hc, err := HTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout != 0 {
		hc.Timeout = cfg.Timeout
	}
	return &Client{base: base, token: cfg.Token, ua: cfg.UserAgent, http: hc}, nil
}

func tlsConfig(cfg Config) (*tls.Config, error) {
	pem := cfg.CACertPEM
	if pem == nil && cfg.CACertFile != "" {
		b, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("client: reading CA certificate: %w", err)
		}
		pem = b
	}
	if pem == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("client: the CA certificate holds no PEM certificate")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// maxIdlePerHost is how many idle connections to the control plane a
// client keeps. Over HTTP/2 one connection carries every request; over
// HTTP/1.1 (a plain http endpoint, or a proxy in between) each request in
// flight needs its own, and Terraform reads 10 resources at once: with Go's
// default of 2, most requests would open a new connection (and a new TLS
// session) only to close it afterwards.
const maxIdlePerHost = 32

// HTTPClient returns an http.Client that trusts cfg's CA, for callers that
// need raw HTTP to the control plane (tests, health checks).
func HTTPClient(cfg Config) (*http.Client, error) {
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	tr.MaxIdleConnsPerHost = maxIdlePerHost
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// APIError is an error answer of the API. Callers use errors.As to read it,
// or the IsNotFound family of helpers.
type APIError struct {
	StatusCode int
	model.ErrorDetail
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("strata API: %d %s: %s", e.StatusCode, e.Status, e.Message)
	if len(e.Violations) > 0 {
		msg += " (" + e.Violations.Error() + ")"
	}
	return msg
}

// StatusCode returns the HTTP status of an API error in err's chain, or 0.
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// createOnlyKey marks a context whose PUTs must only create.
type createOnlyKey struct{}

// CreateOnly returns a context under which every PUT the client sends
// creates its item or fails with 412 (IsAlreadyExists) when the item
// exists: two callers creating the same item cannot both succeed.
func CreateOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, createOnlyKey{}, true)
}

func createOnly(ctx context.Context) bool {
	v, _ := ctx.Value(createOnlyKey{}).(bool)
	return v
}

// IsAlreadyExists reports whether err answers a create-only PUT of an item
// that exists.
func IsAlreadyExists(err error) bool { return StatusCode(err) == http.StatusPreconditionFailed }

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// do sends one request and decodes a JSON answer into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values,
	in, out any) error {
	req, err := c.newRequest(ctx, method, path, query, in)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("client: decoding %s %s answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values,
	in any) (*http.Request, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("client: encoding request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: building request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if method == http.MethodPut && createOnly(ctx) {
		req.Header.Set("If-None-Match", "*")
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	return req, nil
}

func decodeError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var eb model.ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Message == "" {
		eb.Error = model.ErrorDetail{Code: resp.StatusCode, Status: resp.Status,
			Message: strings.TrimSpace(string(b))}
	}
	return &APIError{StatusCode: resp.StatusCode, ErrorDetail: eb.Error}
}
