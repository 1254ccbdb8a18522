package local

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/controlplane/model"
)

// runningArgs returns the command line of the node's running process.
func runningArgs(t *testing.T, n *node) []string {
	t.Helper()
	pid, ok := livePID(n.dir)
	if !ok {
		t.Fatalf("node %s runs no process", n.name)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		out = append(out, string(a))
	}
	return out
}

// flagValue returns the value after name in args, "" when absent.
func flagValue(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

// shardFileSizes returns the size of every shard file on the node's drives.
func shardFileSizes(t *testing.T, n *node) []int64 {
	t.Helper()
	var out []int64
	for _, d := range n.drivePaths() {
		err := filepath.WalkDir(d, func(_ string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || e.Name() != "shards" {
				return err
			}
			info, err := e.Info()
			out = append(out, info.Size())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestReducedRedundancyParityReachesTheNode(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("rrs", 1, 4)
	tenant.Spec.StorageClasses = &model.TenantStorageClasses{
		ReducedRedundancy: &model.StorageClassCoding{Parity: 1}}
	obs := ensureReady(t, p, tenant)
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	if got := flagValue(runningArgs(t, n), "--rrs-parity"); got != "1" {
		t.Fatalf("running node: --rrs-parity %q, want 1", got)
	}

	c := s3Client(t, obs, obs.Endpoint)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("rrs")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	const size = 3 << 20
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rrs"),
		Key: aws.String("k"), Body: bytes.NewReader(make([]byte, size)),
		StorageClass: types.StorageClassReducedRedundancy}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	sizes := shardFileSizes(t, n)
	if len(sizes) != 4 {
		t.Fatalf("got %d shard files, want 4", len(sizes))
	}
	for _, s := range sizes { // 3 data shards of 1 MiB each, plus block hashes
		if s < size/3 || s > size/3+4096 {
			t.Errorf("shard file of %d bytes, want %d plus block hashes (3+1)", s, size/3)
		}
	}

	tenant.Spec.StorageClasses = nil
	rollTo(t, p, tenant)
	if got := runningArgs(t, n); slices.Contains(got, "--rrs-parity") {
		t.Errorf("after the storage class was removed the node runs %q, want no --rrs-parity",
			got)
	}
}

func TestATopologyNodeGetsTheReducedRedundancyParity(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("rrs-multi", 2, 2)
	tenant.Spec.Parity = 1
	tenant.Spec.StorageClasses = &model.TenantStorageClasses{
		ReducedRedundancy: &model.StorageClassCoding{Parity: 1}}
	n := p.node(tenant, tenant.Spec.Pools[0], 0)
	n.topology, n.caFile = "topology.json", "ca.pem"
	args := n.args("creds.json")
	if got := flagValue(args, "--rrs-parity"); got != "1" || flagValue(args, "--topology") == "" {
		t.Errorf("got args %q, want --topology and --rrs-parity 1", args)
	}
}
