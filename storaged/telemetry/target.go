package telemetry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/strata-storage/strata/internal/logtarget"
)

// Target types.
const (
	TypeWebhook       = logtarget.Webhook
	TypeElasticsearch = logtarget.Elasticsearch
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

// Validate checks the target with the rules the control plane also
// applies (internal/logtarget), and that an elasticsearch target has its
// index by now.
func (t Target) Validate() error {
	var errs []error
	for _, p := range logtarget.Check(t.Type, t.Endpoint, t.Index) {
		errs = append(errs, fmt.Errorf("telemetry: %s: %s", p.Field, p.Message))
	}
	if t.Type == TypeElasticsearch && t.Index == "" {
		errs = append(errs, errors.New("telemetry: an elasticsearch target needs an index"))
	}
	return errors.Join(errs...)
}

// Key identifies the target: the same target given twice has one key.
func (t Target) Key() string { return logtarget.Key(t.Type, t.Endpoint, t.Index) }

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
