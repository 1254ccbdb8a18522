package reconcile_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

func TestMain(m *testing.M) { os.Exit(testcp.Main(m)) }

// TestDeletingABucketWithObjects checks that the control plane keeps a
// bucket that still holds objects, says so at once, and deletes it once
// forceDestroy is set.
func TestDeletingABucketWithObjects(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	if _, err := c.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	spec := model.TenantSpec{Cluster: "local",
		Pools: []model.Pool{{Name: "p", Servers: 1, DrivesPerServer: 4}}}
	if _, err := c.PutTenant(ctx, "acme", spec, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucket(ctx, "acme", "logs", model.BucketSpec{}, nil); err != nil {
		t.Fatal(err)
	}
	waitBucket(t, c, func(b *model.Bucket) bool {
		return b.Status.Conditions.IsTrue(model.ConditionReady)
	})
	putObject(t, c, "acme", "logs", "kept.txt")

	if err := c.DeleteBucket(ctx, "acme", "logs"); err != nil {
		t.Fatal(err)
	}
	b := waitBucket(t, c, func(b *model.Bucket) bool {
		return b.Status.Conditions.IsTrue(model.ConditionDeleteRefused)
	})
	if b.Metadata.DeleteTime != nil {
		t.Errorf("a refused delete left the bucket marked for deletion")
	}

	if _, err := c.PutBucket(ctx, "acme", "logs",
		model.BucketSpec{ForceDestroy: true}, nil); err != nil {
		t.Fatalf("setting forceDestroy after a refused delete: %v", err)
	}
	if err := c.DeleteBucket(ctx, "acme", "logs"); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := c.GetBucket(ctx, "acme", "logs"); client.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the bucket with forceDestroy was not deleted within 10s")
}

func waitBucket(t *testing.T, c *client.Client, ok func(*model.Bucket) bool) *model.Bucket {
	t.Helper()
	var last *model.Bucket
	for range 300 {
		b, err := c.GetBucket(context.Background(), "acme", "logs")
		if err != nil {
			t.Fatal(err)
		}
		if ok(b) {
			return b
		}
		last = b
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("bucket never reached the expected state; last status %+v", last.Status)
	return nil
}

// putObject stores a small object through the tenant's S3 endpoint.
func putObject(t *testing.T, c *client.Client, tenant, bucket, key string) {
	t.Helper()
	tn, err := c.GetTenant(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(tn.Status.CABundle))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	creds := tn.Status.RootCredentials
	s3c := s3.New(s3.Options{
		Region: tn.Spec.Region, BaseEndpoint: aws.String(tn.Status.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID,
			creds.SecretAccessKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	})
	_, err = s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: bytes.NewReader([]byte("hello"))})
	if err != nil {
		t.Fatal(err)
	}
}
