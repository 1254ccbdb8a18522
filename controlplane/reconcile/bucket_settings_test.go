package reconcile_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/internal/testcp"
)

// TestBucketSettingsDriftIsRepaired sets versioning and tags, changes both
// behind the control plane's back through S3, and checks that the control
// plane puts them back and says so in a condition; then that dropping the
// tags from the spec removes them from the bucket.
func TestBucketSettingsDriftIsRepaired(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	startTenant(t, c)
	tags := map[string]string{"team": "storage", "env": "test"}
	spec := model.BucketSpec{Versioning: model.VersioningEnabled, Tags: tags}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b := waitBucket(t, c, readyAt(1))
	if b.Status.Versioning != model.VersioningEnabled || !maps.Equal(b.Status.Tags, tags) {
		t.Errorf("observed: got versioning %q tags %v, want Enabled and %v",
			b.Status.Versioning, b.Status.Tags, tags)
	}
	s3c := tenantS3(t, c, "acme")
	checkOnTenant(t, s3c, model.VersioningEnabled, tags)

	_, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String("logs"),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusSuspended},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("logs"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"),
			Value: aws.String("intruder")}}}})
	if err != nil {
		t.Fatal(err)
	}

	b = waitBucket(t, c, func(b *model.Bucket) bool {
		d := b.Status.Conditions.Get("DriftRepaired")
		return d != nil && d.Status == model.StatusTrue && d.Reason == "SettingsRepaired"
	})
	msg := b.Status.Conditions.Get("DriftRepaired").Message
	if !strings.Contains(msg, "versioning, tags") {
		t.Errorf("got drift message %q, want it to name versioning and tags", msg)
	}
	checkOnTenant(t, s3c, model.VersioningEnabled, tags)
	if !strings.Contains(cp.Log(), "bucket settings differed from the spec") {
		t.Errorf("the control plane's log has no event for the repair")
	}

	spec.Tags = nil
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	b = waitBucket(t, c, readyAt(2))
	if b.Status.Tags != nil {
		t.Errorf("observed tags after dropping them: got %v, want none", b.Status.Tags)
	}
	checkOnTenant(t, s3c, model.VersioningEnabled, map[string]string{})
}

// TestForceDestroyRemovesEveryVersion checks that deleting a versioned
// bucket with forceDestroy removes its versions and delete markers first
// (case P6).
func TestForceDestroyRemovesEveryVersion(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	startTenant(t, c)
	spec := model.BucketSpec{Versioning: model.VersioningEnabled, ForceDestroy: true}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	waitBucket(t, c, readyAt(1))
	s3c := tenantS3(t, c, "acme")
	for _, body := range []string{"one", "two"} {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"),
			Key: aws.String("a.txt"), Body: bytes.NewReader([]byte(body))})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("logs"),
		Key: aws.String("a.txt")})
	if err != nil {
		t.Fatal(err)
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
	b, _ := c.GetBucket(ctx, "acme", "logs")
	t.Fatalf("the versioned bucket was not deleted within 10s; status %+v", b.Status)
}

// startTenant creates the local cluster and the tenant acme.
func startTenant(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutCluster(ctx, "local", model.ClusterSpec{Kind: "local"}, nil); err != nil {
		t.Fatal(err)
	}
	spec := model.TenantSpec{Cluster: "local",
		Pools: []model.Pool{{Name: "p", Servers: 1, DrivesPerServer: 4}}}
	if _, err := c.PutTenant(ctx, "acme", spec, nil); err != nil {
		t.Fatal(err)
	}
}

// readyAt is true once the bucket is Ready for generation gen.
func readyAt(gen int64) func(*model.Bucket) bool {
	return func(b *model.Bucket) bool {
		return b.Metadata.Generation == gen && b.Status.ObservedGeneration == gen &&
			b.Status.Conditions.IsTrue(model.ConditionReady)
	}
}

// tenantS3 returns an S3 client with the tenant's root credentials.
func tenantS3(t *testing.T, c *client.Client, tenant string) *s3.Client {
	t.Helper()
	tn, err := c.GetTenant(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(tn.Status.CABundle))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	creds := tn.Status.RootCredentials
	return s3.New(s3.Options{
		Region: tn.Spec.Region, BaseEndpoint: aws.String(tn.Status.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID,
			creds.SecretAccessKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	})
}

// checkOnTenant checks the versioning and tags of bucket logs through S3.
func checkOnTenant(t *testing.T, s3c *s3.Client, versioning string, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{
		Bucket: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	if string(v.Status) != versioning {
		t.Errorf("versioning on the tenant: got %q, want %q", v.Status, versioning)
	}
	got := map[string]string{}
	out, err := s3c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("logs")})
	var ae smithy.APIError
	switch {
	case err == nil:
		for _, tag := range out.TagSet {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	case !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchTagSet":
		t.Fatal(err)
	}
	if !maps.Equal(got, tags) {
		t.Errorf("tags on the tenant: got %v, want %v", got, tags)
	}
}

// TestBucketPolicyDriftIsRepaired sets a policy written with other white
// space and key order than storaged returns it (which is no drift), changes
// it through S3 (which is), and removes it from the spec (which deletes
// it from the bucket).
func TestBucketPolicyDriftIsRepaired(t *testing.T) {
	cp := testcp.Start(t)
	c := cp.Client(t)
	ctx := context.Background()
	startTenant(t, c)
	const declared = `{
  "Statement": [{"Resource": "arn:aws:s3:::logs/*", "Action": "s3:GetObject",
    "Principal": "*", "Effect": "Allow"}],
  "Version": "2012-10-17"
}`
	spec := model.BucketSpec{Policy: declared}
	if _, err := c.PutBucket(ctx, "acme", "logs", spec, nil); err != nil {
		t.Fatal(err)
	}
	waitBucket(t, c, readyAt(1))
	s3c := tenantS3(t, c, "acme")
	if got := tenantPolicy(t, s3c); !model.PoliciesEqual(got, declared) {
		t.Fatalf("policy on the tenant: got %s, want %s", got, declared)
	}
	time.Sleep(5 * time.Second) // two resyncs of the test control plane
	b := waitBucket(t, c, readyAt(1))
	if d := b.Status.Conditions.Get("DriftRepaired"); d != nil {
		t.Errorf("a policy that differs only in formatting was reported as drift: %s",
			d.Message)
	}

	other := strings.Replace(declared, "s3:GetObject", "s3:ListBucket", 1)
	other = strings.Replace(other, "logs/*", "logs", 1)
	_, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"),
		Policy: aws.String(other)})
	if err != nil {
		t.Fatal(err)
	}
	b = waitBucket(t, c, func(b *model.Bucket) bool {
		d := b.Status.Conditions.Get("DriftRepaired")
		return d != nil && strings.Contains(d.Message, "policy")
	})
	if got := tenantPolicy(t, s3c); !model.PoliciesEqual(got, declared) {
		t.Errorf("policy after the repair: got %s, want %s", got, declared)
	}

	if _, err := c.PutBucket(ctx, "acme", "logs", model.BucketSpec{}, nil); err != nil {
		t.Fatal(err)
	}
	waitBucket(t, c, readyAt(2))
	if got := tenantPolicy(t, s3c); got != "" {
		t.Errorf("policy after removing it from the spec: got %s, want none", got)
	}
}

// tenantPolicy returns bucket logs' policy through S3, "" when it has none.
func tenantPolicy(t *testing.T, s3c *s3.Client) string {
	t.Helper()
	out, err := s3c.GetBucketPolicy(context.Background(),
		&s3.GetBucketPolicyInput{Bucket: aws.String("logs")})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucketPolicy" {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy)
}
