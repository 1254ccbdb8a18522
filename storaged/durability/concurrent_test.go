package durability

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
)

// TestConcurrentOverwritesKeepRedundancy PUTs each key through every node
// at once, then kills two nodes (parity's worth of drives) and demands that
// every key still reads back whole as one of the versions written: racing
// writers on different nodes must not leave a key split between versions
// with no drive to spare.
func TestConcurrentOverwritesKeepRedundancy(t *testing.T) {
	c := testcluster.Start(t, testcluster.Config{Bin: storagedBin, Nodes: 4, DrivesPerNode: 2,
		Parity: 4})
	ctx := context.Background()
	_, err := c.S3(0).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("race")})
	if err != nil {
		t.Fatal(err)
	}
	const keys, writers = 24, 4
	versions := map[string]map[[32]byte]bool{}
	for k := range keys {
		key := fmt.Sprintf("contended-%02d", k)
		versions[key] = map[[32]byte]bool{}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := range writers {
			data := body(key, w, 200_000+w)
			wg.Go(func() {
				if err := put(c.S3(w), "race", key, data); err != nil {
					t.Errorf("PUT %s via node %d: %v", key, w, err)
					return
				}
				mu.Lock()
				versions[key][sha256.Sum256(data)] = true
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	c.Kill(t, 2)
	c.Kill(t, 3)
	lost := 0
	for key, want := range versions {
		got, problem := readVersion(c.S3(0), "race", key)
		if problem != "" || !want[got] {
			lost++
			t.Errorf("%s after racing writes and two nodes down: %s", key, problem)
		}
	}
	t.Logf("racing writers: %d keys checked, %d unreadable or wrong", keys, lost)
}

// readVersion GETs key and returns the SHA-256 of its bytes, or why it
// could not.
func readVersion(c *s3.Client, bucket, key string) ([32]byte, string) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.GetObject(
		ctx,
		&s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)},
	)
	if err != nil {
		return [32]byte{}, fmt.Sprintf("GET failed (%d): %v", httpStatus(err), err)
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return [32]byte{}, "reading: " + err.Error()
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, ""
}
