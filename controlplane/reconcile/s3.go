package reconcile

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
	// admin calls storaged's /strata/admin/ endpoints of the same target,
	// over the same connections.
	admin *adminClient
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
	cc, err := sc.tenant(t)
	return cc.client, err
}

// tenant returns the S3 and admin clients of a ready tenant.
func (sc *s3Clients) tenant(t *model.Tenant) (cachedClient, error) {
	s := t.Status
	if s.RootCredentials == nil || s.Endpoint == "" {
		return cachedClient{}, errors.New("the tenant has no endpoint or credentials yet")
	}
	if s.CABundle == "" {
		return cachedClient{}, errors.New("the tenant's CA bundle holds no certificate")
	}
	return sc.cached(tenantClientID(t.Metadata.Name), s3Target{endpoint: s.Endpoint,
		region: t.Spec.Region, caBundle: s.CABundle, creds: *s.RootCredentials})
}

// forTier returns the client for a tier's S3 target; key is the tier's
// store name.
func (sc *s3Clients) forTier(key string, t *model.TierS3) (*s3.Client, error) {
	cc, err := sc.cached(tierClientID(key), s3Target{endpoint: t.Endpoint, region: t.Region,
		caBundle: t.CABundle, creds: model.Credentials{AccessKeyID: t.AccessKeyID,
			SecretAccessKey: t.SecretAccessKey}})
	return cc.client, err
}

// cached returns the client cached under id when it was built from the
// same target, else builds and caches a new one.
func (sc *s3Clients) cached(id string, t s3Target) (cachedClient, error) {
	key := t.cacheKey()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if c, ok := sc.clients[id]; ok && c.key == key {
		return c, nil
	}
	hc, err := newHTTPClient(t)
	if err != nil {
		return cachedClient{}, err
	}
	c := cachedClient{key: key, client: newS3Client(t, hc),
		admin: &adminClient{endpoint: t.endpoint, region: t.region, creds: t.creds, http: hc}}
	sc.clients[id] = c
	return c, nil
}

// forget drops the client cached under id.
func (sc *s3Clients) forget(id string) {
	sc.mu.Lock()
	delete(sc.clients, id)
	sc.mu.Unlock()
}

// newHTTPClient builds the HTTP client of t's clients, trusting t's CA
// bundle.
func newHTTPClient(t s3Target) (*http.Client, error) {
	var pool *x509.CertPool
	if t.caBundle != "" {
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(t.caBundle)) {
			return nil, errors.New("the CA bundle holds no certificate")
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}

// newS3Client builds a path-style client for t over hc.
func newS3Client(t s3Target, hc *http.Client) *s3.Client {
	return s3.New(s3.Options{
		Region:       t.region,
		BaseEndpoint: aws.String(t.endpoint),
		UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(t.creds.AccessKeyID,
			t.creds.SecretAccessKey, ""),
		HTTPClient: hc,
	})
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

// emptyBucket deletes every object version and delete marker of the
// bucket, a page at a time; a bucket that never had versioning lists each
// object once, as its null version.
func emptyBucket(ctx context.Context, c *s3.Client, bucket string) error {
	p := s3.NewListObjectVersionsPaginator(c,
		&s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the versions of bucket %s: %w", bucket, err)
		}
		for _, v := range page.Versions {
			if err := deleteVersion(ctx, c, bucket, v.Key, v.VersionId); err != nil {
				return err
			}
		}
		for _, m := range page.DeleteMarkers {
			if err := deleteVersion(ctx, c, bucket, m.Key, m.VersionId); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteVersion deletes one version (or delete marker) of an object.
func deleteVersion(ctx context.Context, c *s3.Client, bucket string, key,
	version *string) error {
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket:    aws.String(bucket),
		Key:       key,
		VersionId: version,
	})
	if err != nil {
		return fmt.Errorf("deleting %s/%s version %s: %w", bucket, aws.ToString(key),
			aws.ToString(version), err)
	}
	return nil
}

// bucketVersioning returns the bucket's versioning state as the tenant
// reports it: "" (never set), Enabled or Suspended.
func bucketVersioning(ctx context.Context, c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{
		Bucket: aws.String(bucket),
	})
	if err != nil {
		return "", fmt.Errorf("reading the versioning of bucket %s: %w", bucket, err)
	}
	return string(out.Status), nil
}

// putBucketVersioning sets the bucket's versioning state.
func putBucketVersioning(ctx context.Context, c *s3.Client, bucket, state string) error {
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatus(state),
		},
	})
	if err != nil {
		return fmt.Errorf("setting the versioning of bucket %s to %s: %w", bucket, state, err)
	}
	return nil
}

// bucketTags returns the bucket's tags; a bucket without tags has an
// empty map.
func bucketTags(ctx context.Context, c *s3.Client, bucket string) (map[string]string, error) {
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if s3Code(err) == "NoSuchTagSet" {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the tags of bucket %s: %w", bucket, err)
	}
	tags := make(map[string]string, len(out.TagSet))
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// putBucketTags replaces the bucket's tags; no tags deletes them all.
func putBucketTags(ctx context.Context, c *s3.Client, bucket string,
	tags map[string]string) error {
	var err error
	if len(tags) == 0 {
		_, err = c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{
			Bucket: aws.String(bucket),
		})
	} else {
		_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
			Bucket:  aws.String(bucket),
			Tagging: &types.Tagging{TagSet: tagSet(tags)},
		})
	}
	if err != nil {
		return fmt.Errorf("setting the tags of bucket %s: %w", bucket, err)
	}
	return nil
}

// tagSet is tags as S3's tag set, ordered by key.
func tagSet(tags map[string]string) []types.Tag {
	set := make([]types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		set = append(set, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return set
}

// bucketPolicy returns the bucket's policy document, or "" when it has
// none.
func bucketPolicy(ctx context.Context, c *s3.Client, bucket string) (string, error) {
	out, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if s3Code(err) == "NoSuchBucketPolicy" {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the policy of bucket %s: %w", bucket, err)
	}
	return aws.ToString(out.Policy), nil
}

// putBucketPolicy replaces the bucket's policy; "" deletes it.
func putBucketPolicy(ctx context.Context, c *s3.Client, bucket, doc string) error {
	var err error
	if doc == "" {
		_, err = c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{
			Bucket: aws.String(bucket),
		})
	} else {
		_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{
			Bucket: aws.String(bucket),
			Policy: aws.String(doc),
		})
	}
	if err != nil {
		return fmt.Errorf("setting the policy of bucket %s: %w", bucket, err)
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
	var ae *adminError
	if errors.As(err, &ae) && ae.status >= 400 && ae.status < 500 {
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
