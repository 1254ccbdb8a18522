package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/strata-storage/strata/internal/esdouble"
)

// receiver is a loopback webhook that keeps the bodies it gets and answers
// each request with the next of its statuses (200 once they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	bodies   [][]byte
	types    []string
	calls    int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	rc := &receiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.calls++
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		if status == http.StatusOK {
			rc.bodies = append(rc.bodies, body)
			rc.types = append(rc.types, r.Header.Get("Content-Type"))
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// got returns the bodies taken so far and how many requests came.
func (rc *receiver) got() ([][]byte, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...), rc.calls
}

// fastConfig shortens the pauses so that tests run in milliseconds.
func fastConfig() Config {
	return Config{Node: "node-a", Backoff: 5 * time.Millisecond,
		FlushInterval: 50 * time.Millisecond, Timeout: 5 * time.Second}
}

func newShipper(t *testing.T, cfg Config) *Shipper {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s
}

// closeShipper closes s within a few seconds and fails if it could not.
func closeShipper(t *testing.T, s *Shipper) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// waitFor polls cond for a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var testRecord = AuditRecord{
	Time:      time.Date(2026, 1, 2, 15, 4, 5, 678_900_000, time.FixedZone("x", 3600)),
	RequestID: "0A1B2C3D4E5F6071", Operation: "PutObject", Bucket: "b", Key: "k/ey",
	Status: 403, Duration: 4250 * time.Microsecond, BytesIn: 1024, BytesOut: 243,
	RemoteAddr: "127.0.0.1:53211", UserAgent: "ua/1", AccessKey: "AKIDX",
	Error: "AccessDenied",
}

func TestWebhookReceivesAuditRecordsWithEveryField(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	cfg := fastConfig()
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: rc.URL + "/audit"}}
	s := newShipper(t, cfg)
	s.Audit(testRecord)
	closeShipper(t, s)
	bodies, _ := rc.got()
	if len(bodies) != 1 {
		t.Fatalf("got %d records, want 1", len(bodies))
	}
	var got map[string]any
	if err := json.Unmarshal(bodies[0], &got); err != nil {
		t.Fatalf("the body is not JSON: %v: %s", err, bodies[0])
	}
	want := map[string]any{"time": "2026-01-02T14:04:05.678Z", "requestId": "0A1B2C3D4E5F6071",
		"node": "node-a", "operation": "PutObject", "bucket": "b", "key": "k/ey",
		"status": 403.0, "durationMs": 4.25, "bytesIn": 1024.0, "bytesOut": 243.0,
		"remoteAddr": "127.0.0.1:53211", "userAgent": "ua/1", "accessKey": "AKIDX",
		"error": "AccessDenied"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v,\nwant %v", got, want)
	}
	if rc.types[0] != "application/json" {
		t.Errorf("Content-Type: got %q, want application/json", rc.types[0])
	}
	if c := s.Counts(StreamAudit)[0]; c != (Counts{Sent: 1}) {
		t.Errorf("counts: got %+v, want 1 sent", c)
	}
}

func TestWebhookGetsTheRecordAfterARetry(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, http.StatusInternalServerError, http.StatusOK)
	cfg := fastConfig()
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: rc.URL}}
	s := newShipper(t, cfg)
	s.Audit(testRecord)
	waitFor(t, "the record", func() bool { return s.Counts(StreamAudit)[0].Sent == 1 })
	if bodies, calls := rc.got(); calls != 2 || len(bodies) != 1 {
		t.Errorf("got %d requests and %d records, want 2 (a 500, then the retry) and 1",
			calls, len(bodies))
	}
	if c := s.Counts(StreamAudit)[0]; c != (Counts{Sent: 1}) {
		t.Errorf("counts: got %+v, want 1 sent", c)
	}
}

func TestWebhookFailsAfterEveryTryAndReportsOnce(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 500, 500, 500, 500, 500, 500)
	var errs syncBuffer
	cfg := fastConfig()
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: rc.URL}}
	cfg.Logger = hclog.New(&hclog.LoggerOptions{Output: &errs})
	s := newShipper(t, cfg)
	s.Audit(testRecord)
	s.Audit(testRecord)
	waitFor(t, "two failures", func() bool { return s.Counts(StreamAudit)[0].Failed == 2 })
	if _, calls := rc.got(); calls != 6 {
		t.Errorf("requests: got %d, want 6 (3 tries for each record)", calls)
	}
	report := errs.String()
	if n := strings.Count(report, "\n"); n != 1 {
		t.Errorf("got %d report lines, want 1 (at most one a minute):\n%s", n, report)
	}
	if !strings.Contains(report, "[WARN]") || !strings.Contains(report, "HTTP 500") ||
		!strings.Contains(report, rc.URL) {
		t.Errorf("report %q: want a warning with the target and the status", report)
	}
}

func TestADownTargetDropsPastItsQueueAndHoldsNoMore(t *testing.T) {
	t.Parallel()
	const queue, records = 10, 1000
	cfg := fastConfig()
	cfg.QueueSize = queue
	cfg.Backoff = time.Hour // the sender stays on its first record
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: "http://" + downAddress(t)}}
	s := newShipper(t, cfg)
	for range records {
		s.Audit(testRecord)
	}
	c := s.Counts(StreamAudit)[0]
	if c.Dropped < records-queue-1 || c.Dropped > records-queue {
		t.Errorf("dropped: got %d, want %d or %d", c.Dropped, records-queue-1, records-queue)
	}
	if n := len(s.audit[0].queue); n > queue {
		t.Errorf("queued: got %d, want at most %d", n, queue)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close: got %v, want the deadline", err)
	}
	c = s.Counts(StreamAudit)[0]
	if c.Sent != 0 || c.Dropped+c.Failed != records {
		t.Errorf("after Close: got %+v, want every one of %d records dropped or failed", c,
			records)
	}
}

// downAddress returns a loopback address where nothing listens.
func downAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestElasticsearchGetsBatchesOfTheQueue(t *testing.T) {
	t.Parallel()
	es := esdouble.Start(t)
	cfg := fastConfig()
	cfg.BatchSize = 10
	cfg.FlushInterval = 500 * time.Millisecond
	cfg.Audit = []Target{{Type: TypeElasticsearch, Endpoint: es.URL, Index: "audit"}}
	s := newShipper(t, cfg)
	for i := range 25 {
		r := testRecord
		r.RequestID = fmt.Sprintf("R%02d", i)
		s.Audit(r)
	}
	waitFor(t, "25 documents", func() bool { return len(es.Docs("audit")) == 25 })
	closeShipper(t, s) // the counts are final
	if n := es.Requests(); n != 3 {
		t.Errorf("bulk requests: got %d, want 3 (10, 10 and 5 records)", n)
	}
	var doc map[string]any
	_ = json.Unmarshal(es.Docs("audit")[0], &doc)
	if doc["requestId"] != "R00" || doc["operation"] != "PutObject" {
		t.Errorf("first document: got %v, want request R00 of PutObject", doc)
	}
	if c := s.Counts(StreamAudit)[0]; c != (Counts{Sent: 25}) {
		t.Errorf("counts: got %+v, want 25 sent", c)
	}
}

func TestElasticsearchRetriesFailedRequestsAndItems(t *testing.T) {
	t.Parallel()
	es := esdouble.Start(t)
	es.FailRequests(1)
	es.FailItems(2)
	cfg := fastConfig()
	cfg.FlushInterval = 200 * time.Millisecond
	cfg.Audit = []Target{{Type: TypeElasticsearch, Endpoint: es.URL, Index: "audit"}}
	s := newShipper(t, cfg)
	for i := range 5 {
		r := testRecord
		r.RequestID = fmt.Sprintf("R%d", i)
		s.Audit(r)
	}
	waitFor(t, "5 documents", func() bool { return len(es.Docs("audit")) == 5 })
	closeShipper(t, s) // the counts are final
	seen := map[string]bool{}
	for _, d := range es.Docs("audit") {
		var doc map[string]any
		_ = json.Unmarshal(d, &doc)
		seen[doc["requestId"].(string)] = true
	}
	if len(seen) != 5 || len(es.Docs("audit")) != 5 {
		t.Errorf("got %d documents of %d requests, want each of 5 once", len(es.Docs("audit")),
			len(seen))
	}
	if n := es.Requests(); n != 3 {
		t.Errorf("bulk requests: got %d, want 3 (a 503, 2 items refused, their retry)", n)
	}
	if c := s.Counts(StreamAudit)[0]; c != (Counts{Sent: 5}) {
		t.Errorf("counts: got %+v, want 5 sent", c)
	}
}

func TestElasticsearchItemsRefusedOnEveryTryAreFailed(t *testing.T) {
	t.Parallel()
	es := esdouble.Start(t)
	es.FailItems(3) // the one record of each of the 3 tries
	cfg := fastConfig()
	cfg.Audit = []Target{{Type: TypeElasticsearch, Endpoint: es.URL, Index: "audit"}}
	s := newShipper(t, cfg)
	s.Audit(testRecord)
	waitFor(t, "a failure", func() bool { return s.Counts(StreamAudit)[0].Failed == 1 })
	if c := s.Counts(StreamAudit)[0]; c.Sent != 0 || len(es.Docs("audit")) != 0 {
		t.Errorf("got %+v and %d documents, want nothing sent", c, len(es.Docs("audit")))
	}
}

func TestLogLinesReachTheLogTargetAndStderrStaysTheSame(t *testing.T) {
	t.Parallel()
	es := esdouble.Start(t)
	cfg := fastConfig()
	cfg.LogLevel = hclog.Info
	cfg.Logs = []Target{{Type: TypeElasticsearch, Endpoint: es.URL, Index: "logs"}}
	s := newShipper(t, cfg)
	var stderr syncBuffer
	logger := hclog.NewInterceptLogger(&hclog.LoggerOptions{Name: "storaged",
		Level: hclog.Debug, Output: &stderr})
	logger.RegisterSink(s)
	logger.Named("s3").Info("request failed", "status", 503, "error", errors.New("no quorum"),
		"took", 1500*time.Millisecond, "drives", []string{"a", "b"}, "ok", false)
	logger.Debug("below the shipped level")
	closeShipper(t, s)
	docs := es.Docs("logs")
	if len(docs) != 1 {
		t.Fatalf("got %d log documents, want 1: %s", len(docs), docs)
	}
	var got map[string]any
	_ = json.Unmarshal(docs[0], &got)
	delete(got, "time")
	want := `map[fields:map[drives:[a b] error:no quorum ok:false status:503 took:1.5s] ` +
		`level:info message:request failed name:storaged.s3 node:node-a]`
	if fmt.Sprint(got) != want {
		t.Errorf("got %v,\nwant %s", got, want)
	}
	out := stderr.String()
	if !strings.Contains(out, "request failed") || !strings.Contains(out, "below the shipped") {
		t.Errorf("stderr lost lines: %q", out)
	}
}

func TestCloseFlushesWhatIsQueuedAndThenDrops(t *testing.T) {
	t.Parallel()
	es := esdouble.Start(t)
	rc := newReceiver(t)
	cfg := fastConfig()
	cfg.FlushInterval = time.Hour // only Close sends a partial batch
	cfg.Audit = []Target{{Type: TypeElasticsearch, Endpoint: es.URL, Index: "audit"},
		{Type: TypeWebhook, Endpoint: rc.URL}}
	s := newShipper(t, cfg)
	for range 50 {
		s.Audit(testRecord)
	}
	closeShipper(t, s)
	if n := len(es.Docs("audit")); n != 50 {
		t.Errorf("elasticsearch: got %d documents, want 50", n)
	}
	if b, _ := rc.got(); len(b) != 50 {
		t.Errorf("webhook: got %d records, want 50", len(b))
	}
	s.Audit(testRecord)
	want := []Counts{{Sent: 50, Dropped: 1}, {Sent: 50, Dropped: 1}}
	if got := s.Counts(StreamAudit); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts: got %+v, want %+v", got, want)
	}
}

func TestCountersAreExportedByStreamTargetAndResult(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	cfg := fastConfig()
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: rc.URL}}
	cfg.Logs = []Target{{Type: TypeWebhook, Endpoint: rc.URL}}
	s := newShipper(t, cfg)
	s.Audit(testRecord)
	s.Accept("storaged", hclog.Info, "hello")
	closeShipper(t, s)
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			got[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	for _, stream := range []string{"audit", "log"} {
		key := "strata_telemetry_records_total{result=sent,stream=" + stream +
			",target=webhook " + rc.URL + "}"
		if got[key] != 1 {
			t.Errorf("%s: got %v, want 1 (all: %v)", key, got[key], got)
		}
	}
	if len(got) != 6 {
		t.Errorf("got %d series, want 6 (2 streams x 3 results)", len(got))
	}
}

func TestNewRefusesABadTarget(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Audit: []Target{{Type: "kafka", Endpoint: "http://h"}}})
	if err == nil || !strings.Contains(err.Error(), `"kafka"`) {
		t.Errorf("got %v, want an error naming the type", err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// BenchmarkAudit measures what an S3 request pays to hand over its record:
// encoding and queueing (the target is down, so most records are dropped
// once the queue is full; that path costs the same).
func BenchmarkAudit(b *testing.B) {
	cfg := fastConfig()
	cfg.Backoff = time.Hour
	cfg.Audit = []Target{{Type: TypeWebhook, Endpoint: "http://127.0.0.1:1/down"}}
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = s.Close(ctx)
	}()
	b.ReportAllocs()
	for b.Loop() {
		s.Audit(testRecord)
	}
}
