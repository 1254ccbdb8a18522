package durability

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

const bucket = "durable"

// TestNodeLossKeepsAcknowledgedWrites runs a tenant of 4 nodes with 2
// drives each as one erasure set of 8 drives with parity 4 (write quorum
// 5, since data equals parity) through node losses:
//
//   - all nodes up: a mixed workload is written;
//   - one node killed with SIGKILL while writes go through the others
//     (2 drives, below parity): every write succeeds and reads back, and
//     later writes succeed too;
//   - a second node killed (4 drives, parity): everything still reads
//     back, writes fail with 503 and leave nothing visible, and an
//     overwrite that fails leaves the old bytes;
//   - both nodes back: everything reads back through every node, and every
//     node lists exactly the acknowledged keys;
//   - durability case D2: a node down while objects are deleted, then
//     back: the deletes win on every node, in reads and in lists.
func TestNodeLossKeepsAcknowledgedWrites(t *testing.T) {
	start := time.Now()
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4})
	l := newLedger()
	failed := map[string]bool{} // keys whose only PUT failed
	ctx := context.Background()
	_, err := c.S3(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("creating the bucket: %v", err)
	}
	var total report
	add := func(r report) {
		total.checked += r.checked
		total.lost += r.lost
		total.corrupt += r.corrupt
	}

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a mixed workload is written with every node up", func(t *testing.T) {
			if err := writeObjects(c, l, bucket, "all-up", 40, []int{0, 1, 2, 3}, nil); err != nil {
				t.Fatal(err)
			}
			add(verify(t, c, l, bucket, []int{0, 1, 2, 3}))
		}},
		{"a node killed in the middle of writes through the others fails none", func(t *testing.T) {
			var once sync.Once
			err := writeObjects(c, l, bucket, "mid-kill", 30, []int{0, 1, 2}, func(acked int) {
				if acked >= 8 {
					once.Do(func() { c.Kill(t, 3) })
				}
			})
			if err != nil {
				t.Fatalf("with one node killed during the writes: %v", err)
			}
			add(verify(t, c, l, bucket, []int{0, 1, 2}))
		}},
		{"with one node down writes still succeed", func(t *testing.T) {
			if err := writeObjects(c, l, bucket, "one-down", 12, []int{0, 1, 2}, nil); err != nil {
				t.Fatal(err)
			}
			add(verify(t, c, l, bucket, []int{2, 1, 0}))
		}},
		{"with two nodes killed everything reads back and writes fail whole", func(t *testing.T) {
			c.Kill(t, 2)
			add(verify(t, c, l, bucket, []int{0, 1}))
			verifyRanges(t, c, l, bucket, 1)
			refuseWrites(t, c, l, failed)
			add(verify(t, c, l, bucket, []int{1, 0}))
		}},
		{
			"with the nodes back every node reads and lists what was acknowledged",
			func(t *testing.T) {
				c.Restart(t, 2)
				c.Restart(t, 3)
				add(verify(t, c, l, bucket, []int{3, 2, 1, 0}))
				checkAbsent(t, c, bucket, failed, []int{0, 1, 2, 3})
				checkLists(t, c, l, bucket, []int{0, 1, 2, 3})
			},
		},
		{"deletes made while a node was down win once it is back (D2)", func(t *testing.T) {
			c.Kill(t, 1)
			deleted := deleteSome(t, c, l, 0)
			c.Restart(t, 1)
			checkAbsent(t, c, bucket, deleted, []int{1, 0, 2, 3})
			add(verify(t, c, l, bucket, []int{1, 2, 3, 0}))
			checkLists(t, c, l, bucket, []int{0, 1, 2, 3})
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			break
		}
	}
	t.Logf("durability: %d objects checked, %d lost, %d corrupt, in %s",
		total.checked, total.lost, total.corrupt, time.Since(start).Round(time.Second))
}

// refuseWrites tries new objects and overwrites with two of four nodes
// down and demands a 503 for each, no new key visible, and the old bytes
// of the overwritten keys intact (verify checks those afterwards).
func refuseWrites(t *testing.T, c *testcluster.Cluster, l *ledger, failed map[string]bool) {
	t.Helper()
	keys := l.keys()
	tries := []struct{ key, what string }{
		{"two-down-000", "a new empty object"},
		{"two-down-001", "a new small object"},
		{"two-down-002", "a new object of several blocks"},
		{keys[3], "an overwrite"},
		{keys[len(keys)-2], "an overwrite"},
	}
	for i, try := range tries {
		data := body(try.key, 1, sizes[(i*4)%len(sizes)])
		err := putAnswered(c.S3(i%2), bucket, try.key, data)
		if got := httpStatus(err); got != http.StatusServiceUnavailable {
			t.Errorf("%s (%s) with write quorum lost: got status %d (%v), want 503",
				try.what, try.key, got, err)
		}
		if _, acked := l.objects[try.key]; !acked {
			failed[try.key] = true
		}
	}
	checkAbsent(t, c, bucket, failed, []int{0, 1})
}

// putAnswered is put that tries again, up to three times, when the node's
// answer was lost: a node that refuses a write answers before it reads the
// body, and closes the connection under a client still sending it, which
// the client may see as a broken connection instead of the answer.
func putAnswered(c *s3.Client, bucket, key string, data []byte) error {
	var err error
	for range 3 {
		if err = put(c, bucket, key, data); err == nil || httpStatus(err) != 0 {
			return err
		}
	}
	return err
}

// checkAbsent demands a 404 for every key, through every node given.
func checkAbsent(t *testing.T, c *testcluster.Cluster, bucket string, keys map[string]bool,
	nodes []int) {
	t.Helper()
	for key := range keys {
		for _, n := range nodes {
			if got := head(c.S3(n), bucket, key); got != http.StatusNotFound {
				t.Errorf("HEAD %s via node %d: got %d, want 404", key, n, got)
			}
		}
	}
}

// checkLists demands that every node list exactly the acknowledged keys.
func checkLists(t *testing.T, c *testcluster.Cluster, l *ledger, bucket string, nodes []int) {
	t.Helper()
	want := l.keys()
	for _, n := range nodes {
		if got := listKeys(t, c.S3(n), bucket); !slices.Equal(got, want) {
			t.Errorf("listing via node %d: got %d keys %v, want %d keys %v", n, len(got), got,
				len(want), want)
		}
	}
}

// deleteSome deletes every third acknowledged object through node and
// returns the deleted keys. Every delete must succeed.
func deleteSome(t *testing.T, c *testcluster.Cluster, l *ledger, node int) map[string]bool {
	t.Helper()
	deleted := map[string]bool{}
	for i, key := range l.keys() {
		if i%3 != 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		_, err := c.S3(node).DeleteObject(ctx, &s3.DeleteObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key)})
		cancel()
		if err != nil {
			t.Fatalf("deleting %s with one node down: %v", key, err)
		}
		l.remove(key)
		deleted[key] = true
	}
	if len(deleted) == 0 {
		t.Fatal("nothing to delete")
	}
	t.Logf("deleted %d objects with node 1 down", len(deleted))
	return deleted
}

// String makes a report readable in logs.
func (r report) String() string {
	return fmt.Sprintf("%d checked, %d lost, %d corrupt", r.checked, r.lost, r.corrupt)
}
