package durability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

// sizes are the object sizes the workload cycles through: empty, tiny,
// around the 1 MiB erasure block, and a few MiB.
var sizes = []int{0, 1, 17, 4096, 65535, 1<<20 - 1, 1 << 20, 1<<20 + 1, 2_500_000, 3 << 20}

// callTimeout bounds one S3 call of the workload.
const callTimeout = time.Minute

// stored is what the ledger remembers of an acknowledged write.
type stored struct {
	size int
	sum  [sha256.Size]byte
}

// ledger records every acknowledged PUT and DELETE. It is safe for
// concurrent use.
type ledger struct {
	mu      sync.Mutex
	objects map[string]stored
}

func newLedger() *ledger { return &ledger{objects: map[string]stored{}} }

func (l *ledger) put(key string, s stored) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.objects[key] = s
}

func (l *ledger) remove(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.objects, key)
}

// keys returns the acknowledged keys in order.
func (l *ledger) keys() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.objects))
	for k := range l.objects {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (l *ledger) get(key string) stored {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.objects[key]
}

// body returns the deterministic content of a key's version.
func body(key string, version, size int) []byte {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s#%d", key, version)
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	data := make([]byte, size)
	_, _ = rand.NewChaCha8(seed).Read(data)
	return data
}

// httpStatus returns the HTTP status of an S3 error, or 0.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// put writes data under key through c.
func put(c *s3.Client, bucket, key string, data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	})
	return err
}

// writeObjects PUTs count new objects named prefix-N, spread over the
// given nodes, four at a time, and records each acknowledged one. It
// returns the failures joined; afterEach, when set, runs after every
// acknowledged PUT with the number acknowledged so far.
func writeObjects(c *testcluster.Cluster, l *ledger, bucket, prefix string, count int,
	nodes []int, afterEach func(acked int)) error {
	errs := make([]error, count)
	var mu sync.Mutex
	acked := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range count {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			key := fmt.Sprintf("%s-%03d", prefix, i)
			data := body(key, 0, sizes[i%len(sizes)])
			if errs[i] = put(c.S3(nodes[i%len(nodes)]), bucket, key, data); errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", key, errs[i])
				return
			}
			l.put(key, stored{size: len(data), sum: sha256.Sum256(data)})
			if afterEach != nil {
				mu.Lock()
				acked++
				n := acked
				mu.Unlock()
				afterEach(n)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// verifyRanges reads a few ranges of every acknowledged object larger than
// one erasure block, across block edges, through node.
func verifyRanges(t *testing.T, c *testcluster.Cluster, l *ledger, bucket string, node int) {
	t.Helper()
	checked := 0
	for _, key := range l.keys() {
		s := l.get(key)
		if s.size <= 1<<20 {
			continue
		}
		data := body(key, 0, s.size)
		if sha256.Sum256(data) != s.sum {
			continue // overwritten by another version: skip
		}
		for _, r := range [][2]int{{0, 9}, {1<<20 - 5, 1<<20 + 5}, {s.size - 3, s.size - 1}} {
			r[1] = min(r[1], s.size-1)
			checked++
			if got, err := getRange(c.S3(node), bucket, key, r[0], r[1]); err != nil ||
				!bytes.Equal(got, data[r[0]:r[1]+1]) {
				t.Errorf("range %d-%d of %s via node %d: got %d bytes, %v; want the written bytes",
					r[0], r[1], key, node, len(got), err)
			}
		}
	}
	t.Logf("read %d ranges back through node %d", checked, node)
}

// getRange GETs bytes first..last of key.
func getRange(c *s3.Client, bucket, key string, first, last int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=%d-%d", first, last))})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// report counts the outcome of reading back the ledger.
type report struct {
	checked, lost, corrupt int
	problems               []string
}

// verify reads every acknowledged object back, each through one of nodes
// in turn, and compares its SHA-256 with the ledger's.
func verify(t *testing.T, c *testcluster.Cluster, l *ledger, bucket string, nodes []int) report {
	t.Helper()
	keys := l.keys()
	var mu sync.Mutex
	var r report
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, key := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			node := nodes[i%len(nodes)]
			outcome := readBack(c.S3(node), bucket, key, l.get(key))
			mu.Lock()
			defer mu.Unlock()
			r.checked++
			switch outcome {
			case "":
			case "corrupt":
				r.corrupt++
				r.problems = append(r.problems, fmt.Sprintf("%s via node %d: corrupt", key, node))
			default:
				r.lost++
				r.problems = append(
					r.problems,
					fmt.Sprintf("%s via node %d: %s", key, node, outcome),
				)
			}
		})
	}
	wg.Wait()
	t.Logf("read back through nodes %v: %d objects checked, %d lost, %d corrupt",
		nodes, r.checked, r.lost, r.corrupt)
	if r.lost+r.corrupt > 0 {
		slices.Sort(r.problems)
		t.Errorf("acknowledged objects not read back intact:\n%v", r.problems)
	}
	return r
}

// readBack GETs one object and returns "" when it matches, "corrupt" when
// its bytes differ, or why it could not be read.
func readBack(c *s3.Client, bucket, key string, want stored) string {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.GetObject(
		ctx,
		&s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
	)
	if err != nil {
		return fmt.Sprintf("GET failed (%d): %v", httpStatus(err), err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return fmt.Sprintf("reading the body after %d bytes: %v", n, err)
	}
	if int(n) != want.size || !bytes.Equal(h.Sum(nil), want.sum[:]) {
		return "corrupt"
	}
	return ""
}

// listKeys lists the whole bucket through c, in pages of 50.
func listKeys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), MaxKeys: aws.Int32(50)})
	for p.HasMorePages() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		page, err := p.NextPage(ctx)
		cancel()
		if err != nil {
			t.Fatalf("listing %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// head returns the HTTP status of a HEAD of key through c.
func head(c *s3.Client, bucket, key string) int {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err := c.HeadObject(
		ctx,
		&s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
	)
	if err != nil {
		return httpStatus(err)
	}
	return 200
}
