package s3api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// unsignedChunks encodes payload as the SDK's unsigned aws-chunked body,
// in chunks of size n, followed by the trailer lines.
func unsignedChunks(payload []byte, n int, trailers ...string) []byte {
	var b bytes.Buffer
	for len(payload) > 0 {
		c := payload[:min(n, len(payload))]
		payload = payload[len(c):]
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(c), c)
	}
	b.WriteString("0\r\n")
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// streamSigning holds what a signed aws-chunked body chains from.
type streamSigning struct {
	seed    string
	at      time.Time
	key     []byte
	amzDate string
	scope   string
}

func newStreamSigning(seed string, at time.Time) streamSigning {
	date := at.UTC().Format(scopeDateFormat)
	return streamSigning{seed: seed, at: at, amzDate: at.UTC().Format(amzDateFormat),
		scope: date + "/" + testRegion + "/s3/aws4_request",
		key:   signingKey(testSecret, date, testRegion, "s3")}
}

// signedChunks encodes payload as a signed aws-chunked body. The chunk
// signatures come from aws-sdk-go-v2's stream signer; the trailer
// signature (which the SDK does not produce) is computed here from the
// documented string to sign.
func signedChunks(t *testing.T, s streamSigning, payload []byte, n int, trailers ...string) []byte {
	t.Helper()
	seed, err := hex.DecodeString(s.seed)
	if err != nil {
		t.Fatal(err)
	}
	signer := v4.NewStreamSigner(testCreds, "s3", testRegion, seed)
	var b bytes.Buffer
	sign := func(c []byte) string {
		sig, err := signer.GetSignature(context.Background(), nil, c, s.at)
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(sig)
	}
	for len(payload) > 0 {
		c := payload[:min(n, len(payload))]
		payload = payload[len(c):]
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n%s\r\n", len(c), sign(c), c)
	}
	last := sign(nil)
	fmt.Fprintf(&b, "0;chunk-signature=%s\r\n", last)
	if len(trailers) == 0 {
		b.WriteString("\r\n")
		return b.Bytes()
	}
	canonical := ""
	for _, tr := range trailers {
		b.WriteString(tr + "\r\n")
		canonical += tr + "\n"
	}
	sum := sha256.Sum256([]byte(canonical))
	sts := strings.Join([]string{"AWS4-HMAC-SHA256-TRAILER", s.amzDate, s.scope, last,
		hex.EncodeToString(sum[:])}, "\n")
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(sts))
	fmt.Fprintf(&b, "x-amz-trailer-signature:%x\r\n\r\n", m.Sum(nil))
	return b.Bytes()
}

func (s streamSigning) signer() *chunkSigner {
	return &chunkSigner{key: s.key, amzDate: s.amzDate, scope: s.scope, prev: s.seed}
}

const testSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

func TestChunkedReaderDecodes(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("strata-"), 3000) // 21000 bytes
	s := newStreamSigning(testSeed, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	crc := "x-amz-checksum-crc32:AAAAAA=="
	tests := []struct {
		name    string
		body    []byte
		signer  *chunkSigner
		trailer bool
		names   []string
	}{
		{"an unsigned body in one chunk decodes", unsignedChunks(payload, len(payload)),
			nil, false, nil},
		{"an unsigned body in many chunks decodes", unsignedChunks(payload, 4096),
			nil, false, nil},
		{"an unsigned body with a trailer decodes", unsignedChunks(payload, 8192, crc),
			nil, true, []string{"x-amz-checksum-crc32"}},
		{"a signed body decodes", signedChunks(t, s, payload, 8192), s.signer(), false, nil},
		{"a signed body with a signed trailer decodes", signedChunks(t, s, payload, 8192, crc),
			s.signer(), true, []string{"x-amz-checksum-crc32"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newChunkedReader(bytes.NewReader(tt.body), int64(len(payload)), tt.signer,
				tt.trailer, tt.names)
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("got %d payload bytes, want the %d sent", len(got), len(payload))
			}
			if tt.trailer && c.trailerValue("x-amz-checksum-crc32") != "AAAAAA==" {
				t.Errorf("got trailer %q, want %q", c.trailerValue("x-amz-checksum-crc32"), "AAAAAA==")
			}
		})
	}
}

func TestChunkedReaderRefuses(t *testing.T) {
	t.Parallel()
	payload := []byte("hello, strata")
	s := newStreamSigning(testSeed, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	good := unsignedChunks(payload, 5, "x-amz-checksum-crc32:AAAAAA==")
	signed := signedChunks(t, s, payload, 5, "x-amz-checksum-crc32:AAAAAA==")
	crc := []string{"x-amz-checksum-crc32"}
	tests := []struct {
		name   string
		body   []byte
		size   int64
		signer *chunkSigner
		names  []string
		code   string
	}{
		{"a body cut inside a chunk is incomplete", good[:12], 13, nil, crc, "IncompleteBody"},
		{"a body cut before the final chunk is incomplete", good[:24], 13, nil, crc,
			"IncompleteBody"},
		{"a body cut inside the trailer is incomplete", good[:len(good)-10], 13, nil, crc,
			"IncompleteBody"},
		{"an empty body is incomplete", nil, 13, nil, crc, "IncompleteBody"},
		{"a chunk size that is not hex is malformed", []byte("zz\r\nhello\r\n0\r\n\r\n"),
			5, nil, nil, "InvalidRequest"},
		{"a negative chunk size is malformed", []byte("-5\r\nhello\r\n0\r\n\r\n"),
			5, nil, nil, "InvalidRequest"},
		{"a chunk size over 64 bits is malformed",
			[]byte("fffffffffffffffff\r\nhello\r\n0\r\n\r\n"), 5, nil, nil, "InvalidRequest"},
		{"a chunk longer than its size is malformed", []byte("3\r\nhello\r\n0\r\n\r\n"),
			5, nil, nil, "InvalidRequest"},
		{"a chunk line without CR is malformed", []byte("5\nhello\r\n0\r\n\r\n"),
			5, nil, nil, "InvalidRequest"},
		{"chunks longer than the declared length are refused", good, 4, nil, crc,
			"InvalidRequest"},
		{"chunks shorter than the declared length are incomplete", good, 20, nil, crc,
			"IncompleteBody"},
		{"a trailer not declared in x-amz-trailer is refused", good, 13, nil,
			[]string{"x-amz-checksum-sha256"}, "MalformedTrailerError"},
		{"a declared trailer that never comes is refused",
			unsignedChunks(payload, 5), 13, nil, crc, "MalformedTrailerError"},
		{"a tampered signed chunk is refused",
			bytes.Replace(signed, []byte("hello"), []byte("jello"), 1), 13, s.signer(), crc,
			"SignatureDoesNotMatch"},
		{"a tampered signed trailer is refused",
			bytes.Replace(signed, []byte("AAAAAA=="), []byte("AAAAAB=="), 1), 13, s.signer(), crc,
			"SignatureDoesNotMatch"},
		{"a signed body without chunk signatures is refused", good, 13, s.signer(), crc,
			"InvalidRequest"},
		{"a signed body from another seed is refused", signed, 13,
			newStreamSigning(strings.Repeat("0", 64), s.at).signer(), crc, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newChunkedReader(bytes.NewReader(tt.body), tt.size, tt.signer, true, tt.names)
			_, err := io.ReadAll(c)
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != tt.code {
				t.Fatalf("got error %v, want S3 code %s", err, tt.code)
			}
		})
	}
}

func TestChunkedReaderAcceptsAMissingFinalCRLF(t *testing.T) {
	t.Parallel()
	body := unsignedChunks([]byte("abc"), 3, "x-amz-checksum-crc32:AAAAAA==")
	body = body[:len(body)-2]
	c := newChunkedReader(bytes.NewReader(body), 3, nil, true, []string{"x-amz-checksum-crc32"})
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "abc" {
		t.Fatalf("got %q, %v; want %q, no error", got, err, "abc")
	}
}

func TestChunkedReaderAcceptsTrailersEndingInLF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"minio-go's trailer with a bare LF and two CRLFs is read",
			"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\n\r\n\r\n", true},
		{"a trailer with a bare LF and one LF is read",
			"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\n\n", true},
		{"a chunk line with a bare LF is still refused",
			"3\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newChunkedReader(strings.NewReader(tt.body), 3, nil, true,
				[]string{"x-amz-checksum-crc32"})
			got, err := io.ReadAll(c)
			if ok := err == nil && string(got) == "abc"; ok != tt.ok {
				t.Fatalf("got %q, %v; want success %v", got, err, tt.ok)
			}
			if tt.ok && c.trailerValue("x-amz-checksum-crc32") != "NSRBwg==" {
				t.Errorf("got trailer %q, want NSRBwg==", c.trailerValue("x-amz-checksum-crc32"))
			}
		})
	}
}
