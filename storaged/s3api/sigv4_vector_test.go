package s3api

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAWSDocumentedChunkedUploadExample checks the seed and chunk
// signatures of the chunked-upload example in AWS's SigV4 documentation
// (64 KiB + 1 KiB of 'a', signed on 2013-05-24).
func TestAWSDocumentedChunkedUploadExample(t *testing.T) {
	t.Parallel()
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	r := httptest.NewRequest(http.MethodPut,
		"http://s3.amazonaws.com/examplebucket/chunkObject.txt", nil)
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", streamingSigned)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", "66824")
	signed := strings.Split("content-encoding;content-length;host;x-amz-content-sha256;"+
		"x-amz-date;x-amz-decoded-content-length;x-amz-storage-class", ";")

	key := signingKey(secret, "20130524", "us-east-1", "s3")
	scope := "20130524/us-east-1/s3/aws4_request"
	seed := signHex(key, stringToSign("20130524T000000Z", scope,
		canonicalRequest(r, signed, streamingSigned, false)))
	if want := "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"; seed != want {
		t.Fatalf("got seed signature %s, want %s", seed, want)
	}

	s := &chunkSigner{key: key, amzDate: "20130524T000000Z", scope: scope, prev: seed}
	chunks := []struct {
		data []byte
		sig  string
	}{
		{bytes.Repeat([]byte("a"), 65536),
			"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
		{bytes.Repeat([]byte("a"), 1024),
			"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
		{nil, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"},
	}
	for i, c := range chunks {
		sum := sha256.Sum256(c.data)
		if err := s.verifyChunk(sum[:], c.sig); err != nil {
			t.Fatalf("chunk %d: got %v, want the documented signature to verify", i, err)
		}
	}
}
