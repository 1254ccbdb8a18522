package local

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/provision"
)

// settle reconciles the tenant until done says it is where the test wants
// it, calling seen with every observation, for up to two minutes.
func settle(t *testing.T, p *Provisioner, tenant *model.Tenant,
	seen func(provision.Observed), done func(provision.Observed) bool) provision.Observed {
	t.Helper()
	var obs provision.Observed
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		obs = mustEnsure(t, p, tenant)
		seen(obs)
		if done(obs) {
			return obs
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("tenant %s did not settle within 2 minutes: %s; pools %+v",
		tenant.Metadata.Name, obs.Message, obs.Pools)
	return obs
}

// putObjects stores n objects named prefix-i, each its own bytes.
func putObjects(t *testing.T, c *s3.Client, prefix string, n int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for i := range n {
		key := fmt.Sprintf("%s-%d", prefix, i)
		body := bytes.Repeat([]byte(key+"|"), 4096)
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("grow"), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
		out[key] = body
	}
	return out
}

// readAll reads every object back and compares it.
func readAll(t *testing.T, c *s3.Client, objects map[string][]byte, when string) {
	t.Helper()
	for key, want := range objects {
		got, err := getObject(context.Background(), c, "grow", key)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: GET %s: got %d bytes, %v; want %d bytes", when, key, len(got), err,
				len(want))
		}
	}
}

func poolByName(obs provision.Observed, name string) *model.PoolStatus {
	for i := range obs.Pools {
		if obs.Pools[i].Name == name {
			return &obs.Pools[i]
		}
	}
	return nil
}

// TestAPoolIsAddedAndTheFirstOneDecommissioned grows a running tenant of
// real storaged nodes by a pool and then removes its first pool: objects
// stored before read back after each step, new objects are stored on the
// grown tenant, the first pool's drain is reported while it runs, and once
// it is done the pool's nodes and drives are gone.
func TestAPoolIsAddedAndTheFirstOneDecommissioned(t *testing.T) {
	t.Parallel()
	p := newProvisioner(t)
	tenant := newTenant("grow", 2, 2)
	obs := ensureReady(t, p, tenant)
	c := s3Client(t, obs, obs.Endpoint)
	if _, err := c.CreateBucket(context.Background(),
		&s3.CreateBucketInput{Bucket: aws.String("grow")}); err != nil {
		t.Fatal(err)
	}
	objects := putObjects(t, c, "before", 10)

	addPool(tenant, "pool-1", 2, 2)
	obs = settle(t, p, tenant, func(provision.Observed) {}, func(o provision.Observed) bool {
		return o.Ready && o.Restarting == "" && len(o.Nodes) == 4
	})
	first, second := poolByName(obs, "pool-0"), poolByName(obs, "pool-1")
	if first == nil || second == nil || first.State != model.PoolActive ||
		second.State != model.PoolActive || second.ID == "" || second.ID == first.ID {
		t.Fatalf("status.pools after adding pool-1: got %+v, want both Active with "+
			"their own IDs", obs.Pools)
	}
	grown := s3Client(t, obs, obs.Nodes[2].Endpoint)
	readAll(t, grown, objects, "after adding pool-1, through pool-1-0")
	for k, v := range putObjects(t, grown, "after", 10) {
		objects[k] = v
	}

	removePool(tenant, "pool-0")
	var last *model.PoolDecommission
	obs = settle(t, p, tenant, func(o provision.Observed) {
		if ps := poolByName(o, "pool-0"); ps != nil && ps.Decommission != nil {
			if last == nil || ps.Decommission.Summary() != last.Summary() {
				t.Logf("pool-0 %s %s", ps.State, ps.Decommission.Summary())
			}
			last = ps.Decommission
		}
	}, func(o provision.Observed) bool {
		return o.Ready && o.Restarting == "" && len(o.Pools) == 1
	})
	switch {
	case last == nil:
		t.Errorf("pool-0's decommission was never shown in the status")
	case last.Runner != "pool-1-0" || last.State != model.DecommissionDone ||
		last.ObjectsMoved == 0:
		t.Errorf("pool-0's last decommission report: got %+v, want done by pool-1-0 with "+
			"objects moved", last)
	}
	if obs.Pools[0].Name != "pool-1" || len(obs.Nodes) != 2 ||
		!strings.Contains(obs.Endpoint, fmt.Sprint(p.node(tenant, tenant.Spec.Pools[0], 0).port)) {
		t.Errorf("after removing pool-0: got pools %+v, nodes %+v, endpoint %s; want pool-1's",
			obs.Pools, obs.Nodes, obs.Endpoint)
	}
	for i := range 2 {
		dir := filepath.Join(p.TenantDir("grow"), "nodes", fmt.Sprintf("pool-0-%d", i))
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: still there after the removal (%v)", dir, err)
		}
	}
	readAll(t, s3Client(t, obs, obs.Endpoint), objects, "after removing pool-0")
}
