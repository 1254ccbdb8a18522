package reconcile

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/strata-storage/strata/controlplane/model"
)

// s3Clients keeps one S3 client per tenant (built from the tenant's status)
// and per tier with an S3 target (built from its spec), so that connections
// are reused across reconciles. A client is built again when what it was
// built from changes.
type s3Clients struct {
	mu      sync.Mutex
	clients map[string]cachedClient
}

type cachedClient struct {
	key    string
	client *s3.Client
}

func newS3Clients() *s3Clients { return &s3Clients{clients: map[string]cachedClient{}} }

// s3Target is what an S3 client is built from.
type s3Target struct {
	endpoint, region string
	// caBundle is the PEM of the CAs to trust; empty means the system's.
	caBundle string
	creds    model.Credentials
}

// cacheKey changes whenever a client built from t would differ.
func (t s3Target) cacheKey() string {
	return strings.Join([]string{t.endpoint, t.region, t.caBundle, t.creds.AccessKeyID,
		t.creds.SecretAccessKey}, "\x00")
}

// tenantClientID and tierClientID name cached clients.
func tenantClientID(tenant string) string { return "tenant/" + tenant }
func tierClientID(key string) string      { return "tier/" + key }

// get returns the client for a ready tenant.
func (sc *s3Clients) get(t *model.Tenant) (*s3.Client, error) {
	s := t.Status
	if s.RootCredentials == nil || s.Endpoint == "" {
		return nil, errors.New("the tenant has no endpoint or credentials yet")
	}
	if s.CABundle == "" {
		return nil, errors.New("the tenant's CA bundle holds no certificate")
	}
	return sc.cached(tenantClientID(t.Metadata.Name), s3Target{endpoint: s.Endpoint,
		region: t.Spec.Region, caBundle: s.CABundle, creds: *s.RootCredentials})
}

// forTier returns the client for a tier's S3 target; key is the tier's
// store name.
func (sc *s3Clients) forTier(key string, t *model.TierS3) (*s3.Client, error) {
	return sc.cached(tierClientID(key), s3Target{endpoint: t.Endpoint, region: t.Region,
		caBundle: t.CABundle, creds: model.Credentials{AccessKeyID: t.AccessKeyID,
			SecretAccessKey: t.SecretAccessKey}})
}

// cached returns the client cached under id when it was built from the
// same target, else builds and caches a new one.
func (sc *s3Clients) cached(id string, t s3Target) (*s3.Client, error) {
	key := t.cacheKey()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if c, ok := sc.clients[id]; ok && c.key == key {
		return c.client, nil
	}
	c, err := newS3Client(t)
	if err != nil {
		return nil, err
	}
	sc.clients[id] = cachedClient{key: key, client: c}
	return c, nil
}

// forget drops the client cached under id.
func (sc *s3Clients) forget(id string) {
	sc.mu.Lock()
	delete(sc.clients, id)
	sc.mu.Unlock()
}

// newS3Client builds a path-style client for t.
func newS3Client(t s3Target) (*s3.Client, error) {
	var pool *x509.CertPool
	if t.caBundle != "" {
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(t.caBundle)) {
			return nil, errors.New("the CA bundle holds no certificate")
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return s3.New(s3.Options{
		Region:       t.region,
		BaseEndpoint: aws.String(t.endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(t.creds.AccessKeyID,
			t.creds.SecretAccessKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	}), nil
}

// bucketExists asks the tenant whether the bucket exists.
func bucketExists(ctx context.Context, c *s3.Client, bucket string) (bool, error) {
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return true, nil
	}
	var nf *types.NotFound
	if errors.As(err, &nf) || s3Code(err) == "NoSuchBucket" || s3Code(err) == "NotFound" {
		return false, nil
	}
	return false, fmt.Errorf("asking the tenant for bucket %s: %w", bucket, err)
}

// emptyBucket deletes every object of the bucket, a page at a time.
func emptyBucket(ctx context.Context, c *s3.Client, bucket string) error {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing bucket %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{
				Bucket: aws.String(bucket),
				Key:    o.Key,
			})
			if err != nil {
				return fmt.Errorf("deleting %s/%s: %w", bucket, aws.ToString(o.Key), err)
			}
		}
	}
	return nil
}

// failureReason names why a call to the tenant failed: the tenant refused
// it (a 4xx answer), or could not be reached or failed itself.
func failureReason(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 {
		return "RejectedByTenant"
	}
	return "TenantUnreachable"
}

// s3Code returns the S3 error code of err, or "".
func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
