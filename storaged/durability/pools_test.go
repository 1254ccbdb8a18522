package durability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/durability/testcluster"
	"github.com/strata-storage/strata/storaged/s3api"
)

// drainTimeout bounds the wait for a decommissioned pool to drain.
const drainTimeout = 3 * time.Minute

// poolVersion is one object version, or delete marker, the pools test
// wrote, with what it must read back as.
type poolVersion struct {
	bucket, key, id string
	marker          bool
	sum, etag       string
	modified        time.Time
	checksum, tags  string // the SHA-256 checksum and tags when set
	parts           int32  // the part count of a multipart object
	lastPart        int64  // and the size of its last part
}

// poolWorkload writes a tenant's objects and checks them.
type poolWorkload struct {
	rng      *rand.Rand
	versions []*poolVersion
}

func (w *poolWorkload) body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(w.rng.UintN(256))
	}
	return b
}

// put stores body under bucket/key and records the version.
func (w *poolWorkload) put(t *testing.T, c *s3.Client, bucket, key string, body []byte,
	edit func(*s3.PutObjectInput)) *poolVersion {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body)}
	if edit != nil {
		edit(in)
	}
	out, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("PUT %s/%s: %v", bucket, key, err)
	}
	v := &poolVersion{bucket: bucket, key: key, id: idOf(out.VersionId), sum: sha(body),
		etag: aws.ToString(out.ETag), checksum: aws.ToString(out.ChecksumSHA256)}
	if in.Tagging != nil {
		v.tags = aws.ToString(in.Tagging)
	}
	w.record(t, c, v)
	return v
}

// record reads the version's modification time and keeps it.
func (w *poolWorkload) record(t *testing.T, c *s3.Client, v *poolVersion) {
	t.Helper()
	if !v.marker {
		h := headVersion(t, c, v)
		v.modified = aws.ToTime(h.LastModified)
	}
	w.versions = append(w.versions, v)
}

func idOf(id *string) string {
	if id == nil || *id == "" {
		return "null"
	}
	return *id
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func headVersion(t *testing.T, c *s3.Client, v *poolVersion) *s3.HeadObjectOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(v.bucket),
		Key: aws.String(v.key), VersionId: aws.String(v.id),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("HEAD %s/%s?versionId=%s: %v", v.bucket, v.key, v.id, err)
	}
	return h
}

// deleteKey deletes a key of a versioned bucket and records the marker.
func (w *poolWorkload) deleteKey(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err != nil || !aws.ToBool(out.DeleteMarker) {
		t.Fatalf("DELETE %s/%s: %v (marker %v)", bucket, key, err, out.DeleteMarker)
	}
	w.record(t, c, &poolVersion{bucket: bucket, key: key, id: idOf(out.VersionId),
		marker: true})
}

// multipart uploads parts as one object and records it.
func (w *poolWorkload) multipart(t *testing.T, c *s3.Client, bucket, key string,
	parts ...[]byte) *poolVersion {
	t.Helper()
	id := startUpload(t, c, bucket, key)
	return w.complete(t, c, bucket, key, id, parts...)
}

func startUpload(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("starting an upload of %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(up.UploadId)
}

// complete uploads the parts of an upload and completes it.
func (w *poolWorkload) complete(t *testing.T, c *s3.Client, bucket, key, id string,
	parts ...[]byte) *poolVersion {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket),
			Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("part %d of %s/%s: %v", i+1, bucket, key, err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatalf("completing %s/%s: %v", bucket, key, err)
	}
	v := &poolVersion{bucket: bucket, key: key, id: idOf(out.VersionId),
		sum: sha(bytes.Join(parts, nil)), etag: aws.ToString(out.ETag), parts: int32(len(parts)),
		lastPart: int64(len(parts[len(parts)-1]))}
	w.record(t, c, v)
	return v
}

// fill writes the first pool's objects: a bucket without versioning,
// and a versioned one with several versions, delete markers, a tagged
// object with a checksum and a multipart object.
func (w *poolWorkload) fill(t *testing.T, c *s3.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	for _, b := range []string{"plain", "ver"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		w.put(t, c, "plain", fmt.Sprintf("dir/p%d", i), w.body(w.rng.IntN(300_000)), nil)
	}
	for i := range 5 {
		key := fmt.Sprintf("v%d", i)
		for range 1 + i%3 {
			w.put(t, c, "ver", key, w.body(w.rng.IntN(200_000)), nil)
		}
		if i%2 == 1 {
			w.deleteKey(t, c, "ver", key)
		}
	}
	w.put(t, c, "ver", "v3", w.body(1000), nil) // a version above a delete marker
	w.put(t, c, "ver", "tagged", w.body(70_000), func(in *s3.PutObjectInput) {
		in.Tagging = aws.String("team=storage")
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
	})
	w.multipart(t, c, "ver", "big", w.body(5<<20), w.body(100_000))
}

// check reads every version back through c: the listing of versions
// holds exactly the recorded ones, and each reads back with its bytes,
// ETag, time, checksum, tags and parts.
func (w *poolWorkload) check(t *testing.T, c *s3.Client) {
	t.Helper()
	want := map[string]bool{}
	for _, v := range w.versions {
		want[fmt.Sprintf("%s/%s@%s marker=%v", v.bucket, v.key, v.id, v.marker)] = true
	}
	got := map[string]bool{}
	for _, b := range []string{"plain", "ver"} {
		for _, s := range listVersions(t, c, b) {
			got[s] = true
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("versions listed: got %v\nwant %v", slices.Sorted(maps.Keys(got)),
			slices.Sorted(maps.Keys(want)))
	}
	for _, v := range w.versions {
		if !v.marker {
			checkVersion(t, c, v)
		}
	}
}

// listVersions lists a bucket's versions, two to a page, as
// "bucket/key@id marker=bool".
func listVersions(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	var out []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(2)}
	for {
		res, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatalf("listing the versions of %s: %v", bucket, err)
		}
		for _, v := range res.Versions {
			out = append(out, fmt.Sprintf("%s/%s@%s marker=false", bucket, aws.ToString(v.Key),
				idOf(v.VersionId)))
		}
		for _, m := range res.DeleteMarkers {
			out = append(out, fmt.Sprintf("%s/%s@%s marker=true", bucket, aws.ToString(m.Key),
				idOf(m.VersionId)))
		}
		if !aws.ToBool(res.IsTruncated) {
			return out
		}
		in.KeyMarker, in.VersionIdMarker = res.NextKeyMarker, res.NextVersionIdMarker
	}
}

// checkVersion reads one version and compares it with the record.
func checkVersion(t *testing.T, c *s3.Client, v *poolVersion) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	name := v.bucket + "/" + v.key + "@" + v.id
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(v.bucket),
		Key: aws.String(v.key), VersionId: aws.String(v.id)})
	if err != nil {
		t.Errorf("GET %s: %v", name, err)
		return
	}
	body, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || sha(body) != v.sum || aws.ToString(out.ETag) != v.etag ||
		!aws.ToTime(out.LastModified).Equal(v.modified) {
		t.Errorf("GET %s: sha256 %s etag %s time %v (%v); want %s %s %v", name, sha(body)[:12],
			aws.ToString(out.ETag), aws.ToTime(out.LastModified), err, v.sum[:12], v.etag,
			v.modified)
	}
	h := headVersion(t, c, v)
	if aws.ToString(h.ChecksumSHA256) != v.checksum {
		t.Errorf("%s: checksum %q, want %q", name, aws.ToString(h.ChecksumSHA256), v.checksum)
	}
	if v.tags != "" {
		tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{
			Bucket: aws.String(v.bucket), Key: aws.String(v.key), VersionId: aws.String(v.id)})
		if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key)+"="+
			aws.ToString(tags.TagSet[0].Value) != v.tags {
			t.Errorf("%s: tags %+v (%v), want %s", name, tags, err, v.tags)
		}
	}
	if v.parts > 0 {
		checkParts(t, c, v)
	}
}

// checkParts reads the last part of a multipart version by number: it
// must still be a part of its own, as uploaded.
func checkParts(t *testing.T, c *s3.Client, v *poolVersion) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(v.bucket),
		Key: aws.String(v.key), VersionId: aws.String(v.id), PartNumber: aws.Int32(v.parts)})
	if err != nil {
		t.Errorf("GET %s/%s?partNumber=%d: %v", v.bucket, v.key, v.parts, err)
		return
	}
	defer out.Body.Close()
	n, _ := io.Copy(io.Discard, out.Body)
	if aws.ToInt32(out.PartsCount) != v.parts || n != v.lastPart {
		t.Errorf("part %d of %s/%s: %d bytes of %d parts, want %d bytes of %d", v.parts,
			v.bucket, v.key, n, aws.ToInt32(out.PartsCount), v.lastPart, v.parts)
	}
}

// driveFiles returns every file the pool's drives hold outside their
// system folder, with its size and modification time.
func driveFiles(t *testing.T, p *testcluster.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range p.Nodes {
		for _, d := range n.Drives {
			err := filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
				switch {
				case err != nil:
					return err
				case e.IsDir() && e.Name() == ".strata.sys":
					return filepath.SkipDir
				}
				if e.Type().IsRegular() {
					info, err := e.Info()
					if err != nil {
						return err
					}
					out[path] = fmt.Sprintf("%d %s", info.Size(), info.ModTime())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// holdsKey reports how many of the pool's drives hold a meta file of
// bucket/key.
func holdsKey(p *testcluster.Pool, bucket, key string) int {
	n := 0
	for _, node := range p.Nodes {
		for _, d := range node.Drives {
			if _, err := os.Stat(filepath.Join(d, bucket, objectDirOf(key), "meta")); err == nil {
				n++
			}
		}
	}
	return n
}

// objectData lists the object and upload folders on the pool's drives.
func objectData(t *testing.T, p *testcluster.Pool) []string {
	t.Helper()
	var out []string
	for _, n := range p.Nodes {
		for _, d := range n.Drives {
			for _, b := range []string{"plain", "ver"} {
				entries, err := os.ReadDir(filepath.Join(d, b))
				if err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				for _, e := range entries {
					if len(e.Name()) == 64 {
						out = append(out, filepath.Join(d, b, e.Name()))
					}
				}
				ups, _ := os.ReadDir(filepath.Join(d, b, ".multipart"))
				for _, e := range ups {
					out = append(out, filepath.Join(d, b, ".multipart", e.Name()))
				}
			}
		}
	}
	return out
}

// poolsStatus reads node i's GET /strata/admin/pools, signed with the
// root key.
func poolsStatus(t *testing.T, c *testcluster.Cluster, i int) s3api.PoolsStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.Nodes[i].Endpoint+"/strata/admin/pools", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	creds := aws.Credentials{AccessKeyID: testcluster.AccessKey,
		SecretAccessKey: testcluster.SecretKey}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, "s3", testcluster.Region,
		time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("GET /strata/admin/pools: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st s3api.PoolsStatus
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("GET /strata/admin/pools: status %d: %s", resp.StatusCode, body)
	}
	return st
}

// waitDrained polls node i's pools endpoint until the first pool's drain
// is done, logging every change of progress it sees, and returns the
// last status.
func waitDrained(t *testing.T, c *testcluster.Cluster, i int) *s3api.DecommissionStatus {
	t.Helper()
	deadline := time.Now().Add(drainTimeout)
	last := ""
	for time.Now().Before(deadline) {
		d := poolsStatus(t, c, i).Pools[0].Decommission
		if d == nil {
			t.Fatal("pool-0 is not reported as being decommissioned")
		}
		seen := fmt.Sprintf("state=%s moved=%d bytes=%d left=%d uploads=%d failed=%v",
			d.State, d.ObjectsMoved, d.BytesMoved, d.ObjectsLeft, d.UploadsLeft, d.Failed)
		if seen != last {
			t.Logf("drain progress on %s: %s", c.Nodes[i].Name, seen)
			last = seen
		}
		if d.State == "done" {
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("pool-0 not drained within %s; the runner's log ends:\n%s", drainTimeout,
		c.LogTail(i, 20))
	return nil
}

// TestPoolsGrowWithoutMovingAndDrainCompletely grows a tenant by a pool
// and then drains and removes its first pool, all with real nodes:
// adding the pool moves nothing and new keys land on it; the drain's
// progress shows on the pools endpoint until done; every version, delete
// marker and part reads back as written, before and after the drained
// pool leaves the topology, and its drives keep no object data.
func TestPoolsGrowWithoutMovingAndDrainCompletely(t *testing.T) {
	t.Parallel()
	pool0 := testcluster.PoolConfig{Name: "pool-0", Nodes: 2, DrivesPerNode: 2}
	// Every drive here shares one file system, so a pool's free space is
	// its drive count times the same figure: pool-1, with more drives, is
	// the freer pool that new keys go to.
	pool1 := testcluster.PoolConfig{Name: "pool-1", ID: "p1", Nodes: 2, DrivesPerNode: 3}
	c := testcluster.StartPools(t, testcluster.Config{Bin: storagedBin, Parity: 2,
		Args: []string{"--scan-interval", "2s", "--heal-rate", "1000"}},
		[]testcluster.PoolConfig{pool0})
	w := &poolWorkload{rng: rand.New(rand.NewPCG(7, 11))}
	w.fill(t, c.S3(0))
	late := startUpload(t, c.S3(0), "ver", "late")
	before := driveFiles(t, c.Pools()[0])
	t.Logf("one pool: %d versions and markers, %d files on its drives", len(w.versions),
		len(before))

	// A second pool: nothing moves, new keys go to it.
	c.RestartWithPools(t, []testcluster.PoolConfig{pool0, pool1})
	p0, p1 := c.Pools()[0], c.Pools()[1]
	if got := driveFiles(t, p0); !maps.Equal(got, before) {
		t.Fatalf("adding a pool changed the first pool's files: %d files, want %d", len(got),
			len(before))
	}
	for i := range 6 {
		bucket := []string{"plain", "ver"}[i%2]
		key := fmt.Sprintf("new/%d", i)
		w.put(t, c.S3(i%len(c.Nodes)), bucket, key, w.body(w.rng.IntN(100_000)), nil)
		if on0, on1 := holdsKey(p0, bucket, key), holdsKey(p1, bucket, key); on0 != 0 || on1 != 6 {
			t.Errorf("%s/%s: on %d drives of pool-0 and %d of pool-1, want 0 and 6", bucket, key,
				on0, on1)
		}
	}
	if got := driveFiles(t, p0); !maps.Equal(got, before) {
		t.Errorf("writing new keys changed the first pool's files")
	}
	w.check(t, c.S3(3))

	// Decommission the first pool: the drain moves everything off it.
	pool0.Decommission = true
	c.RestartWithPools(t, []testcluster.PoolConfig{pool0, pool1})
	w.complete(t, c.S3(0), "ver", "late", late, w.body(2000))
	runner := 2 // the first node of pool-1, the first pool in service
	st := waitDrained(t, c, runner)
	if other := poolsStatus(t, c, 0).Pools[0].Decommission; other.State != "done" ||
		other.Runner != "pool-1-0" || other.ObjectsLeft != -1 {
		t.Errorf("node 0 reports %+v, want state done, runner pool-1-0, objectsLeft -1", other)
	}
	if len(objectData(t, p0)) > 0 {
		t.Errorf("pool-0 still holds %v", objectData(t, p0))
	}
	w.check(t, c.S3(0))
	t.Logf("drained: %d versions moved (%d bytes), %d versions and markers in all",
		st.ObjectsMoved, st.BytesMoved, len(w.versions))

	// Remove the drained pool: everything still reads back.
	c.RestartWithPools(t, []testcluster.PoolConfig{pool1})
	w.check(t, c.S3(0))
	w.check(t, c.S3(1))
	if got := objectData(t, p0); len(got) > 0 {
		t.Errorf("the removed pool's drives hold object data: %v", got)
	}
	var status []string
	for _, p := range poolsStatus(t, c, 0).Pools {
		status = append(status, p.Name)
	}
	if !slices.Equal(status, []string{"pool-1"}) {
		t.Errorf("pools after removal: %v, want [pool-1]", status)
	}
	t.Logf("after removal: %d versions read back from pool-1 alone", len(w.versions))
}
