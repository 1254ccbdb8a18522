package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/provision"
)

// stored is what a test wrote to bucket "grow": the SHA-256 of each key's
// latest version, of each version by ID, and the keys whose latest
// version is a delete marker.
type stored struct {
	latest   map[string][32]byte
	versions map[string][32]byte // "key@versionID"
	deleted  []string
}

// fillVersioned makes bucket "grow" with versioning and stores plain
// objects, a key of three versions, a multipart object of two parts and a
// key whose latest version is a delete marker.
func fillVersioned(t *testing.T, c *s3.Client) *stored {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("grow")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String("grow"), VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	s := &stored{latest: map[string][32]byte{}, versions: map[string][32]byte{}}
	for k, v := range putObjects(t, c, "before", 6) {
		s.latest[k] = sha256.Sum256(v)
	}
	for i := range 3 {
		body := bytes.Repeat([]byte(fmt.Sprintf("doc version %d|", i)), 1000+i)
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grow"),
			Key: aws.String("doc"), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("PUT doc version %d: %v", i, err)
		}
		s.versions["doc@"+aws.ToString(out.VersionId)] = sha256.Sum256(body)
		s.latest["doc"] = sha256.Sum256(body)
	}
	s.latest["big"] = putMultipart(t, c, "big")
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("grow"),
		Key: aws.String("gone"), Body: strings.NewReader("deleted later")})
	if err != nil {
		t.Fatal(err)
	}
	s.versions["gone@"+aws.ToString(out.VersionId)] = sha256.Sum256([]byte("deleted later"))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("grow"),
		Key: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	s.deleted = append(s.deleted, "gone")
	return s
}

// putMultipart stores key in two parts (5 MiB and 1 MiB and a bit) and
// returns the SHA-256 of the whole.
func putMultipart(t *testing.T, c *s3.Client, key string) [32]byte {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("grow"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	var whole []byte
	var parts []types.CompletedPart
	for i, size := range []int{5 << 20, 1<<20 + 7} {
		body := bytes.Repeat([]byte{byte('a' + i)}, size)
		whole = append(whole, body...)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("grow"),
			Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag,
			PartNumber: aws.Int32(int32(i + 1))})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("grow"), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(whole)
}

// check reads back every key's latest version and every recorded version
// by ID and compares SHA-256 digests, and checks that deleted keys are
// gone but keep their versions.
func (s *stored) check(t *testing.T, c *s3.Client, when string) {
	t.Helper()
	for key, want := range s.latest {
		if got, err := digest(c, key, ""); err != nil || got != want {
			t.Errorf("%s: GET %s: got sha256 %x (%v), want %x", when, key, got, err, want)
		}
	}
	for kv, want := range s.versions {
		key, version, _ := strings.Cut(kv, "@")
		if got, err := digest(c, key, version); err != nil || got != want {
			t.Errorf("%s: GET %s version %s: got sha256 %x (%v), want %x", when, key, version,
				got, err, want)
		}
	}
	for _, key := range s.deleted {
		if _, err := digest(c, key, ""); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
			t.Errorf("%s: GET %s: got %v, want NoSuchKey behind its delete marker", when, key, err)
		}
		out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
			Bucket: aws.String("grow"), Prefix: aws.String(key)})
		if err != nil || len(out.Versions) != 1 || len(out.DeleteMarkers) != 1 {
			t.Errorf("%s: versions of %s: got %v (%v), want one version and one delete "+
				"marker", when, key, out, err)
		}
	}
}

// digest is the SHA-256 of an object's version ("" for the latest).
func digest(c *s3.Client, key, version string) ([32]byte, error) {
	in := &s3.GetObjectInput{Bucket: aws.String("grow"), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		return [32]byte{}, err
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}

// poolsHolding names the pools whose drives hold key of bucket "grow", as
// storaged lays objects out: <drive>/<bucket>/<sha256(key)>/meta.
func poolsHolding(t *testing.T, p *Provisioner, tenant, key string) []string {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	metas, err := filepath.Glob(filepath.Join(p.TenantDir(tenant), "nodes", "*", "drives", "*",
		"grow", hex.EncodeToString(sum[:]), "meta"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range metas {
		node := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(
			filepath.Dir(m))))))
		pool := node[:strings.LastIndex(node, "-")]
		if !seen[pool] {
			seen[pool] = true
			out = append(out, pool)
		}
	}
	return out
}

// soloSetID reads the set ID that storaged gave the single node's drives,
// from the format file storaged/drive documents.
func soloSetID(t *testing.T, p *Provisioner, tenant string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(p.TenantDir(tenant), "nodes", "pool-0-0", "drives",
		"d0", ".strata.sys", "format.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		SetID string `json:"setID"`
	}
	if err := json.Unmarshal(b, &f); err != nil || f.SetID == "" {
		t.Fatalf("format of pool-0-0's d0: %s (%v)", b, err)
	}
	return f.SetID
}

// checkAdopted checks that the topology names the single node's set by its
// drives' set ID, and that pool-1 has its own ID.
func checkAdopted(t *testing.T, p *Provisioner, tenant, setID string) {
	t.Helper()
	_, byName := rawPools(rawTopology(t, p.TenantDir(tenant)))
	first, second := byName["pool-0"], byName["pool-1"]
	if ids, _ := json.Marshal(first["setIds"]); string(ids) != `["`+setID+`"]` ||
		first["id"] != nil {
		t.Errorf("pool-0 in the topology: got setIds %s and id %v, want [%q] and no id", ids,
			first["id"], setID)
	}
	if second == nil || second["id"] == nil || second["setIds"] != nil {
		t.Errorf("pool-1 in the topology: got %v, want an id of its own", second)
	}
}

func nodeEndpoint(obs provision.Observed, name string) string {
	for _, n := range obs.Nodes {
		if n.Name == name {
			return n.Endpoint
		}
	}
	return ""
}

// TestASingleServerTenantGrowsByAPoolAndLeavesIt grows a tenant of one
// server of four drives, the quickstart's shape, by a pool of two servers
// of two drives, then removes its first pool: the server keeps its drives
// and its endpoint as it joins the topology, every object and version
// reads back with the same SHA-256 through either pool, new keys land on
// one pool, and once the first pool is drained and gone everything reads
// back from the second, where new keys now go.
func TestASingleServerTenantGrowsByAPoolAndLeavesIt(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("solo-grow", 1, 4)
	obs := ensureReady(t, p, tenant)
	endpoint := obs.Endpoint
	c := s3Client(t, obs, endpoint)
	content := fillVersioned(t, c)
	setID := soloSetID(t, p, "solo-grow")

	addPool(tenant, "pool-1", 2, 2)
	obs = settle(t, p, tenant, func(provision.Observed) {}, func(o provision.Observed) bool {
		return o.Ready && o.Restarting == "" && len(o.Nodes) == 3
	})
	checkAdopted(t, p, "solo-grow", setID)
	first, second := poolByName(obs, "pool-0"), poolByName(obs, "pool-1")
	if first == nil || second == nil || first.State != model.PoolActive ||
		second.State != model.PoolActive || first.ID == "" || second.ID == first.ID {
		t.Fatalf("status.pools after adding pool-1: got %+v, want both Active with their "+
			"own IDs", obs.Pools)
	}
	if obs.Endpoint != endpoint {
		t.Errorf("endpoint after adding pool-1: got %s, want %s kept", obs.Endpoint, endpoint)
	}
	content.check(t, c, "after adding pool-1, through pool-0-0")
	content.check(t, s3Client(t, obs, nodeEndpoint(obs, "pool-1-0")),
		"after adding pool-1, through pool-1-0")
	onNew := 0
	for k, v := range putObjects(t, c, "after", 10) {
		content.latest[k] = sha256.Sum256(v)
		switch where := poolsHolding(t, p, "solo-grow", k); {
		case len(where) != 1:
			t.Errorf("new key %s: on pools %v, want exactly one", k, where)
		case where[0] == "pool-1":
			onNew++
		}
	}
	t.Logf("new keys on pool-1 while both pools take objects: %d of 10 (both pools' drives "+
		"share one file system, so their free space ties)", onNew)

	removePool(tenant, "pool-0")
	var last *model.PoolDecommission
	obs = settle(t, p, tenant, func(o provision.Observed) {
		if ps := poolByName(o, "pool-0"); ps != nil && ps.Decommission != nil {
			last = ps.Decommission
		}
	}, func(o provision.Observed) bool {
		return o.Ready && o.Restarting == "" && len(o.Pools) == 1
	})
	if last == nil || last.State != model.DecommissionDone || last.ObjectsMoved == 0 {
		t.Errorf("pool-0's last decommission report: got %+v, want done with objects moved",
			last)
	}
	if _, err := os.Stat(filepath.Join(p.TenantDir("solo-grow"), "nodes",
		"pool-0-0")); !os.IsNotExist(err) {
		t.Errorf("pool-0-0 is still there after the removal (%v)", err)
	}
	if obs.Endpoint != nodeEndpoint(obs, "pool-1-0") || len(obs.Nodes) != 2 {
		t.Errorf("after removing pool-0: got endpoint %s and nodes %+v, want pool-1-0's",
			obs.Endpoint, obs.Nodes)
	}
	c = s3Client(t, obs, obs.Endpoint)
	content.check(t, c, "after removing pool-0")
	for k := range putObjects(t, c, "last", 3) {
		if where := poolsHolding(t, p, "solo-grow", k); len(where) != 1 || where[0] != "pool-1" {
			t.Errorf("key %s written after the removal: on pools %v, want pool-1", k, where)
		}
	}
}

// TestASingleServerJoinsItsPoolsAfterAControlPlaneStop stops the control
// plane, as it were, right after it wrote the topology that adds a pool to
// a single-server tenant: the server still runs without a topology, and
// the next reconcile restarts it into the topology with the new pool's
// nodes, its objects intact. The new pool has twice the drives, so twice
// the free space on this one file system, and new keys go there.
func TestASingleServerJoinsItsPoolsAfterAControlPlaneStop(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("solo-stop", 1, 4)
	obs := ensureReady(t, p, tenant)
	c := s3Client(t, obs, obs.Endpoint)
	if _, err := c.CreateBucket(context.Background(),
		&s3.CreateBucketInput{Bucket: aws.String("grow")}); err != nil {
		t.Fatal(err)
	}
	objects := putObjects(t, c, "before", 6)
	setID := soloSetID(t, p, "solo-stop")
	before := pids(p, "solo-stop")["pool-0-0"]

	addPool(tenant, "pool-1", 2, 4)
	ca, err := pki.LoadCA(p.TenantDir("solo-stop"))
	if err != nil {
		t.Fatal(err)
	}
	writePlan(t, p, tenant, ca)
	checkAdopted(t, p, "solo-stop", setID)
	if now := pids(p, "solo-stop"); now["pool-0-0"] != before || len(now) != 1 {
		t.Fatalf("after writing the topology alone: got nodes %v, want pool-0-0 still pid %d",
			now, before)
	}

	obs = mustEnsure(t, p, tenant)
	if now := pids(p, "solo-stop"); !strings.Contains(obs.Restarting, "together") ||
		now["pool-0-0"] == before || len(now) != 3 {
		t.Fatalf("the next reconcile: got %q with nodes %v, want pool-0-0 (pid %d) restarted "+
			"together with pool-1's nodes", obs.Restarting, now, before)
	}
	obs = settle(t, p, tenant, func(provision.Observed) {}, func(o provision.Observed) bool {
		return o.Ready && o.Restarting == "" && len(o.Nodes) == 3
	})
	pid := pids(p, "solo-stop")["pool-0-0"]
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if pid == before || !bytes.Contains(cmdline, []byte("--topology")) {
		t.Errorf("pool-0-0 after the next reconcile: got pid %d (was %d) running %q, want "+
			"a new process with --topology", pid, before, bytes.ReplaceAll(cmdline, []byte{0},
			[]byte{' '}))
	}
	readAll(t, s3Client(t, obs, obs.Endpoint), objects, "after the next reconcile")
	readAll(t, s3Client(t, obs, nodeEndpoint(obs, "pool-1-0")), objects,
		"after the next reconcile, through pool-1-0")
	for k := range putObjects(t, c, "after", 5) {
		if where := poolsHolding(t, p, "solo-stop", k); len(where) != 1 || where[0] != "pool-1" {
			t.Errorf("new key %s: on pools %v, want pool-1, which has the most free space", k,
				where)
		}
	}
}
