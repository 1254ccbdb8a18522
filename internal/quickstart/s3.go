package quickstart

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/internal/atomicfile"
)

// tenant is what a client needs to reach a tenant over S3.
type tenant struct {
	endpoint, region, caFile string
	accessKey, secretKey     string
}

// tenantAccess reads the tenant's endpoint, CA and root keys from the
// control plane and keeps the CA in a file beside the state.
func tenantAccess(ctx context.Context, cfg Config, cp *controlPlane, name string) (tenant, error) {
	c, err := cp.client()
	if err != nil {
		return tenant{}, err
	}
	t, err := c.GetTenant(ctx, name)
	if err != nil {
		return tenant{}, fmt.Errorf("quickstart: reading tenant %s: %w", name, err)
	}
	if t.Status.RootCredentials == nil || t.Status.Endpoint == "" {
		return tenant{}, fmt.Errorf("quickstart: tenant %s has no endpoint yet", name)
	}
	caFile := filepath.Join(cfg.StateDir, "quickstart-ca.pem")
	if err := atomicfile.Write(caFile, []byte(t.Status.CABundle), 0o644); err != nil {
		return tenant{}, err
	}
	return tenant{
		endpoint:  t.Status.Endpoint,
		region:    t.Spec.Region,
		caFile:    caFile,
		accessKey: t.Status.RootCredentials.AccessKeyID,
		secretKey: t.Status.RootCredentials.SecretAccessKey,
	}, nil
}

// S3Client returns an aws-sdk-go-v2 client for the tenant with the SDK's
// default settings (trailing checksums included) and the tenant's CA.
func (t tenant) S3Client(caPEM []byte) (*s3.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("quickstart: the tenant's CA bundle holds no certificate")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return s3.New(s3.Options{
		Region:       t.region,
		BaseEndpoint: aws.String(t.endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(t.accessKey, t.secretKey, ""),
		HTTPClient:   &http.Client{Transport: tr},
	}), nil
}

// roundTrip stores an object of cfg.ObjectSize random bytes and reads it
// back, comparing SHA-256 digests.
func roundTrip(ctx context.Context, cfg Config, t tenant, res *Result) error {
	caPEM, err := readFile(t.caFile)
	if err != nil {
		return err
	}
	c, err := t.S3Client(caPEM)
	if err != nil {
		return err
	}
	body := make([]byte, cfg.ObjectSize)
	_, _ = rand.Read(body)
	sum := sha256.Sum256(body)
	res.Key, res.SHA256 = "quickstart/object.bin", hex.EncodeToString(sum[:])
	fmt.Fprintf(cfg.Out, "==> PUT s3://%s/%s (%d MiB)\n", res.Bucket, res.Key, cfg.ObjectSize>>20)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(res.Bucket),
		Key: aws.String(res.Key), Body: bytes.NewReader(body)})
	if err != nil {
		return fmt.Errorf("quickstart: PutObject: %w", err)
	}
	got, err := GetSHA256(ctx, c, res.Bucket, res.Key)
	if err != nil {
		return err
	}
	if got != res.SHA256 {
		return fmt.Errorf("quickstart: read back SHA-256 %s, wrote %s", got, res.SHA256)
	}
	fmt.Fprintf(cfg.Out, "==> GET s3://%s/%s: SHA-256 %s matches\n", res.Bucket, res.Key, got)
	return nil
}

// GetSHA256 reads an object and returns the hex SHA-256 of its bytes.
func GetSHA256(ctx context.Context, c *s3.Client, bucket, key string) (string, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err != nil {
		return "", fmt.Errorf("quickstart: GetObject: %w", err)
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return "", fmt.Errorf("quickstart: reading object: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func asExit(err error, target **exec.ExitError) bool { return errors.As(err, target) }
