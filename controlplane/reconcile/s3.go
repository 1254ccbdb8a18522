package reconcile

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/strata-storage/strata/controlplane/model"
)

// s3Clients keeps one S3 client per tenant, built from the tenant's status,
// so that connections are reused across reconciles.
type s3Clients struct {
	mu      sync.Mutex
	clients map[string]cachedClient
}

type cachedClient struct {
	key    string
	client *s3.Client
}

func newS3Clients() *s3Clients { return &s3Clients{clients: map[string]cachedClient{}} }

// get returns the client for a ready tenant.
func (sc *s3Clients) get(t *model.Tenant) (*s3.Client, error) {
	s := t.Status
	if s.RootCredentials == nil || s.Endpoint == "" {
		return nil, errors.New("the tenant has no endpoint or credentials yet")
	}
	key := s.Endpoint + "\x00" + s.CABundle + "\x00" + s.RootCredentials.AccessKeyID +
		"\x00" + s.RootCredentials.SecretAccessKey + "\x00" + t.Spec.Region
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if c, ok := sc.clients[t.Metadata.Name]; ok && c.key == key {
		return c.client, nil
	}
	c, err := newS3Client(t)
	if err != nil {
		return nil, err
	}
	sc.clients[t.Metadata.Name] = cachedClient{key: key, client: c}
	return c, nil
}

func (sc *s3Clients) forget(tenant string) {
	sc.mu.Lock()
	delete(sc.clients, tenant)
	sc.mu.Unlock()
}

func newS3Client(t *model.Tenant) (*s3.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(t.Status.CABundle)) {
		return nil, errors.New("the tenant's CA bundle holds no certificate")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	creds := t.Status.RootCredentials
	return s3.New(s3.Options{
		Region:       t.Spec.Region,
		BaseEndpoint: aws.String(t.Status.Endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID,
			creds.SecretAccessKey, ""),
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
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				return fmt.Errorf("deleting %s/%s: %w", bucket, aws.ToString(o.Key), err)
			}
		}
	}
	return nil
}

// s3Code returns the S3 error code of err, or "".
func s3Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
