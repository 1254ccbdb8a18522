package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/pki"
	"github.com/strata-storage/strata/controlplane/reconcile"
	"github.com/strata-storage/strata/controlplane/registry"
	"github.com/strata-storage/strata/controlplane/store"
	"github.com/strata-storage/strata/internal/testcp"
)

// The control plane's reconcilers are what the API asks for a tenant's
// buckets.
var _ TenantBucketLister = (*reconcile.Controller)(nil)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m)) }

// TestDeleteTenantRefusesBucketsMadeThroughS3 runs a real control plane
// and tenant, makes a bucket through S3 that the control plane does not
// know, and checks that the tenant is kept until the delete is forced.
func TestDeleteTenantRefusesBucketsMadeThroughS3(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	if _, err := c.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutTenant(ctx, "acme", model.TenantSpec{Cluster: "local",
		Pools: onePool}, nil); err != nil {
		t.Fatal(err)
	}
	tn := waitTenantReady(t, c, "acme")
	_, err := tenantS3(t, tn).CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String("raw")})
	if err != nil {
		t.Fatalf("making a bucket through S3: %v", err)
	}

	err = c.DeleteTenant(ctx, "acme", client.DeleteOptions{})
	if client.StatusCode(err) != http.StatusConflict ||
		!strings.Contains(err.Error(), "1 bucket(s) (raw (made through S3))") {
		t.Fatalf("delete without force: got %v, want 409 naming bucket raw", err)
	}
	if got, err := c.GetTenant(ctx, "acme"); err != nil || got.Metadata.DeleteTime != nil {
		t.Fatalf("after a refused delete: got %v, %v; want the tenant kept", got, err)
	}

	if err := c.DeleteTenant(ctx, "acme", client.DeleteOptions{Force: true}); err != nil {
		t.Fatalf("delete with force: %v", err)
	}
	waitTenantGone(t, c, "acme")
}

// TestDeleteTenantRefusesWhenItsNodesCannotBeAsked points a tenant that
// has served S3 at a loopback port where nothing listens, and checks that
// the real reconcilers' answer makes the delete wait for force.
func TestDeleteTenantRefusesWhenItsNodesCannotBeAsked(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	ts, c := serveWith(t, st, reconcile.New(reconcile.Config{Store: st}))
	ctx := context.Background()
	mustTenant(t, c)
	endpoint := "https://" + closedAddr(t)
	setServedStatus(t, st, "acme", endpoint)

	err := c.DeleteTenant(ctx, "acme", client.DeleteOptions{})
	if client.StatusCode(err) != http.StatusConflict ||
		!strings.Contains(err.Error(), "cannot ask the storage nodes of tenant \"acme\" at "+
			endpoint) || !strings.Contains(err.Error(), "?force=true") {
		t.Fatalf("delete without force: got %v, want 409 saying the nodes cannot be asked", err)
	}
	resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme?force=true", "", nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("delete with force: got %d, want 202", resp.StatusCode)
	}
}

func TestDeleteTenantWithoutStorageToAsk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		served   bool
		wantCode int
		want     string
	}{
		{name: "a tenant whose nodes never served S3 has nothing to lose",
			wantCode: http.StatusAccepted},
		{name: "a tenant that served is kept when no reconciler can ask its nodes",
			served: true, wantCode: http.StatusConflict, want: "runs no reconcilers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t)
			ts, c := serveWith(t, st, &recorder{})
			mustTenant(t, c)
			if tt.served {
				setServedStatus(t, st, "acme", "https://"+closedAddr(t))
			}
			resp := do(t, ts, http.MethodDelete, "/v1/tenants/acme", "", nil)
			var eb model.ErrorBody
			_ = json.NewDecoder(resp.Body).Decode(&eb)
			if resp.StatusCode != tt.wantCode || !strings.Contains(eb.Error.Message, tt.want) {
				t.Errorf("got %d %q, want %d with %q", resp.StatusCode, eb.Error.Message,
					tt.wantCode, tt.want)
			}
		})
	}
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// serveWith serves the API over st with n as its Notifier, every exchange
// held against openapi.json.
func serveWith(t *testing.T, st store.Store, n Notifier) (*httptest.Server, *client.Client) {
	t.Helper()
	h := newContract(t, t.Errorf).wrap(New(Config{Store: st, Token: testToken, Notifier: n}))
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c, err := client.New(client.Config{Endpoint: ts.URL, Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	return ts, c
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// setServedStatus records in the store what a tenant whose nodes served
// S3 at endpoint has in its status.
func setServedStatus(t *testing.T, st store.Store, name, endpoint string) {
	t.Helper()
	ctx := context.Background()
	ca, err := pki.NewCA("test tenant CA")
	if err != nil {
		t.Fatal(err)
	}
	tn, rev, err := registry.Get[model.Tenant, model.TenantSpec](ctx, st, model.KindTenant, name)
	if err != nil {
		t.Fatal(err)
	}
	tn.Status.Endpoint, tn.Status.CABundle = endpoint, string(ca.BundlePEM())
	tn.Status.RootCredentials = &model.Credentials{AccessKeyID: "AKIDROOT",
		SecretAccessKey: "root-secret"}
	tn.Status.Nodes = []model.Node{{Name: "pool-0-0", DrivesOnline: 4}}
	tn.Status.DrivesOnline = 4
	if _, err := registry.Put[model.Tenant, model.TenantSpec](ctx, st, model.KindTenant, name,
		tn, rev); err != nil {
		t.Fatal(err)
	}
}

func waitTenantReady(t *testing.T, c *client.Client, name string) *model.Tenant {
	t.Helper()
	var last *model.Tenant
	for range 600 {
		tn, err := c.GetTenant(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if tn.Status.Conditions.IsTrue(model.ConditionReady) {
			return tn
		}
		last = tn
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("tenant %s not ready within 60s; last status %+v", name, last.Status)
	return nil
}

func waitTenantGone(t *testing.T, c *client.Client, name string) {
	t.Helper()
	for range 300 {
		if _, err := c.GetTenant(context.Background(), name); client.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("tenant %s was not deleted within 30s", name)
}

// tenantS3 returns an S3 client with the tenant's root credentials.
func tenantS3(t *testing.T, tn *model.Tenant) *s3.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(tn.Status.CABundle)) {
		t.Fatal("the tenant's CA bundle holds no certificate")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	creds := tn.Status.RootCredentials
	return s3.New(s3.Options{
		Region: tn.Spec.Region, BaseEndpoint: aws.String(tn.Status.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID,
			creds.SecretAccessKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	})
}
