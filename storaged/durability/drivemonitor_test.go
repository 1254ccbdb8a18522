package durability

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/internal/teststoraged"
	"github.com/strata-storage/strata/storaged/s3api"
)

// Bounds of the wiped-drive cases.
const (
	// wipedObjects are written before the wipe.
	wipedObjects = 60
	// churnLimit bounds the writes (and as many reads) made while the
	// drive is wiped, formatted and healed.
	churnLimit = 600
	// churnAfterJob is how many more writes follow the heal job's end.
	churnAfterJob = 20
	// driveCheckInterval makes the nodes look at their drives five times a
	// second, so that the case does not wait for the default interval.
	driveCheckInterval = "200ms"
)

// liveTenant is a running tenant seen by a wiped-drive case: S3 clients,
// every drive folder, and the node that owns the wiped drive.
type liveTenant struct {
	clients []*s3.Client
	drives  []string
	// status is the heal status of the node that owns the wiped drive,
	// metrics the URL of its Prometheus metrics.
	status  func() (s3api.HealStatus, error)
	metrics string
	hc      *http.Client
	// running reports that node's first process still running; nil
	// where the harness never restarts a process.
	running func() bool
	logs    func() string
}

// TestD1WipedDriveOfARunningNodeIsRebuilt empties a drive folder of node 1
// of a four-node tenant while every node runs and serves, keeps writing
// and reading, and checks that without a restart the drive is formatted
// again, its heal job finishes, and every object has its shard back on
// the drive, checked on disk.
func TestD1WipedDriveOfARunningNodeIsRebuilt(t *testing.T) {
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4, Args: []string{"--drive-check-interval", driveCheckInterval,
			"--scan-interval", "0"}})
	lt := liveTenant{drives: allDrives(c),
		status:  func() (s3api.HealStatus, error) { return healStatus(c, 1) },
		metrics: c.Nodes[1].Endpoint + "/strata/metrics", hc: c.HTTPClient(),
		running: func() bool { return c.Running(1) },
		logs:    func() string { return c.LogTail(1, 30) }}
	for i := range c.Nodes {
		lt.clients = append(lt.clients, c.S3(i))
	}
	wipeWhileServing(t, "4 nodes x 2 drives", lt, c.Nodes[1].Drives[0])
}

// TestWipedDriveOfASingleNodeIsRebuilt is the same case on a tenant of
// one node with four drives (storaged --drive, no topology).
func TestWipedDriveOfASingleNodeIsRebuilt(t *testing.T) {
	srv, lt := startSingleNode(t)
	wipeWhileServing(t, "1 node x 4 drives", lt, srv.Drives[2])
}

// startSingleNode starts a node of four drives whose drive checks run
// every driveCheckInterval and whose scanner is off, and returns it as a
// liveTenant with one S3 client.
func startSingleNode(t *testing.T) (*teststoraged.Server, liveTenant) {
	t.Helper()
	srv := teststoraged.Start(t, storagedBin, "--drive-check-interval", driveCheckInterval,
		"--scan-interval", "0")
	client := s3.New(s3.Options{Region: teststoraged.Region,
		BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(teststoraged.AccessKey,
			teststoraged.SecretKey, ""),
		HTTPClient: srv.HTTPClient(), Retryer: aws.NopRetryer{}})
	return srv, liveTenant{clients: []*s3.Client{client}, drives: srv.Drives,
		status: func() (s3api.HealStatus, error) {
			return signedHealStatus(srv.HTTPClient(), srv.Endpoint, teststoraged.AccessKey,
				teststoraged.SecretKey, teststoraged.Region)
		},
		metrics: srv.Endpoint + "/strata/metrics", hc: srv.HTTPClient(),
		logs: srv.Logs.String}
}

// wipeWhileServing runs a wiped-drive case on lt: objects, then the wipe
// under a load of writes and reads, then the checks on disk.
func wipeWhileServing(t *testing.T, shape string, lt liveTenant, wiped string) {
	ctx := context.Background()
	if _, err := lt.clients[0].CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	l := newLedger()
	for i := range wipedObjects {
		key := fmt.Sprintf("before-%03d", i)
		data := body(key, 0, healSizes[i%len(healSizes)])
		if err := put(lt.clients[i%len(lt.clients)], bucket, key, data); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		l.put(key, stored{size: len(data), sum: sha256.Sum256(data)})
	}
	before := l.keys()

	ch := startChurn(lt.clients, l, before)
	start := time.Now()
	// The drive is swapped for an empty one: the node keeps writing while
	// the test works, so removing the folder's content in place would race
	// with those writes. The old folder stays, out of the node's sight.
	if err := os.Rename(wiped, wiped+".replaced"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(wiped, 0o755); err != nil {
		t.Fatal(err)
	}
	formatted := waitFormatted(t, lt, wiped)
	job := waitWipedJob(t, lt, wiped, start)
	healed := time.Since(start)
	ch.stopAfter(churnAfterJob)

	if lt.running != nil && !lt.running() {
		t.Fatalf("the node that owns %s stopped; log:\n%s", wiped, lt.logs())
	}
	checkWipedDrive(t, shape, lt, l, wiped, job, ch, formatted, healed)
	checkJobMetric(t, lt, wiped)
}

// checkJobMetric checks that the node's metrics show the wiped drive's
// heal job done.
func checkJobMetric(t *testing.T, lt liveTenant, wiped string) {
	t.Helper()
	resp, err := lt.hc.Get(lt.metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v: %s", lt.metrics, resp.StatusCode, err, b)
	}
	var lines []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "strata_heal_drive_objects_done{") &&
			strings.Contains(line, fmt.Sprintf("drive=%q", wiped)) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], `state="done"`) {
		t.Errorf("got metrics %q for the wiped drive, want its job done once", lines)
	}
}

// waitFormatted waits until the wiped drive has a format file again and
// returns how long that took.
func waitFormatted(t *testing.T, lt liveTenant, wiped string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if _, err := os.Stat(filepath.Join(wiped, ".strata.sys", "format.json")); err == nil {
			return time.Since(start)
		}
		if time.Since(start) > healTimeout {
			t.Fatalf("%s not formatted again within %s; log:\n%s", wiped, healTimeout,
				lt.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitWipedJob waits until the owner reports a drive heal job of the
// wiped drive started after the wipe, finished, and no job pending, and
// returns that job.
func waitWipedJob(t *testing.T, lt liveTenant, wiped string,
	wipedAt time.Time) erasure.DriveHealProgress {
	t.Helper()
	deadline := time.Now().Add(healTimeout)
	for {
		st, err := lt.status()
		jobs := jobsOf(st, wiped)
		if err == nil && len(jobs) == 1 && st.DriveJobsPending == 0 {
			job := jobs[0]
			ended := job.State == erasure.JobDone || job.State == erasure.JobFailed
			if ended && job.Started.After(wipedAt) {
				return job
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished heal job of %s within %s: %+v, %v; log:\n%s", wiped,
				healTimeout, st, err, lt.logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jobsOf returns the drive heal jobs of dir in st, oldest first.
func jobsOf(st s3api.HealStatus, dir string) []erasure.DriveHealProgress {
	var out []erasure.DriveHealProgress
	for _, s := range st.Sets {
		for _, j := range s.Drives {
			if filepath.Clean(j.Drive) == filepath.Clean(dir) {
				out = append(out, j)
			}
		}
	}
	return out
}

// checkWipedDrive checks on disk that every acknowledged object has a
// full set of good shards, the wiped drive's among them, and reads every
// object back.
func checkWipedDrive(t *testing.T, shape string, lt liveTenant, l *ledger, wiped string,
	job erasure.DriveHealProgress, ch *churn, formatted, healed time.Duration) {
	t.Helper()
	var onWiped, incomplete int
	for _, key := range l.keys() {
		if _, err := checkDriveShards(wiped, bucket, key); err == nil {
			onWiped++
		}
		if r := checkObjectShards(lt.drives, bucket, key); r.valid != len(lt.drives) {
			incomplete++
			t.Errorf("%s: %d of %d drives hold good shards: %v", key, r.valid,
				len(lt.drives), r.problems)
		}
	}
	var unread int
	for i, key := range l.keys() {
		if got := readBack(lt.clients[i%len(lt.clients)], bucket, key, l.get(key)); got != "" {
			unread++
			t.Errorf("GET %s: %s", key, got)
		}
	}
	t.Logf("%s: %d objects before the wipe, %d written and %d read while it was rebuilt "+
		"(%d failed); formatted again after %s, heal job %s after %s (%d of %d checked, "+
		"%d healed, %d failures); %d of %d objects have their shard on the wiped drive, "+
		"%d without a full set of shards, %d not read back", shape, wipedObjects, ch.writes,
		ch.reads, len(ch.failures), formatted.Round(time.Millisecond), job.State,
		healed.Round(time.Millisecond), job.Done, job.Total, job.Healed, len(job.Failures),
		onWiped, len(l.keys()), incomplete, unread)
	if job.State != erasure.JobDone || len(job.Failures) > 0 {
		t.Errorf("got heal job %+v, want done without failures", job)
	}
	if onWiped != len(l.keys()) {
		t.Errorf("got %d objects with a shard on the wiped drive, want all %d", onWiped,
			len(l.keys()))
	}
	if len(ch.failures) > 0 {
		t.Errorf("writes and reads failed while the drive was rebuilt: %v", ch.failures)
	}
}

// churn writes new objects and reads old ones through a tenant until told
// to stop, at most churnLimit writes.
type churn struct {
	mu       sync.Mutex
	stopAt   int // stop once this many writes are done; -1 while running
	writes   int
	reads    int
	failures []string
	done     chan struct{}
}

// startChurn starts writing objects live-N through clients, recording
// them in l, each followed by a read of one of old.
func startChurn(clients []*s3.Client, l *ledger, old []string) *churn {
	ch := &churn{stopAt: -1, done: make(chan struct{})}
	go func() {
		defer close(ch.done)
		for i := 0; i < churnLimit && !ch.stopping(); i++ {
			c := clients[i%len(clients)]
			key := fmt.Sprintf("live-%04d", i)
			data := body(key, 0, healSizes[i%5])
			err := put(c, bucket, key, data)
			if err == nil {
				l.put(key, stored{size: len(data), sum: sha256.Sum256(data)})
			}
			o := old[i%len(old)]
			ch.record(err, readBack(c, bucket, o, l.get(o)), key, o)
		}
	}()
	return ch
}

// record counts one write and one read.
func (ch *churn) record(putErr error, readErr, key, old string) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.writes++
	ch.reads++
	if putErr != nil {
		ch.failures = append(ch.failures, fmt.Sprintf("PUT %s: %v", key, putErr))
	}
	if readErr != "" {
		ch.failures = append(ch.failures, fmt.Sprintf("GET %s: %s", old, readErr))
	}
}

// stopping reports whether the churn has done what it was asked to.
func (ch *churn) stopping() bool {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.stopAt >= 0 && ch.writes >= ch.stopAt
}

// stopAfter lets the churn make n more writes, then waits for it to end.
func (ch *churn) stopAfter(n int) {
	ch.mu.Lock()
	ch.stopAt = ch.writes + n
	ch.mu.Unlock()
	<-ch.done
}

// signedHealStatus GETs /strata/admin/heal at endpoint, signed with the
// given root key.
func signedHealStatus(hc *http.Client, endpoint, ak, sk, region string) (s3api.HealStatus,
	error) {
	var st s3api.HealStatus
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		endpoint+"/strata/admin/heal", nil)
	if err != nil {
		return st, err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, "s3", region,
		time.Now()); err != nil {
		return st, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return st, err
	}
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET /strata/admin/heal: status %d: %s", resp.StatusCode, b)
	}
	return st, json.Unmarshal(b, &st)
}
