package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
)

// Notifier is told about every accepted write so that the reconcilers can
// act on it. It must not block.
type Notifier interface {
	Notify(kind, name string)
}

// Config is what a Server needs.
type Config struct {
	Store store.Store
	// Token is the bootstrap admin bearer token (the state directory's
	// admin.token). Tokens made through /v1/tokens work beside it.
	Token    string
	Notifier Notifier
	Logger   hclog.Logger
	// Secrets reads the Secrets that tenants name for their provided
	// certificate; nil when the control plane has no Kubernetes API.
	Secrets model.SecretReader
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Server serves the REST API.
type Server struct {
	cfg Config
	mux *http.ServeMux
	// patterns lists every API route on mux, in the order registered, so
	// that tests can hold them against the OpenAPI document.
	patterns []string

	// tokensIndexed is set once every stored token has its index record;
	// tokenIndexMu lets one request at a time add the missing ones (see
	// indexTokens).
	tokenIndexMu  sync.Mutex
	tokensIndexed atomic.Bool
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) routes() {
	clusters := clusterKind(s)
	tenants := tenantKind(s)
	buckets := bucketKind(s)
	keys := keyKind(s)
	tiers := tierKind(s)
	accessKeys := accessKeyKind(s)
	s.handle("GET /v1/clusters", clusters.list)
	s.handle("GET /v1/clusters/{name}", clusters.get)
	s.handle("PUT /v1/clusters/{name}", clusters.put)
	s.handle("DELETE /v1/clusters/{name}", clusters.delete)
	s.handle("GET /v1/tenants", tenants.list)
	s.handle("GET /v1/tenants/{name}", tenants.get)
	s.handle("PUT /v1/tenants/{name}", tenants.put)
	s.handle("DELETE /v1/tenants/{name}", tenants.delete)
	s.handle("GET /v1/tenants/{tenant}/buckets", buckets.list)
	s.handle("GET /v1/tenants/{tenant}/buckets/{name}", buckets.get)
	s.handle("PUT /v1/tenants/{tenant}/buckets/{name}", buckets.put)
	s.handle("DELETE /v1/tenants/{tenant}/buckets/{name}", buckets.delete)
	s.handle("GET /v1/tenants/{tenant}/keys", keys.list)
	s.handle("GET /v1/tenants/{tenant}/keys/{name}", keys.get)
	s.handle("PUT /v1/tenants/{tenant}/keys/{name}", keys.put)
	s.handle("DELETE /v1/tenants/{tenant}/keys/{name}", keys.delete)
	s.handle("GET /v1/tenants/{tenant}/tiers", tiers.list)
	s.handle("GET /v1/tenants/{tenant}/tiers/{name}", tiers.get)
	s.handle("PUT /v1/tenants/{tenant}/tiers/{name}", tiers.put)
	s.handle("DELETE /v1/tenants/{tenant}/tiers/{name}", tiers.delete)
	s.handle("GET /v1/tenants/{tenant}/access-keys", accessKeys.list)
	s.handle("GET /v1/tenants/{tenant}/access-keys/{name}", accessKeys.get)
	s.handle("PUT /v1/tenants/{tenant}/access-keys/{name}", putAccessKey(accessKeys))
	s.handle("DELETE /v1/tenants/{tenant}/access-keys/{name}", accessKeys.delete)
	s.handle("GET "+tokensPath, s.listTokens)
	s.handle("GET "+tokensPath+"/{name}", s.getToken)
	s.handle("PUT "+tokensPath+"/{name}", s.putToken)
	s.handle("DELETE "+tokensPath+"/{name}", s.deleteToken)
	s.handle("GET /v1/openapi.json", serveOpenAPI)
	s.mux.HandleFunc("/", s.unrouted)
}

// unrouted answers a request no route took: 405 with the methods the path
// has, or 404 when no route has the path.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, p := range s.patterns {
		method, path, _ := strings.Cut(p, " ")
		if pathMatches(path, r.URL.Path) {
			allow = append(allow, method)
		}
	}
	if len(allow) > 0 {
		slices.Sort(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, errorf(http.StatusMethodNotAllowed, model.ErrMethodNotAllowed,
			"%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	writeError(w, r, errorf(http.StatusNotFound, model.ErrNotFound,
		"no such API path %s %s: resources live under /v1/clusters, /v1/tenants and "+
			"/v1/tokens", r.Method, r.URL.Path))
}

// pathMatches reports whether a route's path pattern, whose {wildcards}
// each stand for one segment, matches path.
func pathMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		wild := strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}")
		if (wild && xs[i] == "") || (!wild && p != xs[i]) {
			return false
		}
	}
	return true
}

// handle registers one API route and records its pattern.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, h)
}

// ServeHTTP authenticates and authorizes the request, gives it a request
// ID, logs it at debug (never its token) and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	w.Header().Set("X-Request-Id", id)
	start := s.cfg.Now()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	p, ok := s.authenticate(rec, r)
	if ok && s.authorize(rec, r, p) {
		s.mux.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
	s.cfg.Logger.Debug("request", "id", id, "method", r.Method, "path", r.URL.Path,
		"principal", p.name, "status", rec.code, "duration", s.cfg.Now().Sub(start))
}

// authenticate finds the principal of the request's bearer token: the
// admin token from the state directory, or a token made through the API.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (principal, bool) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if auth == "" {
		writeError(w, r, errorf(http.StatusUnauthorized, model.ErrUnauthenticated,
			"no bearer token: send Authorization: Bearer <token> (the admin token is in "+
				"the state directory's admin.token)"))
		return principal{}, false
	}
	var p principal
	var err error
	if ok {
		p, ok, err = s.lookupToken(r.Context(), token)
	}
	switch {
	case err != nil:
		writeError(w, r, internal(err))
		return principal{}, false
	case !ok:
		writeError(w, r, errorf(http.StatusUnauthorized, model.ErrUnauthenticated,
			"the bearer token is not valid or was revoked: check STRATA_TOKEN"))
		return principal{}, false
	}
	return p, true
}

// authorize checks that p's role allows the request: an admin may do
// everything; a reader may GET everything but tokens. A request that no
// route takes goes on, to be answered 404 or 405.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, p principal) bool {
	if p.role == model.RoleAdmin {
		return true
	}
	_, pattern := s.mux.Handler(r)
	if !slices.Contains(s.patterns, pattern) {
		return true
	}
	_, path, _ := strings.Cut(pattern, " ")
	switch {
	case p.role == model.RoleReader && strings.HasPrefix(path, tokensPath):
		writeError(w, r, errorf(http.StatusForbidden, model.ErrPermissionDenied,
			"token %q has role reader, and only admin tokens may see or change tokens",
			p.name))
		return false
	case p.role == model.RoleReader && r.Method != http.MethodGet &&
		r.Method != http.MethodHead:
		writeError(w, r, errorf(http.StatusForbidden, model.ErrPermissionDenied,
			"token %q has role reader, which may only GET: use an admin token to %s",
			p.name, r.Method))
		return false
	case p.role != model.RoleReader:
		writeError(w, r, errorf(http.StatusForbidden, model.ErrPermissionDenied,
			"token %q has role %q, which allows nothing", p.name, p.role))
		return false
	}
	return true
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}
