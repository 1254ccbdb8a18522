package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	acc "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/strata-storage/strata/controlplane/client"
)

// s3As returns an S3 client of tenant acme that signs with the given key
// pair; empty id and secret mean the tenant's root key.
func s3As(ctx context.Context, api *client.Client, id, secret string) (*s3.Client, error) {
	tn, err := api.GetTenant(ctx, "acme")
	if err != nil {
		return nil, err
	}
	if id == "" && tn.Status.RootCredentials != nil {
		id, secret = tn.Status.RootCredentials.AccessKeyID,
			tn.Status.RootCredentials.SecretAccessKey
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(tn.Status.CABundle))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool,
		MinVersion: tls.VersionTLS12}}
	return s3.New(s3.Options{
		Region: tn.Spec.Region, BaseEndpoint: aws.String(tn.Status.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient:   &http.Client{Transport: tr, Timeout: time.Minute},
		Retryer:      aws.NopRetryer{},
	}), nil
}

// s3Code returns the S3 error code of err, "" for none, or err's text when
// it is no S3 error.
func s3Code(err error) string {
	var ae smithy.APIError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return ae.ErrorCode()
	}
	return err.Error()
}

// readAs reads logs/a.txt with c until the answer's error code is want
// ("" for success), for up to ten seconds: a node reloads its keys shortly
// after the signal that made the key Ready.
func readAs(ctx context.Context, c *s3.Client, want string) error {
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"),
			Key: aws.String("a.txt")})
		if err == nil {
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(b) != "line" {
				return fmt.Errorf("read logs/a.txt: got %q, want \"line\"", b)
			}
		}
		if got = s3Code(err); got == want {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("reading logs/a.txt: got %q for 10s, want %q", got, want)
}

// readsButCannotWrite checks, with the key pair in addr's state, that the
// key reads an object of bucket logs that the root key stored there, and
// is refused a write.
func readsButCannotWrite(api *client.Client, addr string) acc.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		root, err := s3As(ctx, api, "", "")
		if err != nil {
			return err
		}
		if _, err := root.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"),
			Key: aws.String("a.txt"), Body: strings.NewReader("line")}); err != nil {
			return fmt.Errorf("storing logs/a.txt as root: %w", err)
		}
		key, err := s3As(ctx, api, rs.Primary.Attributes["access_key_id"],
			rs.Primary.Attributes["secret_access_key"])
		if err != nil {
			return err
		}
		if err := readAs(ctx, key, ""); err != nil {
			return err
		}
		_, err = key.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"),
			Key: aws.String("b.txt"), Body: strings.NewReader("no")})
		if got := s3Code(err); got != "AccessDenied" {
			return fmt.Errorf("PutObject with a read-only key: got %q, want AccessDenied", got)
		}
		return nil
	}
}

// oldSecretRefused checks that the secret saved before a rotation no
// longer signs requests.
func oldSecretRefused(api *client.Client, id, secret *string) acc.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		old, err := s3As(ctx, api, *id, *secret)
		if err != nil {
			return err
		}
		return readAs(ctx, old, "SignatureDoesNotMatch")
	}
}
