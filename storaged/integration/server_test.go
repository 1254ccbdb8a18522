package integration

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

const (
	testRegion    = teststoraged.Region
	testAccessKey = teststoraged.AccessKey
	testSecret    = teststoraged.SecretKey
)

// server is one running storaged process, with the helpers these tests
// add to it.
type server struct {
	*teststoraged.Server
}

// startServer starts storaged with 4 drives, parity 2 and real TLS on a
// free loopback port, and stops it (gracefully, checking its exit) when
// the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	return &server{teststoraged.Start(t, storagedBin)}
}

// httpClient trusts only the test CA.
func (s *server) httpClient() *http.Client {
	return s.HTTPClient()
}

// waitForLog waits a few seconds for a log line that contains want.
func (s *server) waitForLog(t *testing.T, want string) {
	t.Helper()
	s.WaitForLog(t, want)
}

// client is an aws-sdk-go-v2 S3 client with the SDK's default checksum
// settings, path-style addressing and the test CA. The CA goes in as the
// SDK's custom CA bundle, which also overrides an AWS_CA_BUNDLE in the
// environment; the SDK builds its own http.Client with that pool.
func (s *server) client(t *testing.T, secret string) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(testRegion),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			testAccessKey, secret, "")),
		config.WithCustomCABundle(bytes.NewReader(s.CAPEM)),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenSupported ||
		cfg.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenSupported {
		t.Fatalf("the SDK's checksum settings are not its defaults (%v, %v); unset "+
			"AWS_REQUEST_CHECKSUM_CALCULATION and AWS_RESPONSE_CHECKSUM_VALIDATION",
			cfg.RequestChecksumCalculation, cfg.ResponseChecksumValidation)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.BaseEndpoint = aws.String(s.Endpoint)
	})
}
