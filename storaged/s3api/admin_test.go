package s3api

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/strata-storage/strata/storaged/erasure"
)

// fakeHeal is a HealControl that records sweeps.
type fakeHeal struct {
	mu     sync.Mutex
	sweeps []string
	err    error
}

func (f *fakeHeal) HealStatus() []SetHealStatus {
	return []SetHealStatus{
		{Set: "a", HealProgress: erasure.HealProgress{Scanned: 5, Healed: 2, QueueDrops: 1,
			Drives: []erasure.DriveHealProgress{{Drive: "/d0", State: erasure.JobRunning,
				Done: 3, Total: 9}}}},
		{Set: "b", HealProgress: erasure.HealProgress{Scanned: 7, Failed: 1}},
	}
}

func (f *fakeHeal) StartHeal(bucket, prefix string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sweeps = append(f.sweeps, bucket+"|"+prefix)
	return f.err
}

// newTestAdmin returns an Admin over a test handler that also knows a
// key other than root, "AKIDOTHERKEY".
func newTestAdmin(t *testing.T) (*Admin, *fakeHeal) {
	t.Helper()
	keys, err := NewStaticKeys([]Key{{Name: "other", Credentials: Credentials{
		AccessKeyID: "AKIDOTHERKEY", SecretAccessKey: "other-secret-key-0123"}}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Region: testRegion, Layer: newFakeLayer(), Keys: keys,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	heal := &fakeHeal{}
	a, err := NewAdmin(AdminConfig{S3: h, Heal: heal})
	if err != nil {
		t.Fatalf("NewAdmin: %v", err)
	}
	return a, heal
}

func TestHealEndpointTakesOnlyTheRootKey(t *testing.T) {
	t.Parallel()
	a, _ := newTestAdmin(t)
	other := aws.Credentials{AccessKeyID: "AKIDOTHERKEY", SecretAccessKey: "other-secret-key-0123"}
	cases := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"an unsigned request is refused", unsignedRequest(http.MethodGet,
			"/strata/admin/heal", nil, nil), http.StatusForbidden},
		{"a request signed by another key is refused", signedRequest(t, http.MethodGet,
			"/strata/admin/heal", nil, signOptions{creds: other}), http.StatusForbidden},
		{"a request signed with a wrong secret is refused", signedRequest(t, http.MethodGet,
			"/strata/admin/heal", nil, signOptions{creds: aws.Credentials{
				AccessKeyID: testAccessKey, SecretAccessKey: "wrong-secret-0123"}}),
			http.StatusForbidden},
		{"a request signed by root is answered", signedRequest(t, http.MethodGet,
			"/strata/admin/heal", nil, signOptions{}), http.StatusOK},
		{"another method is refused", signedRequest(t, http.MethodDelete,
			"/strata/admin/heal", nil, signOptions{}), http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if w := do(a, tc.req); w.Code != tc.status {
				t.Errorf("got status %d (%s), want %d", w.Code, truncate(w.Body.String()),
					tc.status)
			}
		})
	}
}

func TestHealEndpointReportsTotalsAndStartsSweeps(t *testing.T) {
	t.Parallel()
	a, heal := newTestAdmin(t)
	w := do(a, signedRequest(t, http.MethodGet, "/strata/admin/heal", nil, signOptions{}))
	var st HealStatus
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatalf("decoding %q: %v", w.Body.String(), err)
	}
	if st.Scanned != 12 || st.Healed != 2 || st.Failed != 1 || st.QueueDrops != 1 ||
		st.DriveJobsPending != 1 || len(st.Sets) != 2 || st.Sets[0].Drives[0].Done != 3 {
		t.Errorf("got %+v, want totals 12/2/1/1, one pending job, two sets", st)
	}

	w = do(a, signedRequest(t, http.MethodPost, "/strata/admin/heal?bucket=b1&prefix=logs/",
		nil, signOptions{}))
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST: got status %d (%s), want 202", w.Code, w.Body.String())
	}
	heal.err = erasure.ErrSweepRunning
	w = do(a, signedRequest(t, http.MethodPost, "/strata/admin/heal", nil, signOptions{}))
	if w.Code != http.StatusConflict {
		t.Errorf("POST while sweeping: got status %d, want 409", w.Code)
	}
	if got := strings.Join(heal.sweeps, ","); got != "b1|logs/,|" {
		t.Errorf("got sweeps %q, want %q", got, "b1|logs/,|")
	}
}

func TestMetricsCountRequestsAndHealing(t *testing.T) {
	t.Parallel()
	a, _ := newTestAdmin(t)
	do(a, signedRequest(t, http.MethodPut, "/bkt", nil, signOptions{}))
	do(a, signedRequest(t, http.MethodGet, "/bkt/missing", nil, signOptions{}))
	do(a, signedRequest(t, http.MethodGet, "/bkt/missing", nil, signOptions{}))

	w := do(a, unsignedRequest(http.MethodGet, "/strata/metrics", nil, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`strata_s3_requests_total{operation="CreateBucket",status="200"} 1`,
		`strata_s3_requests_total{operation="GetObject",status="404"} 2`,
		`strata_s3_request_duration_seconds_count{operation="GetObject"} 2`,
		`strata_heal_objects_scanned_total{set="a"} 5`,
		`strata_heal_objects_failed_total{set="b"} 1`,
		`strata_heal_queue_drops_total{set="a"} 1`,
		`strata_heal_drive_objects_done{drive="/d0",set="a",state="running"} 3`,
		`strata_heal_drive_objects_total{drive="/d0",set="a",state="running"} 9`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("got metrics without %q:\n%s", want, truncate(body))
		}
	}
}

func TestOperationNamesComeFromAFixedSet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		method, target string
		header         http.Header
		want           string
	}{
		{http.MethodGet, "/", nil, "ListBuckets"},
		{http.MethodGet, "/b?versions", nil, "ListObjectVersions"},
		{http.MethodPut, "/b/k?partNumber=1&uploadId=x", nil, "UploadPart"},
		{http.MethodPut, "/b/k", http.Header{"X-Amz-Copy-Source": {"/a/b"}}, "CopyObject"},
		{http.MethodPost, "/b/k?uploads", nil, "CreateMultipartUpload"},
		{http.MethodDelete, "/b/k?uploadId=x", nil, "AbortMultipartUpload"},
		{http.MethodPatch, "/b/k", nil, "Unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target+" is "+tc.want, func(t *testing.T) {
			r := unsignedRequest(tc.method, tc.target, nil, tc.header)
			if got := operationOf(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMetricsCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	h, err := New(Config{Region: testRegion, Layer: newFakeLayer(),
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAdmin(AdminConfig{S3: h, NoMetrics: true})
	if err != nil {
		t.Fatal(err)
	}
	w := do(a, unsignedRequest(http.MethodGet, "/strata/metrics", nil, nil))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "--metrics=false") {
		t.Errorf("got %d %q, want 404 naming --metrics=false", w.Code, w.Body.String())
	}
}
