package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contract holds the API's traffic against openapi.json. Every request and
// response that passes through wrap is validated with kin-openapi's
// openapi3filter, and every mismatch is reported:
//
//   - a response whose status the operation does not declare, whose
//     headers or body do not match the declared ones;
//   - a request that the document rejects but the server does not: the
//     document must accept everything the server accepts, so a request it
//     rejects must be answered 401 (no bearer token) or 400 (anything
//     else);
//   - a request for a path and method the document does not have, unless
//     the server answers it 405 (a known path) or 404 with an error body.
//
// The server may reject more than the document can say (cross-field rules
// such as parity against the pool's size), so a request the document
// accepts may still be answered 400.
type contract struct {
	doc    *openapi3.T
	router routers.Router
	// report is called once per mismatch; tests pass t.Errorf.
	report func(format string, args ...any)
}

// loadDocument parses and validates the embedded OpenAPI document.
func loadDocument(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIDocument())
	if err != nil {
		t.Fatalf("loading openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func newContract(t testing.TB, report func(format string, args ...any)) *contract {
	t.Helper()
	doc := loadDocument(t)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing openapi.json: %v", err)
	}
	return &contract{doc: doc, router: router, report: report}
}

// wrap returns h with every exchange checked against the document.
func (c *contract) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			c.report("%s %s: reading the request body: %v", r.Method, r.URL, err)
		}
		vr := r.Clone(r.Context())
		vr.Body = io.NopCloser(bytes.NewReader(body))
		r.Body = io.NopCloser(bytes.NewReader(body))

		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		c.check(vr, rec.Result())

		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// options are the openapi3filter settings of every check: all errors at
// once, the request left as sent, and every status declared.
func (c *contract) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:            true,
		SkipSettingDefaults:   true,
		IncludeResponseStatus: true,
		AuthenticationFunc:    bearerPresent,
	}
}

// bearerPresent passes when the request carries a bearer token. Whether it
// is the right one is the server's to say (401).
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	if token, ok := strings.CutPrefix(auth, "Bearer "); !ok || token == "" {
		return errors.New("no bearer token")
	}
	return nil
}

// check validates one exchange: r is a copy of the request as sent, resp
// the server's answer.
func (c *contract) check(r *http.Request, resp *http.Response) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		c.checkUnrouted(r, resp, body, c.pathKnown(r))
		return
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route, Options: c.options(),
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if want := rejection(reqErr); want != 0 && resp.StatusCode != want {
		c.report("%s %s: the document rejects the request, so the server must answer %d; "+
			"got %d\nthe document's reasons: %v", r.Method, r.URL, want, resp.StatusCode, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                c.options(),
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.report("%s %s: the %d answer does not match the document: %v\nbody: %s",
			r.Method, r.URL, resp.StatusCode, err, body)
	}
}

// rejection returns the status the server must answer a request that the
// document rejects with err, or 0 when the document accepts it.
func rejection(err error) int {
	var sec *openapi3filter.SecurityRequirementsError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &sec):
		return http.StatusUnauthorized
	default:
		return http.StatusBadRequest
	}
}

// pathKnown reports whether the document has r's path with another method.
// (The router says "method not allowed" only for paths without
// parameters, so each method is tried.)
func (c *contract) pathKnown(r *http.Request) bool {
	for _, m := range []string{"GET", "PUT", "POST", "DELETE", "PATCH"} {
		other := r.Clone(context.Background())
		other.Method = m
		if _, _, err := c.router.FindRoute(other); err == nil {
			return true
		}
	}
	return false
}

// checkUnrouted checks the answer to a path and method that the document
// does not have: 401 without a token, else 405 when the path has other
// methods and 404 when it does not, with an error body.
func (c *contract) checkUnrouted(r *http.Request, resp *http.Response, body []byte,
	pathKnown bool) {
	name, want := "NotFound", http.StatusNotFound
	if pathKnown {
		name, want = "MethodNotAllowed", http.StatusMethodNotAllowed
	}
	if r.Header.Get("Authorization") == "" {
		name, want = "Unauthorized", http.StatusUnauthorized
	}
	if resp.StatusCode != want {
		c.report("%s %s is not in the document, so the server must answer %d; got %d",
			r.Method, r.URL, want, resp.StatusCode)
		return
	}
	if err := c.validateComponentResponse(name, body); err != nil {
		c.report("%s %s: the %d answer does not match the document's %s response: %v",
			r.Method, r.URL, resp.StatusCode, name, err)
	}
}

// validateComponentResponse validates body against the JSON schema of the
// named response in the document's components.
func (c *contract) validateComponentResponse(name string, body []byte) error {
	ref := c.doc.Components.Responses[name]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("the document has no %s response", name)
	}
	media := ref.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil {
		return fmt.Errorf("the %s response has no JSON schema", name)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
}
