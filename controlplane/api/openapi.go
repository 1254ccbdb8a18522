package api

import (
	_ "embed"
	"io"
	"net/http"
)

// openAPIJSON is the OpenAPI 3.1 document of this API, hand-written beside
// the handlers. It is a string so that nothing can change it.
//
//go:embed openapi.json
var openAPIJSON string

// OpenAPIDocument returns the OpenAPI 3.1 document of this API, as served at
// GET /v1/openapi.json. The caller owns the returned slice.
func OpenAPIDocument() []byte { return []byte(openAPIJSON) }

// serveOpenAPI answers GET /v1/openapi.json with the document.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, openAPIJSON)
}
