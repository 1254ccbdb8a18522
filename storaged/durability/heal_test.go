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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
	"github.com/strata-storage/strata/storaged/s3api"
)

// healSizes are the object sizes of the healing tests: empty, small, a
// little over one erasure block, a few blocks. Smaller than the other
// tests' so that a hundred objects stay quick on a small machine.
var healSizes = []int{0, 1, 17, 4096, 65535, 300_000, 1<<20 + 1, 2_500_000}

// healTimeout bounds the wait for healing to finish.
const healTimeout = 45 * time.Second

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// writeHealObjects PUTs count objects named prefix-N of healSizes through
// node 0 and records them in l.
func writeHealObjects(t *testing.T, c *testcluster.Cluster, l *ledger, prefix string, count int) {
	t.Helper()
	for i := range count {
		key := fmt.Sprintf("%s-%03d", prefix, i)
		data := body(key, 0, healSizes[i%len(healSizes)])
		if err := put(c.S3(i%len(c.Nodes)), bucket, key, data); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		l.put(key, stored{size: len(data), sum: sha256.Sum256(data)})
	}
}

// allDrives returns every drive folder of the tenant.
func allDrives(c *testcluster.Cluster) []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Drives...)
	}
	return out
}

// healStatus asks node i's admin endpoint for the healing progress,
// signed with the root key.
func healStatus(c *testcluster.Cluster, i int) (s3api.HealStatus, error) {
	var st s3api.HealStatus
	status, body, err := adminRequest(c, i, http.MethodGet, "")
	if err != nil {
		return st, err
	}
	if status != http.StatusOK {
		return st, fmt.Errorf("GET /strata/admin/heal: status %d: %s", status, body)
	}
	return st, json.Unmarshal(body, &st)
}

// adminRequest sends a root-signed request to node i's heal endpoint and
// returns the answer's status and body.
func adminRequest(c *testcluster.Cluster, i int, method, query string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	u := c.Nodes[i].Endpoint + "/strata/admin/heal"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	creds := aws.Credentials{AccessKeyID: testcluster.AccessKey,
		SecretAccessKey: testcluster.SecretKey}
	err = v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, "s3", testcluster.Region,
		time.Now())
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// waitDriveJobsDone waits until node i reports every drive heal job done
// or failed, and returns the status then.
func waitDriveJobsDone(t *testing.T, c *testcluster.Cluster, i, jobs int) s3api.HealStatus {
	t.Helper()
	deadline := time.Now().Add(healTimeout)
	for {
		st, err := healStatus(c, i)
		if err == nil && st.DriveJobsPending == 0 && countJobs(st) >= jobs {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("drive heal jobs of node %d not done within %s: %+v, %v; log:\n%s",
				i, healTimeout, st, err, c.LogTail(i, 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// countJobs counts the drive heal jobs a status lists.
func countJobs(st s3api.HealStatus) int {
	n := 0
	for _, s := range st.Sets {
		n += len(s.Drives)
	}
	return n
}

// TestD1HealingReportsEveryObject is durability case D1: a node's drives
// are replaced by empty ones while it is down; once it is back, its drive
// heal jobs report done only when every object has a full set of good
// shards on every drive folder, checked on disk, or list what they could
// not heal.
func TestD1HealingReportsEveryObject(t *testing.T) {
	start := time.Now()
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4})
	ctx := context.Background()
	if _, err := c.S3(0).CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	l := newLedger()
	writeHealObjects(t, c, l, "d1", 100)

	c.Kill(t, 3)
	for _, d := range c.Nodes[3].Drives {
		emptyDir(t, d)
	}
	c.Restart(t, 3)
	st := waitDriveJobsDone(t, c, 3, len(c.Nodes[3].Drives))

	var objects, lost, corrupt int
	var problems []string
	for _, key := range l.keys() {
		objects++
		r := checkObjectShards(allDrives(c), bucket, key)
		if r.valid < len(allDrives(c)) {
			corrupt++
			problems = append(problems, r.problems...)
		}
		if r.valid < 4 {
			lost++
		}
	}
	failures := jobFailures(st)
	t.Logf("D1: %d objects, %d healed, %d lost, %d corrupt (without a full set of shards), "+
		"%d listed as failed by the drive heal jobs, in %s", objects, st.Healed, lost, corrupt,
		len(failures), time.Since(start).Round(time.Second))
	if len(problems) > 0 && len(failures) == 0 {
		slices.Sort(problems)
		t.Errorf("drive heal jobs report done while shards are missing:\n%s",
			strings.Join(problems, "\n"))
	}
	if corrupt > 0 || len(failures) > 0 {
		t.Errorf("got %d objects without a full set of shards and failures %v, want none",
			corrupt, failures)
	}
	if st.Healed < uint64(objects) {
		t.Errorf("got %d objects healed, want at least the %d written", st.Healed, objects)
	}
	verify(t, c, l, bucket, []int{3, 2, 1, 0})
}

// jobFailures lists the failures of every drive heal job of a status.
func jobFailures(st s3api.HealStatus) []string {
	var out []string
	for _, s := range st.Sets {
		for _, d := range s.Drives {
			for _, f := range d.Failures {
				out = append(out, fmt.Sprintf("%s: %s/%s: %s", d.Drive, f.Bucket, f.Key, f.Error))
			}
		}
	}
	return out
}

// emptyDir removes everything inside dir, as a replaced disk would be.
func emptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFlippedBytesAreHealedAfterReads flips bytes in the stored data
// shards of several objects on disk; GETs still return the right bytes,
// and the queue the reads feed heals the shard files back to valid.
func TestFlippedBytesAreHealedAfterReads(t *testing.T) {
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4})
	ctx := context.Background()
	if _, err := c.S3(0).CreateBucket(ctx,
		&s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	l := newLedger()
	writeHealObjects(t, c, l, "flip", 16)
	var flipped []string
	for _, key := range l.keys() {
		if l.get(key).size > 0 && len(flipped) < 6 {
			flipShardZero(t, allDrives(c), key)
			flipped = append(flipped, key)
		}
	}
	for _, key := range flipped {
		if r := checkObjectShards(allDrives(c), bucket, key); r.valid != 7 {
			t.Fatalf("%s: got %d valid shards after the flip, want 7", key, r.valid)
		}
	}

	verify(t, c, l, bucket, []int{0, 1, 2, 3})
	deadline := time.Now().Add(healTimeout)
	for _, key := range flipped {
		for checkObjectShards(allDrives(c), bucket, key).valid != 8 {
			if time.Now().After(deadline) {
				t.Fatalf("%s not healed within %s: %v", key, healTimeout,
					checkObjectShards(allDrives(c), bucket, key).problems)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("flipped bytes: %d objects damaged, all healed from the reads' reports", len(flipped))
}

// flipShardZero inverts a byte of the first block of shard 0 of key, a
// data shard that every GET reads.
func flipShardZero(t *testing.T, drives []string, key string) {
	t.Helper()
	for _, d := range drives {
		m, err := readDiskMeta(d, bucket, key)
		if err != nil || m.Erasure.Index != 0 {
			continue
		}
		name := filepath.Join(d, bucket, objectDirOf(key), m.DataDir, "shards")
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		b[hashSize] ^= 0xff
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s: no drive holds shard 0", key)
}
