package s3api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// Limits of a CORS configuration, as in S3.
const (
	maxCORSRules  = 100
	maxCORSRuleID = 255
)

// corsConfiguration is the body of PutBucketCors and the answer of
// GetBucketCors; it is also the document the object layer stores.
type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Rules   []corsRule `xml:"CORSRule"`
}

// corsRule is one CORSRule: which origins may use which methods and
// headers, and what the browser is told.
type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// parseCORSConfiguration decodes a CORSConfiguration and checks it as S3
// does: 1 to 100 rules, each with an origin and a method.
func parseCORSConfiguration(body []byte) (corsConfiguration, error) {
	var c corsConfiguration
	if err := xml.Unmarshal(bytes.TrimSpace(body), &c); err != nil {
		return corsConfiguration{}, newError("MalformedXML")
	}
	if len(c.Rules) == 0 || len(c.Rules) > maxCORSRules {
		return corsConfiguration{}, errorf("MalformedXML",
			"A CORS configuration holds 1 to %d CORSRule elements; this one holds %d.",
			maxCORSRules, len(c.Rules))
	}
	for i := range c.Rules {
		if err := c.Rules[i].check(); err != nil {
			return corsConfiguration{}, err
		}
	}
	c.Xmlns = s3Namespace
	return c, nil
}

// check applies S3's rules to one CORSRule.
func (r corsRule) check() error {
	switch {
	case len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0:
		return errorf("MalformedXML",
			"Every CORSRule needs at least one AllowedMethod and one AllowedOrigin.")
	case len(r.ID) > maxCORSRuleID:
		return errorf("InvalidArgument", "A CORSRule ID may be at most %d characters.",
			maxCORSRuleID)
	case r.MaxAgeSeconds != nil && *r.MaxAgeSeconds < 0:
		return errorf("MalformedXML", "MaxAgeSeconds must not be negative.")
	}
	for _, m := range r.AllowedMethods {
		if !isCORSMethod(m) {
			return errorf("InvalidRequest", "Found unsupported HTTP method in CORS config. "+
				"Unsupported method is %.40s", m)
		}
	}
	return checkCORSPatterns(r)
}

// checkCORSPatterns allows one '*' in each origin and header pattern and
// none in exposed headers.
func checkCORSPatterns(r corsRule) error {
	for _, o := range r.AllowedOrigins {
		if strings.Count(o, "*") > 1 {
			return errorf("InvalidRequest",
				"AllowedOrigin %.80q can not have more than one wildcard.", o)
		}
	}
	for _, h := range r.AllowedHeaders {
		if strings.Count(h, "*") > 1 {
			return errorf("InvalidRequest",
				"AllowedHeader %.80q can not have more than one wildcard.", h)
		}
	}
	for _, h := range r.ExposeHeaders {
		if strings.Contains(h, "*") {
			return errorf("InvalidRequest",
				"ExposeHeader %.80q contains a wildcard, which S3 does not allow.", h)
		}
	}
	return nil
}

// isCORSMethod reports whether a CORSRule may allow method m.
func isCORSMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodHead:
		return true
	}
	return false
}

// matchWildcard reports whether s matches pattern, in which one '*'
// stands for any run of characters.
func matchWildcard(pattern, s string) bool {
	prefix, suffix, wild := strings.Cut(pattern, "*")
	if !wild {
		return pattern == s
	}
	return len(s) >= len(prefix)+len(suffix) &&
		strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// allowsOrigin returns the rule's pattern that matches origin.
func (r corsRule) allowsOrigin(origin string) (string, bool) {
	for _, o := range r.AllowedOrigins {
		if matchWildcard(o, origin) {
			return o, true
		}
	}
	return "", false
}

func (r corsRule) allowsMethod(method string) bool {
	for _, m := range r.AllowedMethods {
		if m == method {
			return true
		}
	}
	return false
}

// allowsHeader matches a lowercase request header against the rule's
// header patterns, ignoring case.
func (r corsRule) allowsHeader(name string) bool {
	for _, h := range r.AllowedHeaders {
		if matchWildcard(strings.ToLower(h), name) {
			return true
		}
	}
	return false
}

// match returns the first rule that allows origin, method and every one
// of headers (lowercase), and the origin pattern it matched.
func (c corsConfiguration) match(origin, method string,
	headers []string) (*corsRule, string, bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		pattern, ok := r.allowsOrigin(origin)
		if !ok || !r.allowsMethod(method) || !allHeadersAllowed(r, headers) {
			continue
		}
		return r, pattern, true
	}
	return nil, "", false
}

func allHeadersAllowed(r *corsRule, headers []string) bool {
	for _, h := range headers {
		if !r.allowsHeader(h) {
			return false
		}
	}
	return true
}

// corsStore returns the layer's CORS capability.
func (h *Handler) corsStore() (object.BucketCORSStore, error) {
	if s, ok := h.layer.(object.BucketCORSStore); ok {
		return s, nil
	}
	return nil, errNotImplemented("Bucket CORS on this node's object layer")
}

// putBucketCors is PutBucketCors: PUT /bucket?cors.
func (h *Handler) putBucketCors(w http.ResponseWriter, req *request) error {
	store, err := h.corsStore()
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	c, err := parseCORSConfiguration(body)
	if err != nil {
		return err
	}
	doc, err := xml.Marshal(c)
	if err != nil {
		return fmt.Errorf("s3api: encoding CORS rules: %w", err)
	}
	if err := store.PutBucketCORS(req.r.Context(), req.bucket, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketCors is GetBucketCors: GET /bucket?cors.
func (h *Handler) getBucketCors(w http.ResponseWriter, req *request) error {
	c, err := h.bucketCORS(req)
	if err != nil {
		return err
	}
	if c == nil {
		return errNoSuchCORSConfiguration()
	}
	writeXML(w, http.StatusOK, c)
	return nil
}

// deleteBucketCors is DeleteBucketCors: DELETE /bucket?cors.
func (h *Handler) deleteBucketCors(w http.ResponseWriter, req *request) error {
	store, err := h.corsStore()
	if err != nil {
		return err
	}
	if err := store.PutBucketCORS(req.r.Context(), req.bucket, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// bucketCORS loads and decodes the bucket's CORS configuration; nil when
// it has none.
func (h *Handler) bucketCORS(req *request) (*corsConfiguration, error) {
	store, err := h.corsStore()
	if err != nil {
		return nil, err
	}
	doc, err := store.BucketCORS(req.r.Context(), req.bucket)
	if err != nil || doc == nil {
		return nil, err
	}
	var c corsConfiguration
	if err := xml.Unmarshal(doc, &c); err != nil {
		return nil, fmt.Errorf("s3api: decoding the CORS rules of bucket %s: %w", req.bucket, err)
	}
	c.Xmlns = s3Namespace
	return &c, nil
}

// errNoSuchCORSConfiguration answers GetBucketCors on a bucket without
// CORS rules.
func errNoSuchCORSConfiguration() *apiError {
	return &apiError{status: http.StatusNotFound, code: "NoSuchCORSConfiguration",
		message: "The CORS configuration does not exist"}
}

// corsNotAllowed is S3's message, word for word (its spelling too), for
// a preflight no rule allows; clients compare it.
const corsNotAllowed = "CORSResponse: This CORS request is not allowed. This is usually " +
	"because the evalution of Origin, request method / Access-Control-Request-Method or " +
	"Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."

// corsRefusal is the error of a preflight request S3 does not allow.
func corsRefusal(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// preflight answers OPTIONS /bucket[/key], a browser's CORS preflight,
// without authentication, from the bucket's CORS rules.
func (h *Handler) preflight(w http.ResponseWriter, req *request) error {
	if req.bucket == "" || req.bucket == reservedBucket {
		return newError("MethodNotAllowed")
	}
	origin := req.r.Header.Get("Origin")
	if origin == "" {
		return corsRefusal(http.StatusBadRequest, "BadRequest",
			"Insufficient information. Origin request header needed.")
	}
	method := req.r.Header.Get("Access-Control-Request-Method")
	if !isCORSMethod(method) {
		return corsRefusal(http.StatusBadRequest, "BadRequest",
			"Invalid Access-Control-Request-Method: "+truncateValue(method))
	}
	c, err := h.bucketCORS(req)
	if err != nil {
		return err
	}
	if c == nil {
		return corsRefusal(http.StatusForbidden, "AccessForbidden",
			"CORSResponse: CORS is not enabled for this bucket.")
	}
	headers := requestedHeaders(req.r.Header.Values("Access-Control-Request-Headers"))
	rule, pattern, ok := c.match(origin, method, headers)
	if !ok {
		return corsRefusal(http.StatusForbidden, "AccessForbidden", corsNotAllowed)
	}
	writePreflight(w.Header(), rule, pattern, origin, headers)
	w.WriteHeader(http.StatusOK)
	return nil
}

// writePreflight sets the headers of an allowed preflight.
func writePreflight(hdr http.Header, rule *corsRule, pattern, origin string, headers []string) {
	setAllowOrigin(hdr, pattern, origin)
	hdr.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ","))
	if len(headers) > 0 {
		hdr.Set("Access-Control-Allow-Headers", strings.Join(headers, ","))
	}
	if len(rule.ExposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ","))
	}
	if rule.MaxAgeSeconds != nil {
		hdr.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	hdr.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// setAllowOrigin answers "*" for a rule that allows every origin, and
// otherwise the origin itself, with credentials allowed.
func setAllowOrigin(hdr http.Header, pattern, origin string) {
	if pattern == "*" {
		hdr.Set("Access-Control-Allow-Origin", "*")
		return
	}
	hdr.Set("Access-Control-Allow-Origin", origin)
	hdr.Set("Access-Control-Allow-Credentials", "true")
}

// requestedHeaders splits Access-Control-Request-Headers values into
// lowercase names.
func requestedHeaders(values []string) []string {
	var out []string
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}

// truncateValue shortens a client value quoted in an error message.
func truncateValue(v string) string {
	if len(v) > 40 {
		return v[:40]
	}
	return v
}

// setCORSHeaders adds the CORS answer headers to an actual (not
// preflight) request that carries Origin, when a rule of the bucket allows
// the origin and method. As S3 does, Access-Control-Request-Method and
// -Headers, when the request carries them, are matched instead of its own
// method. It runs before authentication, so that error answers carry the
// headers too, as in S3. A failure to read the rules only leaves them out.
// TODO: cache parsed CORS rules across requests; today every request that
// carries Origin reads the bucket's CORS record from the drives.
func (h *Handler) setCORSHeaders(w http.ResponseWriter, req *request) {
	origin := req.r.Header.Get("Origin")
	if origin == "" || req.bucket == "" || req.bucket == reservedBucket {
		return
	}
	if _, ok := h.layer.(object.BucketCORSStore); !ok {
		return
	}
	c, err := h.bucketCORS(req)
	if err != nil || c == nil {
		return
	}
	method := req.r.Method
	if m := req.r.Header.Get("Access-Control-Request-Method"); m != "" {
		method = m
	}
	headers := requestedHeaders(req.r.Header.Values("Access-Control-Request-Headers"))
	rule, pattern, ok := c.match(origin, method, headers)
	if !ok {
		return
	}
	hdr := w.Header()
	setAllowOrigin(hdr, pattern, origin)
	if len(rule.ExposeHeaders) > 0 {
		hdr.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ","))
	}
	hdr.Add("Vary", "Origin")
}
