package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
)

// Target types.
const (
	TypeWebhook       = "webhook"
	TypeElasticsearch = "elasticsearch"
)

// Default Elasticsearch indexes of the two streams, used when a target
// names none.
const (
	DefaultAuditIndex = "strata-audit"
	DefaultLogIndex   = "strata-logs"
)

// Target is one place records go: the tenant model's LogTarget, field for
// field.
type Target struct {
	// Type is TypeWebhook or TypeElasticsearch.
	Type string `json:"type"`
	// Endpoint is the http or https URL: the URL a webhook POSTs to, or the
	// base URL of an Elasticsearch cluster (without /_bulk).
	Endpoint string `json:"endpoint"`
	// Index is the Elasticsearch index; elasticsearch only.
	Index string `json:"index,omitempty"`
}

// ParseTarget reads one target from its JSON object, refusing unknown
// fields and anything Validate refuses. An elasticsearch target without an
// index gets defaultIndex.
func ParseTarget(data string, defaultIndex string) (Target, error) {
	var t Target
	dec := json.NewDecoder(bytes.NewReader([]byte(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Target{}, fmt.Errorf("telemetry: a target must be a JSON object of type, "+
			"endpoint and index: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Target{}, errors.New("telemetry: a target must be exactly one JSON object")
	}
	if t.Type == TypeElasticsearch && t.Index == "" {
		t.Index = defaultIndex
	}
	return t, t.Validate()
}

// Validate checks the type, that the endpoint is an absolute http or
// https URL, and that only an elasticsearch target names an index.
func (t Target) Validate() error {
	var errs []error
	switch t.Type {
	case TypeWebhook:
		if t.Index != "" {
			errs = append(errs, errors.New("telemetry: a webhook target takes no index; "+
				"remove it, or use type elasticsearch"))
		}
	case TypeElasticsearch:
		if t.Index == "" {
			errs = append(errs, errors.New("telemetry: an elasticsearch target needs an index"))
		}
	default:
		errs = append(errs, fmt.Errorf("telemetry: unknown target type %q; use %q or %q",
			t.Type, TypeWebhook, TypeElasticsearch))
	}
	if err := checkEndpoint(t.Endpoint); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkEndpoint demands an absolute http or https URL with a host.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("telemetry: endpoint %q is not an http(s) URL; give one such as "+
			"https://logs.example.com:9200", redact(endpoint))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("telemetry: endpoint %q must not have a query or fragment",
			redact(endpoint))
	}
	return nil
}

// Label names the target in metrics and messages: "<type> <endpoint>",
// with any password in the endpoint hidden.
func (t Target) Label() string {
	return t.Type + " " + redact(t.Endpoint)
}

// redact hides the password of a URL's user information.
func redact(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
