package s3api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzParseAuthorization feeds arbitrary Authorization headers to the
// parser: it must never panic, must refuse with an S3 error, and what it
// accepts must be well-formed and parse the same way when rebuilt.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/s3/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("ab", 32))
	f.Fuzz(func(t *testing.T, header string) {
		a, err := parseAuthorization(header)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				t.Fatalf("got a non-S3 error %v", err)
			}
			return
		}
		if a.accessKeyID == "" || !isDigits(a.date, 8) || len(a.signature) != 64 ||
			len(a.signedHeaders) == 0 {
			t.Fatalf("accepted a malformed header %q as %+v", header, a)
		}
		rebuilt := signV4Algorithm + " Credential=" + a.accessKeyID + "/" + a.scope() +
			", SignedHeaders=" + strings.Join(a.signedHeaders, ";") + ", Signature=" + a.signature
		b, err := parseAuthorization(rebuilt)
		if err != nil || b.scope() != a.scope() || b.signature != a.signature {
			t.Fatalf("rebuilt header %q parsed as %+v, %v; want %+v", rebuilt, b, err, a)
		}
	})
}

// FuzzChunkedReader feeds arbitrary bodies to the aws-chunked decoder: it
// must never panic, never return more bytes than declared, and return
// exactly the declared bytes when it reports success.
func FuzzChunkedReader(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), int64(5), true)
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\n"), int64(3), false)
	f.Fuzz(func(t *testing.T, body []byte, size int64, trailer bool) {
		if size < 0 || size > 1<<20 {
			return
		}
		names := []string{"x-amz-checksum-crc32"}
		if !trailer {
			names = nil
		}
		c := newChunkedReader(bytes.NewReader(body), size, nil, trailer, names)
		got, err := io.ReadAll(c)
		if int64(len(got)) > size {
			t.Fatalf("got %d bytes, more than the %d declared", len(got), size)
		}
		if err == nil && int64(len(got)) != size {
			t.Fatalf("succeeded with %d bytes, want the %d declared", len(got), size)
		}
		var ae *apiError
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("got a non-S3 error %v", err)
		}
	})
}

// FuzzChunkedRoundTrip checks that any payload, cut into any chunk size,
// decodes to itself.
func FuzzChunkedRoundTrip(f *testing.F) {
	f.Add([]byte("hello, strata"), 4)
	f.Fuzz(func(t *testing.T, payload []byte, n int) {
		if n < 1 || n > 1<<16 {
			return
		}
		body := unsignedChunks(payload, n)
		got, err := io.ReadAll(newChunkedReader(bytes.NewReader(body), int64(len(payload)),
			nil, false, nil))
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("got %q, %v; want %q", got, err, payload)
		}
	})
}
