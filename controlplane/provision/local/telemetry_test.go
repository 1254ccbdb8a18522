package local

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
)

// receiver is a webhook on loopback that keeps every JSON record POSTed
// to it.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	records []map[string]any
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		req *http.Request) {
		var rec map[string]any
		body, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(body, &rec); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.records = append(r.records, rec)
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

// find returns the first record for which match holds, waiting up to 10s
// for it to arrive.
func (r *receiver) find(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for range 100 {
		if recs := r.matching(match); len(recs) > 0 {
			return recs[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no record %s arrived within 10s", what)
	return nil
}

// waitFor waits up to 10s until n records match.
func (r *receiver) waitFor(t *testing.T, what string, n int, match func(map[string]any) bool) {
	t.Helper()
	for range 100 {
		if len(r.matching(match)) >= n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%d records %s did not arrive within 10s", n, what)
}

// matching returns the records for which match holds.
func (r *receiver) matching(match func(map[string]any) bool) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, rec := range r.records {
		if match(rec) {
			out = append(out, rec)
		}
	}
	return out
}

// TestAuditAndLogTargetsReceiveTheTenantsRecords runs a tenant whose nodes
// send their audit log and their log lines to two webhooks: a PUT's record
// carries the answer's request ID, the log holds the node's start, and
// removing the audit target restarts the node without it.
func TestAuditAndLogTargetsReceiveTheTenantsRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	audit, logs := newReceiver(t), newReceiver(t)
	p := newProvisioner(t)
	tenant := newTenant("audited", 1, 4)
	tenant.Spec.Audit = &model.TenantAudit{Targets: []model.LogTarget{
		{Type: model.LogTargetWebhook, Endpoint: audit.URL + "/audit"}}}
	tenant.Spec.LogTargets = []model.LogTarget{
		{Type: model.LogTargetWebhook, Endpoint: logs.URL + "/logs"}}
	obs := ensureReady(t, p, tenant)
	client := s3Client(t, obs, obs.Endpoint)
	if _, err := client.CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String("audited")}); err != nil {
		t.Fatal(err)
	}
	put := func(key string) string {
		t.Helper()
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("audited"),
			Key: aws.String(key), Body: bytes.NewReader([]byte("audit me"))})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		return id
	}
	isPut := func(key string) func(map[string]any) bool {
		return func(r map[string]any) bool {
			return r["operation"] == "PutObject" && r["bucket"] == "audited" && r["key"] == key
		}
	}

	id := put("first")
	rec := audit.find(t, "for the PUT", isPut("first"))
	if rec["requestId"] != id || rec["status"] != float64(http.StatusOK) ||
		rec["accessKey"] != obs.Credentials.AccessKeyID || rec["bytesIn"] != float64(8) {
		t.Errorf("the PUT's record: got %v, want request ID %s, status 200, access key %s "+
			"and 8 bytes in", rec, id, obs.Credentials.AccessKeyID)
	}
	started := func(r map[string]any) bool { return r["message"] == "storaged listening" }
	logs.waitFor(t, "of the node's start", 1, started)

	tenant.Spec.Audit = nil
	tenant.Metadata.Generation++
	ensureReady(t, p, tenant)
	put("second")
	put("third")
	logs.waitFor(t, "of the restarted node's start", 2, started)
	time.Sleep(2 * time.Second) // what was sent would have arrived
	if n := len(audit.matching(isPut("second"))) + len(audit.matching(isPut("third"))); n != 0 {
		t.Errorf("after the audit target was removed: got %d records, want none", n)
	}
}
