package integration

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// emptySHA256 is the hex SHA-256 of an empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// rawResponse is an answer read off a raw connection, body included.
type rawResponse struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// rawSignedRequest sends a bodiless request signed by aws-sdk-go-v2's
// signer over a hand-written HTTP/1.1 exchange, so that no Content-Length
// header is sent at all (Go's client always sends one for PUT).
func rawSignedRequest(t *testing.T, srv *server, method, path string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := signer.SignHTTP(context.Background(), creds, req, emptySHA256, "s3", testRegion,
		time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", srv.Addr, &tls.Config{RootCAs: srv.Roots})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, req.URL.Host)
	for name, values := range req.Header {
		for _, v := range values {
			fmt.Fprintf(&b, "%s: %s\r\n", name, v)
		}
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(body)}
}
