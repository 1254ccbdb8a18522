package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/strata-storage/strata/controlplane/model"
)

func TestOpenAPIDocumentIsOpenAPI31(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPIMajorMinor() != "3.1" {
		t.Errorf("got openapi %q, want 3.1.x", doc.OpenAPI)
	}
	if got := doc.Components.SecuritySchemes["bearer"]; got == nil || got.Value.Scheme != "bearer" {
		t.Errorf("got security scheme %+v, want http bearer", got)
	}
}

// documentRoutes returns "METHOD /path" for every operation of doc.
func documentRoutes(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

func TestOpenAPIDocumentHasEveryRouteAndNoOther(t *testing.T) {
	t.Parallel()
	served := slices.Sorted(slices.Values(New(Config{}).patterns))
	documented := documentRoutes(loadDocument(t))
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("the server serves %s, which openapi.json lacks", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("openapi.json has %s, which the server does not register", r)
		}
	}
	if len(served) < 25 {
		t.Errorf("got %d server routes %v, want at least 25", len(served), served)
	}
}

func TestEveryDocumentedOperationReachesItsHandler(t *testing.T) {
	t.Parallel()
	s := New(Config{})
	for _, route := range documentRoutes(loadDocument(t)) {
		t.Run(route, func(t *testing.T) {
			method, path, _ := strings.Cut(route, " ")
			r := httptest.NewRequest(method, samplePath(path), nil)
			if _, got := s.mux.Handler(r); got != route {
				t.Errorf("got pattern %q, want %q", got, route)
			}
		})
	}
}

// samplePath fills every {parameter} of an OpenAPI path with a name.
func samplePath(path string) string {
	var b strings.Builder
	for {
		before, rest, ok := strings.Cut(path, "{")
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		_, path, _ = strings.Cut(rest, "}")
		b.WriteString("sample")
	}
}

func TestOpenAPIDocumentIsServedBehindTheToken(t *testing.T) {
	t.Parallel()
	ts, _, _ := newTestServer(t)
	resp := do(t, ts, http.MethodGet, "/v1/openapi.json", "", nil)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(body) != openAPIJSON {
		t.Errorf("with the token: got %d and %d bytes, want 200 and the %d bytes of openapi.json",
			resp.StatusCode, len(body), len(openAPIJSON))
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("got Content-Type %q, want application/json", got)
	}
	anon := do(t, ts, http.MethodGet, "/v1/openapi.json", "", map[string]string{"Authorization": ""})
	if anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: got %d, want 401", anon.StatusCode)
	}
}

// schemaOf returns the component schema name, or a property path below it
// such as "Error.error".
func schemaOf(t *testing.T, doc *openapi3.T, path string) *openapi3.Schema {
	t.Helper()
	name, props, _ := strings.Cut(path, ".")
	ref := doc.Components.Schemas[name]
	for p := range strings.SplitSeq(props, ".") {
		if p != "" && ref != nil {
			ref = ref.Value.Properties[p]
		}
	}
	if ref == nil || ref.Value == nil {
		t.Fatalf("openapi.json has no schema %s", path)
	}
	return ref.Value
}

// jsonField is one field of a Go type as encoding/json writes it.
type jsonField struct {
	kind     string // the JSON Schema type it encodes as
	optional bool   // omitempty or omitzero
}

func jsonFields(typ reflect.Type) map[string]jsonField {
	out := map[string]jsonField{}
	for f := range typ.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		out[name] = jsonField{kind: jsonKind(f.Type), optional: optional}
	}
	return out
}

func jsonKind(typ reflect.Type) string {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch {
	case typ == reflect.TypeFor[time.Time]():
		return openapi3.TypeString
	case typ.Kind() == reflect.String:
		return openapi3.TypeString
	case typ.Kind() == reflect.Bool:
		return openapi3.TypeBoolean
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		return openapi3.TypeInteger
	case typ.Kind() == reflect.Slice:
		return openapi3.TypeArray
	default:
		return openapi3.TypeObject
	}
}

func TestOpenAPISchemasNameExactlyTheModelFields(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	tests := []struct {
		schema string
		typ    reflect.Type
		// output types are only ever written by the server, so every field
		// that encoding/json always writes must be required.
		output bool
	}{
		{"Metadata", reflect.TypeFor[model.Metadata](), true},
		{"PutMetadata", reflect.TypeFor[model.PutMetadata](), false},
		{"Condition", reflect.TypeFor[model.Condition](), true},
		{"Cluster", reflect.TypeFor[model.Cluster](), true},
		{"ClusterSpec", reflect.TypeFor[model.ClusterSpec](), false},
		{"ClusterStatus", reflect.TypeFor[model.ClusterStatus](), true},
		{"ClusterPut", reflect.TypeFor[model.PutRequest[model.ClusterSpec]](), false},
		{"ClusterList", reflect.TypeFor[model.List[model.Cluster]](), true},
		{"Tenant", reflect.TypeFor[model.Tenant](), true},
		{"TenantSpec", reflect.TypeFor[model.TenantSpec](), false},
		{"Pool", reflect.TypeFor[model.Pool](), false},
		{"TenantStatus", reflect.TypeFor[model.TenantStatus](), true},
		{"TenantTLS", reflect.TypeFor[model.TenantTLS](), false},
		{"TenantKMS", reflect.TypeFor[model.TenantKMS](), false},
		{"TenantAudit", reflect.TypeFor[model.TenantAudit](), false},
		{"LogTarget", reflect.TypeFor[model.LogTarget](), false},
		{"TenantMonitoring", reflect.TypeFor[model.TenantMonitoring](), false},
		{"TenantHealing", reflect.TypeFor[model.TenantHealing](), true},
		{"DriveHealJob", reflect.TypeFor[model.DriveHealJob](), true},
		{"Credentials", reflect.TypeFor[model.Credentials](), true},
		{"Node", reflect.TypeFor[model.Node](), true},
		{"TenantPut", reflect.TypeFor[model.PutRequest[model.TenantSpec]](), false},
		{"TenantList", reflect.TypeFor[model.List[model.Tenant]](), true},
		{"Bucket", reflect.TypeFor[model.Bucket](), true},
		{"BucketSpec", reflect.TypeFor[model.BucketSpec](), false},
		{"BucketStatus", reflect.TypeFor[model.BucketStatus](), true},
		{"BucketPut", reflect.TypeFor[model.PutRequest[model.BucketSpec]](), false},
		{"BucketList", reflect.TypeFor[model.List[model.Bucket]](), true},
		{"Key", reflect.TypeFor[model.Key](), true},
		{"KeySpec", reflect.TypeFor[model.KeySpec](), false},
		{"VaultKey", reflect.TypeFor[model.VaultKey](), false},
		{"KeyStatus", reflect.TypeFor[model.KeyStatus](), true},
		{"KeyPut", reflect.TypeFor[model.PutRequest[model.KeySpec]](), false},
		{"KeyList", reflect.TypeFor[model.List[model.Key]](), true},
		{"Tier", reflect.TypeFor[model.Tier](), true},
		{"TierSpec", reflect.TypeFor[model.TierSpec](), false},
		{"TierTenantBucket", reflect.TypeFor[model.TierTenantBucket](), false},
		{"TierS3", reflect.TypeFor[model.TierS3](), false},
		{"TierStatus", reflect.TypeFor[model.TierStatus](), true},
		{"TierPut", reflect.TypeFor[model.PutRequest[model.TierSpec]](), false},
		{"TierList", reflect.TypeFor[model.List[model.Tier]](), true},
		{"Token", reflect.TypeFor[model.Token](), true},
		{"TokenSpec", reflect.TypeFor[model.TokenSpec](), false},
		{"TokenStatus", reflect.TypeFor[model.TokenStatus](), true},
		{"TokenPut", reflect.TypeFor[model.PutRequest[model.TokenSpec]](), false},
		{"TokenList", reflect.TypeFor[model.List[model.Token]](), true},
		{"Error", reflect.TypeFor[model.ErrorBody](), true},
		{"Error.error", reflect.TypeFor[model.ErrorDetail](), true},
		{"FieldViolation", reflect.TypeFor[model.FieldViolation](), true},
	}
	for _, tt := range tests {
		t.Run(tt.schema+" matches "+tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			checkSchemaFields(t, schemaOf(t, doc, tt.schema), jsonFields(tt.typ), tt.output)
		})
	}
}

func checkSchemaFields(t *testing.T, s *openapi3.Schema, fields map[string]jsonField,
	output bool) {
	t.Helper()
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		t.Errorf("got additionalProperties %v, want false so that new fields are caught",
			s.AdditionalProperties.Has)
	}
	for name, f := range fields {
		prop := s.Properties[name]
		switch {
		case prop == nil || prop.Value == nil:
			t.Errorf("the Go type writes %q, which the schema lacks", name)
		case !prop.Value.Type.Is(f.kind):
			t.Errorf("property %q: got type %v, want %s", name, prop.Value.Type, f.kind)
		case output && !f.optional && !slices.Contains(s.Required, name):
			t.Errorf("property %q is always written, so it must be required; got required %v",
				name, s.Required)
		}
	}
	for name := range s.Properties {
		if _, ok := fields[name]; !ok {
			t.Errorf("the schema has %q, which the Go type does not write", name)
		}
	}
}

func TestOpenAPIEnumsAreTheModelConstants(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	tests := []struct {
		schema string
		want   []any
	}{
		{"ClusterSpec.kind", []any{model.ClusterLocal, model.ClusterKubernetes, model.ClusterEKS}},
		{"Pool.media", []any{model.MediaNVMe, model.MediaSSD, model.MediaHDD, ""}},
		{"KeySpec.backend", []any{model.KeyBackendBuiltin, model.KeyBackendVault, ""}},
		{"TokenSpec.role", []any{model.RoleAdmin, model.RoleReader}},
		{"Condition.status", []any{model.StatusTrue, model.StatusFalse, model.StatusUnknown}},
		{"ErrorStatus", []any{model.ErrInvalidArgument, model.ErrUnauthenticated,
			model.ErrPermissionDenied, model.ErrNotFound, model.ErrMethodNotAllowed,
			model.ErrAlreadyExists,
			model.ErrAborted, model.ErrFailedPrecondition, model.ErrInternal}},
	}
	for _, tt := range tests {
		t.Run(tt.schema+" lists the model's values", func(t *testing.T) {
			t.Parallel()
			if got := schemaOf(t, doc, tt.schema).Enum; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got enum %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOpenAPIPatternsRejectOnlyWhatTheModelRejects checks the direction the
// contract relies on: a value the document's pattern rejects is one the
// server refuses too.
func TestOpenAPIPatternsRejectOnlyWhatTheModelRejects(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	name := func(s string) bool {
		var v model.Violations
		model.ValidateName(&v, "name", s)
		return len(v) == 0
	}
	bucket := func(s string) bool {
		var v model.Violations
		model.ValidateBucketName(&v, "name", s)
		return len(v) == 0
	}
	size := func(s string) bool {
		_, err := model.ParseSize(s)
		return s == "" || err == nil
	}
	class := func(s string) bool {
		var v model.Violations
		model.ValidateStorageClass(&v, "class", s)
		return len(v) == 0
	}
	long := strings.Repeat("a", 63)
	tests := []struct {
		schema string
		model  func(string) bool
		values []string
	}{
		{"Name", name, []string{"a", "acme", "pool-0", "a1", "", "1a", "Acme", "a-", "a_b",
			long, long + "a"}},
		{"Pool.driveSize", size, []string{"", "1", "10Gi", "512Mi", "1T", "1.5Gi", "Gi",
			"10gb", "-1"}},
		{"NewBucketName", bucket, []string{"logs", "a.b-c", "ab", "Logs", "-ab", "ab-",
			long, long + "a"}},
		{"StorageClass", class, []string{"COLD", "GLACIER_IR", "C1", "cold", "1COLD", "",
			"STANDARD", "A" + strings.Repeat("B", 31), "A" + strings.Repeat("B", 32)}},
	}
	for _, tt := range tests {
		t.Run(tt.schema+" agrees with the model", func(t *testing.T) {
			t.Parallel()
			s := patternSchema(t, doc, tt.schema)
			for _, v := range tt.values {
				documentOK := s.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil
				if !documentOK && tt.model(v) {
					t.Errorf("%q: the document rejects it but the server accepts it", v)
				}
			}
		})
	}
}

// patternSchema returns a component schema or, for a name that is not
// one, the schema of the component parameter of that name.
func patternSchema(t *testing.T, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	if p := doc.Components.Parameters[name]; p != nil {
		return p.Value.Schema.Value
	}
	return schemaOf(t, doc, name)
}

// captured collects what a contract reports, for the tests of the contract
// itself.
type captured struct {
	mu   sync.Mutex
	msgs []string
}

func (c *captured) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

func (c *captured) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// tierWithSecret is a tier answer that wrongly carries its write-only
// secret access key.
const tierWithSecret = `{"metadata":{"name":"t","uid":"0b6f8a52-2a36-4b8e-9a4e-3b8a1f0c7d21",` +
	`"generation":1,"etag":"\"1\"","createTime":"2025-01-01T00:00:00Z",` +
	`"updateTime":"2025-01-01T00:00:00Z"},"spec":{"tenant":"a","storageClass":"COLD",` +
	`"s3":{"endpoint":"https://s3.example.com","bucket":"cold","accessKeyId":"AK",` +
	`"secretAccessKey":"SECRET"}},"status":{"reachable":false}}`

// TestContractCatchesMismatches shows that the validator around the API
// tests can fail: each handler answers something the document forbids.
func TestContractCatchesMismatches(t *testing.T) {
	t.Parallel()
	cluster := `{"metadata":{"name":"a","uid":"0b6f8a52-2a36-4b8e-9a4e-3b8a1f0c7d21",` +
		`"generation":1,"etag":"\"1\"","createTime":"2025-01-01T00:00:00Z",` +
		`"updateTime":"2025-01-01T00:00:00Z"},"spec":{"kind":"local"},` +
		`"status":{"reachable":true}}`
	tests := []struct {
		name, method, path, body string
		status                   int
		header                   map[string]string
		answer                   string
	}{
		{"a valid answer passes", "GET", "/v1/clusters/a", "", 200,
			map[string]string{"ETag": `"1"`}, cluster},
		{"an undeclared status fails", "GET", "/v1/clusters/a", "", 418, nil,
			`{"error":{"code":418,"status":"INTERNAL","message":"x","requestId":"1"}}`},
		{"a missing ETag fails", "GET", "/v1/clusters/a", "", 200, nil, cluster},
		{"an unknown field fails", "GET", "/v1/clusters/a", "", 200,
			map[string]string{"ETag": `"1"`}, strings.Replace(cluster, `"spec":{`, `"spec":{"x":1,`, 1)},
		{"an error code unlike the status fails", "GET", "/v1/clusters/a", "", 404, nil,
			`{"error":{"code":400,"status":"NOT_FOUND","message":"x","requestId":"1"}}`},
		{"accepting a request the document rejects fails", "PUT", "/v1/clusters/a",
			`{"spec":{"kind":"tape"}}`, 201, map[string]string{"ETag": `"1"`}, cluster},
		{"an undocumented path that answers 200 fails", "GET", "/v1/keys", "", 200, nil, `{}`},
		{"a write-only secret in an answer fails", "GET", "/v1/tenants/a/tiers/t", "", 200,
			map[string]string{"ETag": `"1"`}, tierWithSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got captured
			c := newContract(t, got.Errorf)
			h := c.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Request-Id", "0123456789abcdef")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.answer)
			}))
			r := httptest.NewRequestWithContext(context.Background(), tt.method, tt.path,
				strings.NewReader(tt.body))
			r.Header.Set("Authorization", "Bearer "+testToken)
			r.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(httptest.NewRecorder(), r)
			want := 1
			if strings.HasSuffix(tt.name, "passes") {
				want = 0
			}
			if got.count() != want {
				t.Errorf("got %d reports %v, want %d", got.count(), got.msgs, want)
			}
		})
	}
}
