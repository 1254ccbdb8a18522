package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/internal/esdouble"
	"github.com/strata-storage/strata/storaged/internal/teststoraged"
	"github.com/strata-storage/strata/storaged/telemetry"
)

func TestTargetFlagsAreParsed(t *testing.T) {
	t.Parallel()
	creds := env{envRootAccessKeyID: "AKIDTARGETS", envRootSecretAccessKey: "targets-secret-01"}
	base := []string{"--insecure-http", "--drive", t.TempDir(), "--drive", t.TempDir()}
	args := append(base,
		"--audit-target", `{"type":"webhook","endpoint":"https://127.0.0.1:9000/audit"}`,
		"--audit-target", `{"type":"elasticsearch","endpoint":"http://127.0.0.1:9200"}`,
		"--log-target", `{"type":"elasticsearch","endpoint":"http://127.0.0.1:9200"}`)
	opts, err := parseOptions(args, creds.get, io.Discard)
	if err != nil {
		t.Fatalf("parseOptions: %v", err)
	}
	want := fmt.Sprint([]telemetry.Target{
		{Type: "webhook", Endpoint: "https://127.0.0.1:9000/audit"},
		{Type: "elasticsearch", Endpoint: "http://127.0.0.1:9200", Index: "strata-audit"}},
		[]telemetry.Target{{Type: "elasticsearch", Endpoint: "http://127.0.0.1:9200",
			Index: "strata-logs"}})
	if got := fmt.Sprint(opts.auditTargets, opts.logTargets); got != want {
		t.Errorf("got %s, want %s", got, want)
	}

	withEnv := env{envAuditTargets: `[{"type":"webhook","endpoint":"http://127.0.0.1:1/a"}]`,
		envRootAccessKeyID: "AKIDTARGETS", envRootSecretAccessKey: "targets-secret-01"}
	opts, err = parseOptions(base, withEnv.get, io.Discard)
	if err != nil || len(opts.auditTargets) != 1 || opts.auditTargets[0].Endpoint !=
		"http://127.0.0.1:1/a" {
		t.Errorf("from %s: got %+v, %v; want the one webhook", envAuditTargets,
			opts.auditTargets, err)
	}
}

func TestBadTargetFlagsAreRefusedByName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, flag, value, want string
		twice                   bool // give the flag twice
	}{
		{"an unknown type", "--audit-target", `{"type":"kafka","endpoint":"http://h"}`,
			`--audit-target #1: telemetry: type: "kafka" is not a target type`, false},
		{"a URL that is not http(s)", "--log-target", `{"type":"webhook","endpoint":"h:1"}`,
			"--log-target #1: telemetry: endpoint", false},
		{"an index on a webhook", "--audit-target",
			`{"type":"webhook","endpoint":"http://h","index":"i"}`,
			"index: is only used by elasticsearch targets", false},
		{"the same target twice", "--audit-target",
			`{"type":"webhook","endpoint":"http://h/x"}`, "--audit-target #2 is the same " +
				"target as #1", true},
		{"an unknown field", "--log-target",
			`{"type":"webhook","endpoint":"http://h","url":"x"}`, `unknown field "url"`, false},
		{"not JSON", "--audit-target", "webhook=http://h", "must be a JSON object", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			args := []string{"--insecure-http", "--drive", t.TempDir(), "--drive",
				t.TempDir(), tt.flag, tt.value}
			if tt.twice {
				args = append(args, tt.flag, tt.value)
			}
			creds := env{envRootAccessKeyID: "AKIDTARGETS",
				envRootSecretAccessKey: "targets-secret-01"}
			if code := run(context.Background(), args, creds.get, &stderr); code != exitUsage {
				t.Errorf("exit status: got %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("got message %q, want one containing %q", stderr.String(), tt.want)
			}
		})
	}
}

// storagedBuild builds the storaged binary once for the tests that run it.
var storagedBuild = struct {
	once sync.Once
	bin  string
	err  error
}{}

// storagedBinary returns the built binary, building it on first use into
// the folder TestMain removes.
func storagedBinary(t *testing.T) string {
	t.Helper()
	storagedBuild.once.Do(func() {
		storagedBuild.bin, storagedBuild.err = teststoraged.Build(buildDir)
	})
	if storagedBuild.err != nil {
		t.Fatal(storagedBuild.err)
	}
	return storagedBuild.bin
}

// webhook is a loopback receiver of audit records.
type webhook struct {
	*httptest.Server
	mu      sync.Mutex
	records []map[string]any
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	wh := &webhook{}
	wh.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var rec map[string]any
		if r.Header.Get("Content-Type") != "application/json" ||
			json.NewDecoder(r.Body).Decode(&rec) != nil {
			http.Error(w, "want one JSON record", http.StatusBadRequest)
			return
		}
		wh.mu.Lock()
		wh.records = append(wh.records, rec)
		wh.mu.Unlock()
	}))
	t.Cleanup(wh.Close)
	return wh
}

// byRequestID returns the record of request id, or nil.
func (wh *webhook) byRequestID(id string) map[string]any {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	for _, r := range wh.records {
		if r["requestId"] == id {
			return r
		}
	}
	return nil
}

// s3Client is an aws-sdk-go-v2 client of srv with the root key.
func s3Client(t *testing.T, srv *teststoraged.Server) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(teststoraged.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			teststoraged.AccessKey, teststoraged.SecretKey, "")),
		config.WithCustomCABundle(bytes.NewReader(srv.CAPEM)),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.BaseEndpoint = aws.String(srv.Endpoint)
	})
}

// putAndGet creates a bucket, puts and gets one object, and returns the
// request IDs of the PUT and the GET.
func putAndGet(t *testing.T, c *s3.Client, bucket, key string) (string, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key,
		Body: strings.NewReader("audited body")})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(get.Body)
	_ = get.Body.Close()
	if string(body) != "audited body" {
		t.Fatalf("GetObject: got %q, want the body put", body)
	}
	putID, _ := awsmiddleware.GetRequestIDMetadata(put.ResultMetadata)
	getID, _ := awsmiddleware.GetRequestIDMetadata(get.ResultMetadata)
	if putID == "" || getID == "" {
		t.Fatalf("request IDs: got %q and %q, want both", putID, getID)
	}
	return putID, getID
}

// eventually polls cond for up to ten seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStoragedShipsAuditRecordsAndLogLines(t *testing.T) {
	t.Parallel()
	wh := newWebhook(t)
	es := esdouble.Start(t)
	srv := teststoraged.Start(t, storagedBinary(t),
		"--audit-target", `{"type":"webhook","endpoint":"`+wh.URL+`/audit"}`,
		"--log-target", `{"type":"elasticsearch","endpoint":"`+es.URL+`","index":"strata-logs"}`)
	putID, getID := putAndGet(t, s3Client(t, srv), "audited", "dir/object.txt")

	for _, want := range []struct{ id, op string }{{putID, "PutObject"}, {getID, "GetObject"}} {
		var rec map[string]any
		eventually(t, "the "+want.op+" record", func() bool {
			rec = wh.byRequestID(want.id)
			return rec != nil
		})
		got := fmt.Sprint(rec["operation"], rec["bucket"], rec["key"], rec["status"],
			rec["accessKey"], rec["node"], rec["error"])
		if w := fmt.Sprint(want.op, "audited", "dir/object.txt", 200, teststoraged.AccessKey,
			srv.Addr, ""); got != w {
			t.Errorf("%s record: got %s, want %s (%v)", want.op, got, w, rec)
		}
	}
	eventually(t, "the listening line in Elasticsearch", func() bool {
		return hasMessage(es.Docs("strata-logs"), "storaged listening")
	})
	metrics := scrape(t, srv)
	for _, want := range []string{
		`strata_telemetry_records_total{result="sent",stream="audit",target="webhook ` +
			wh.URL + `/audit"}`,
		`strata_telemetry_records_total{result="sent",stream="log",target="elasticsearch ` +
			es.URL + `"}`} {
		if v := metricValue(metrics, want); v < 1 {
			t.Errorf("%s: got %v, want at least 1\n%s", want, v, metrics)
		}
	}
}

func TestStoragedServesWhileItsAuditTargetIsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/audit"
	_ = ln.Close()
	es := esdouble.Start(t)
	srv := teststoraged.Start(t, storagedBinary(t),
		"--audit-target", `{"type":"webhook","endpoint":"`+down+`"}`,
		"--log-target", `{"type":"elasticsearch","endpoint":"`+es.URL+`"}`)
	putAndGet(t, s3Client(t, srv), "undelivered", "k")
	failed := `strata_telemetry_records_total{result="failed",stream="audit",target="webhook ` +
		down + `"}`
	eventually(t, "3 failed records (CreateBucket, PutObject, GetObject)", func() bool {
		return metricValue(scrape(t, srv), failed) >= 3
	})
	const warning = "telemetry records failed"
	srv.WaitForLog(t, warning)
	if n := strings.Count(srv.Logs.String(), warning); n != 1 {
		t.Errorf("got %d failure warnings on stderr, want 1 (once a minute)", n)
	}
	eventually(t, "the listening line in the default log index", func() bool {
		return hasMessage(es.Docs(telemetry.DefaultLogIndex), "storaged listening")
	})
	for _, d := range es.Docs(telemetry.DefaultLogIndex) {
		if strings.Contains(string(d), warning) {
			t.Errorf("the failure warning was shipped, which could loop: %s", d)
		}
	}
}

func TestStoragedRefusesABadTargetByFlagName(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(storagedBinary(t), "--insecure-http", "--drive", t.TempDir(),
		"--drive", t.TempDir(), "--log-target", `{"type":"elasticsearch","endpoint":"x"}`)
	cmd.Env = append(teststoraged.CleanEnv(), envRootAccessKeyID+"=AKIDTARGETS",
		envRootSecretAccessKey+"=targets-secret-01")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != exitUsage {
		t.Errorf("exit: got %v (status %d), want status %d", err, code, exitUsage)
	}
	if !strings.Contains(string(out), "--log-target #1") ||
		!strings.Contains(string(out), "not an http or https URL") {
		t.Errorf("got output %q, want the flag and what to fix", out)
	}
}

// hasMessage reports whether a log document has message msg.
func hasMessage(docs []json.RawMessage, msg string) bool {
	for _, d := range docs {
		var rec struct {
			Message string `json:"message"`
			Name    string `json:"name"`
			Level   string `json:"level"`
		}
		if json.Unmarshal(d, &rec) == nil && rec.Message == msg && rec.Name == "storaged" &&
			rec.Level == "info" {
			return true
		}
	}
	return false
}

// scrape returns srv's metrics page.
func scrape(t *testing.T, srv *teststoraged.Server) string {
	t.Helper()
	resp, err := srv.HTTPClient().Get(srv.Endpoint + "/strata/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// metricValue returns the value of the series named exactly series, or -1.
func metricValue(page, series string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -1
	}
	return v
}

// buildDir holds the storaged binary the tests build; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "storaged-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "making a build folder:", err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
