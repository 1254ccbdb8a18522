package integration

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/strata-storage/strata/storaged/internal/teststoraged"
)

// TestVirtualHostedBucketsWithTheDomainFlag starts storaged with --domain
// s3.localhost and drives it with aws-sdk-go-v2 in virtual-hosted style:
// the SDK sends every request to <bucket>.s3.localhost, which the client's
// dialer sends to the server's loopback address, while TLS checks the name
// against the server's *.s3.localhost certificate.
func TestVirtualHostedBucketsWithTheDomainFlag(t *testing.T) {
	t.Parallel()
	srv := teststoraged.Start(t, storagedBin, "--domain", "s3.localhost")
	_, port, err := net.SplitHostPort(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var hosts []string
	dialer := &net.Dialer{}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: srv.Roots, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			hosts = append(hosts, addr)
			mu.Unlock()
			return dialer.DialContext(ctx, network, srv.Addr)
		},
	}
	client := s3.New(s3.Options{
		Region:       teststoraged.Region,
		BaseEndpoint: aws.String("https://s3.localhost:" + port),
		Credentials: credentials.NewStaticCredentialsProvider(teststoraged.AccessKey,
			teststoraged.SecretKey, ""),
		HTTPClient: &http.Client{Transport: tr},
	})
	ctx := context.Background()
	bucket, key := "vhost-bucket", "a//b c.txt"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, err := io.ReadAll(out.Body)
	_ = out.Body.Close()
	if err != nil || string(body) != "hello" {
		t.Errorf("GetObject: got %q (%v), want %q", body, err, "hello")
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("ListObjectsV2: %v", err)
	}
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != key {
		t.Errorf("ListObjectsV2: got %d keys, want exactly %q", len(list.Contents), key)
	}
	mu.Lock()
	defer mu.Unlock()
	want := bucket + ".s3.localhost:" + port
	for _, h := range hosts {
		if h != want {
			t.Errorf("the SDK dialled %q, want every request on %q", h, want)
		}
	}
	if len(hosts) == 0 {
		t.Errorf("the SDK dialled nothing")
	}
}
