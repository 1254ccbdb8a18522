package leader_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
	"github.com/strata-storage/strata/internal/testetcd"
)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m)) }

// TestLeaderFailover runs two control-plane replicas on one etcd. Only the
// leader reconciles; when it is killed, the other takes over and finishes
// work that was asked of it afterwards.
func TestLeaderFailover(t *testing.T) {
	etcd := testetcd.Start(t)
	opts := testcp.Options{
		StateDir: t.TempDir(),
		Args: []string{
			"--store",
			"etcd://" + strings.TrimPrefix(etcd, "http://"),
			"--leader-lease",
			"2s",
		},
	}
	a := testcp.StartWith(t, opts)
	b := testcp.StartWith(t, opts)
	leader, follower := leaderOf(t, a, b)

	ctx := context.Background()
	fc := follower.Client(t)
	if _, err := fc.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	spec := model.TenantSpec{Cluster: "local",
		Pools: []model.Pool{{Name: "pool-0", Servers: 1, DrivesPerServer: 4}}}
	if _, err := fc.PutTenant(ctx, "acme", spec, nil); err != nil {
		t.Fatal(err)
	}
	waitReady(t, func() (model.Conditions, error) {
		tn, err := fc.GetTenant(ctx, "acme")
		if err != nil {
			return nil, err
		}
		return tn.Status.Conditions, nil
	})
	if strings.Contains(follower.Log(), "started storage node") {
		t.Errorf("the follower started a storage node; only the leader may reconcile")
	}

	leader.Kill(t)
	if _, err := fc.PutBucket(ctx, "acme", "logs", model.BucketSpec{}, nil); err != nil {
		t.Fatal(err)
	}
	waitReady(t, func() (model.Conditions, error) {
		bk, err := fc.GetBucket(ctx, "acme", "logs")
		if err != nil {
			return nil, err
		}
		return bk.Status.Conditions, nil
	})
	if !strings.Contains(follower.Log(), "leading") {
		t.Errorf("the surviving replica never logged that it leads")
	}
}

// leaderOf waits until one of the replicas logs that it leads.
func leaderOf(t *testing.T, a, b *testcp.ControlPlane) (leader, follower *testcp.ControlPlane) {
	t.Helper()
	for range 100 {
		switch {
		case strings.Contains(a.Log(), "leading"):
			return a, b
		case strings.Contains(b.Log(), "leading"):
			return b, a
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no replica became leader within 10s")
	return nil, nil
}

func waitReady(t *testing.T, get func() (model.Conditions, error)) {
	t.Helper()
	var last model.Conditions
	for range 300 {
		conds, err := get()
		if err != nil && !client.IsNotFound(err) {
			t.Fatal(err)
		}
		if conds.IsTrue(model.ConditionReady) {
			return
		}
		last = conds
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("not ready within 30s; conditions %+v", last)
}
