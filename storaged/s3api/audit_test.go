package s3api

import (
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/strata-storage/strata/storaged/telemetry"
)

// recordingAuditor keeps every record it is given.
type recordingAuditor struct {
	mu      sync.Mutex
	records []telemetry.AuditRecord
}

func (a *recordingAuditor) Audit(r telemetry.AuditRecord) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, r)
}

// take returns the records so far and forgets them.
func (a *recordingAuditor) take() []telemetry.AuditRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.records
	a.records = nil
	return out
}

// newAuditedAdmin returns an Admin over a handler that audits to the
// returned auditor.
func newAuditedAdmin(t *testing.T) (*Admin, *recordingAuditor) {
	t.Helper()
	aud := &recordingAuditor{}
	h, err := New(Config{Region: testRegion, Layer: newFakeLayer(), Audit: aud,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a, err := NewAdmin(AdminConfig{S3: h, Heal: &fakeHeal{}})
	if err != nil {
		t.Fatalf("NewAdmin: %v", err)
	}
	return a, aud
}

func TestEveryAnsweredRequestIsAuditedOnce(t *testing.T) {
	t.Parallel()
	a, aud := newAuditedAdmin(t)
	body := []byte("hello, audit")
	// The versioned delete fails in the fake layer: not deleted, not named.
	del := []byte(`<Delete><Object><Key>k/1</Key></Object><Object><Key>none</Key></Object>` +
		`<Object><Key>k/1</Key><VersionId>v9</VersionId></Object></Delete>`)
	wrong := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: "wrong-secret-0123"}
	tests := []struct {
		name string
		req  *http.Request
		want telemetry.AuditRecord
	}{
		{"a bucket is created", signedRequest(t, http.MethodPut, "/bkt", nil, signOptions{}),
			telemetry.AuditRecord{Operation: "CreateBucket", Bucket: "bkt", Status: 200,
				AccessKey: testAccessKey}},
		{"an object is put, its body counted in", signedRequest(t, http.MethodPut, "/bkt/k/1",
			body, signOptions{}), telemetry.AuditRecord{Operation: "PutObject", Bucket: "bkt",
			Key: "k/1", Status: 200, BytesIn: int64(len(body)), AccessKey: testAccessKey}},
		{"an object is read, its body counted out", signedRequest(t, http.MethodGet,
			"/bkt/k/1", nil, signOptions{}), telemetry.AuditRecord{Operation: "GetObject",
			Bucket: "bkt", Key: "k/1", Status: 200, AccessKey: testAccessKey}},
		{"an anonymous request is refused without a key", unsignedRequest(http.MethodGet,
			"/bkt/k/1", nil, nil), telemetry.AuditRecord{Operation: "GetObject", Bucket: "bkt",
			Key: "k/1", Status: 403, Error: "AccessDenied"}},
		{"a bad signature names no key", signedRequest(t, http.MethodGet, "/bkt/k/1", nil,
			signOptions{creds: wrong}), telemetry.AuditRecord{Operation: "GetObject",
			Bucket: "bkt", Key: "k/1", Status: 403, Error: "SignatureDoesNotMatch"}},
		{"a missing key is a 404 with its code", signedRequest(t, http.MethodHead, "/bkt/none",
			nil, signOptions{}), telemetry.AuditRecord{Operation: "HeadObject", Bucket: "bkt",
			Key: "none", Status: 404, Error: "NoSuchKey", AccessKey: testAccessKey}},
		{"a multi-object delete names what it deleted", signedRequest(t, http.MethodPost,
			"/bkt?delete", del, signOptions{}), telemetry.AuditRecord{Operation: "DeleteObjects",
			Bucket: "bkt", Status: 200, BytesIn: int64(len(del)), AccessKey: testAccessKey,
			Deleted: []telemetry.DeletedObject{{Key: "k/1"}, {Key: "none"}}}},
		{"an admin call is audited by its method and path", signedRequest(t, http.MethodPost,
			"/strata/admin/heal?bucket=bkt", nil, signOptions{}), telemetry.AuditRecord{
			Operation: "POST /strata/admin/heal", Bucket: "bkt", Status: 202,
			AccessKey: testAccessKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Header.Set("User-Agent", "audit-test/1")
			w := do(a, tt.req)
			recs := aud.take()
			if len(recs) != 1 {
				t.Fatalf("got %d records, want 1", len(recs))
			}
			got := recs[0]
			if got.RequestID == "" || got.RequestID != w.Header().Get("X-Amz-Request-Id") {
				t.Errorf("requestId: got %q, want the answer's %q", got.RequestID,
					w.Header().Get("X-Amz-Request-Id"))
			}
			if got.Time.IsZero() || got.Duration <= 0 || got.UserAgent != "audit-test/1" ||
				got.RemoteAddr == "" {
				t.Errorf("got time %v, duration %v, agent %q, remote %q; want them all set",
					got.Time, got.Duration, got.UserAgent, got.RemoteAddr)
			}
			if got.BytesOut != int64(w.Body.Len()) {
				t.Errorf("bytesOut: got %d, want the body's %d", got.BytesOut, w.Body.Len())
			}
			got.Time, got.Duration, got.RequestID, got.UserAgent, got.RemoteAddr =
				tt.want.Time, 0, "", "", ""
			got.BytesOut = 0
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestHealthChecksAndMetricsAreNotAudited(t *testing.T) {
	t.Parallel()
	a, aud := newAuditedAdmin(t)
	for _, path := range []string{"/strata/health/live", "/strata/health/ready",
		"/strata/health/drives", "/strata/metrics"} {
		if w := do(a, unsignedRequest(http.MethodGet, path, nil, nil)); w.Code != http.StatusOK {
			t.Errorf("%s: got status %d, want 200", path, w.Code)
		}
	}
	if recs := aud.take(); len(recs) != 0 {
		t.Errorf("got %d records, want none: %+v", len(recs), recs)
	}
}

func TestAHandlerWithoutAuditorServesAsBefore(t *testing.T) {
	t.Parallel()
	h, _ := newTestHandler(t)
	if w := do(h, signedRequest(t, http.MethodPut, "/bkt", nil, signOptions{})); w.Code != 200 {
		t.Errorf("got status %d, want 200", w.Code)
	}
}
