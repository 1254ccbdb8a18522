package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// newerChecksums are the algorithms S3 added in 2026.
func newerChecksums() []string {
	return []string{"SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"}
}

// digestOf returns the base64 checksum alg of b.
func digestOf(t *testing.T, alg string, b []byte) string {
	t.Helper()
	a, ok := checksumByName(alg)
	if !ok {
		t.Fatalf("no checksum %s", alg)
	}
	h := a.newHash()
	h.Write(b)
	return a.encode(h)
}

// elementOf renders the XML element S3 names a checksum of alg by.
func elementOf(alg, value string) string {
	return "<Checksum" + alg + ">" + value + "</Checksum" + alg + ">"
}

func TestNewerChecksumsOnPutGetAndAttributes(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("newer checksums "), 5000)
	for _, alg := range newerChecksums() {
		t.Run(alg+" is verified, stored and returned", func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "newer")
			hdrName := http.CanonicalHeaderKey(checksumHeaderPrefix + strings.ToLower(alg))
			want := digestOf(t, alg, payload)

			w := do(h, signedRequest(t, http.MethodPut, "/newer/wrong", payload, signOptions{
				header: http.Header{hdrName: {digestOf(t, alg, []byte("other"))}}}))
			mustStatus(t, w, http.StatusBadRequest, "BadDigest")

			w = do(h, signedRequest(t, http.MethodPut, "/newer/k", payload, signOptions{
				header: http.Header{hdrName: {want}, "X-Amz-Sdk-Checksum-Algorithm": {alg}}}))
			mustStatus(t, w, http.StatusOK, "")
			if got := w.Header().Get(hdrName); got != want {
				t.Errorf("PUT answered %s %q, want %q", hdrName, got, want)
			}

			w = do(h, signedRequest(t, http.MethodGet, "/newer/k", nil, signOptions{
				header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
			if got := w.Header().Get(hdrName); got != want ||
				w.Header().Get("X-Amz-Checksum-Type") != object.ChecksumFullObject {
				t.Errorf("GET: got %q of type %q, want %q FULL_OBJECT", got,
					w.Header().Get("X-Amz-Checksum-Type"), want)
			}

			w = do(h, signedRequest(t, http.MethodGet, "/newer/k?attributes", nil, signOptions{
				header: http.Header{"X-Amz-Object-Attributes": {"Checksum"}}}))
			mustStatus(t, w, http.StatusOK, "")
			if !strings.Contains(w.Body.String(), elementOf(alg, want)) {
				t.Errorf("GetObjectAttributes: got %s, want %s", w.Body.String(),
					elementOf(alg, want))
			}
		})
	}
}

func TestNewerChecksumsInTrailers(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("trailing "), 12000)
	for _, alg := range newerChecksums() {
		for _, mode := range []string{streamingUnsignedTrailer, streamingSignedTrailer} {
			t.Run(alg+" in a "+mode+" trailer", func(t *testing.T) {
				t.Parallel()
				h, _ := withBucket(t, "trailers")
				name := checksumHeaderPrefix + strings.ToLower(alg)
				good := name + ":" + digestOf(t, alg, payload)
				bad := name + ":" + digestOf(t, alg, payload[1:])
				encode := func(line string) func(string, time.Time) []byte {
					return func(seed string, at time.Time) []byte {
						if mode == streamingUnsignedTrailer {
							return unsignedChunks(payload, 65536, line)
						}
						return signedChunks(t, newStreamSigning(seed, at), payload, 65536, line)
					}
				}

				w := do(h, streamingPut(t, "/trailers/bad", mode, payload, name, encode(bad)))
				mustStatus(t, w, http.StatusBadRequest, "BadDigest")
				w = do(h, streamingPut(t, "/trailers/k", mode, payload, name, encode(good)))
				mustStatus(t, w, http.StatusOK, "")

				w = do(h, signedRequest(t, http.MethodHead, "/trailers/k", nil, signOptions{
					header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
				if got := name + ":" + w.Header().Get(name); got != good {
					t.Errorf("HEAD: got %q, want %q", got, good)
				}
			})
		}
	}
}

func TestNewerChecksumsInMultipartUploads(t *testing.T) {
	t.Parallel()
	one := bytes.Repeat([]byte{'a'}, object.MinPartSize)
	two := []byte("the last part")
	for _, alg := range newerChecksums() {
		t.Run(alg+" makes a composite checksum of its parts", func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "multi")
			w := do(h, signedRequest(t, http.MethodPost, "/multi/k?uploads", nil, signOptions{
				header: http.Header{"X-Amz-Checksum-Algorithm": {alg},
					"X-Amz-Checksum-Type": {"FULL_OBJECT"}}}))
			mustStatus(t, w, http.StatusBadRequest, "InvalidRequest")
			id := createUpload(t, h, "/multi/k", http.Header{"X-Amz-Checksum-Algorithm": {alg}})

			hdrName := http.CanonicalHeaderKey(checksumHeaderPrefix + strings.ToLower(alg))
			s1, s2 := digestOf(t, alg, one), digestOf(t, alg, two)
			e1 := uploadPartTo(t, h, "/multi/k", id, 1, one, http.Header{hdrName: {s1}})
			e2 := uploadPartTo(t, h, "/multi/k", id, 2, two, nil) // computed by the server

			w = do(h, signedRequest(t, http.MethodGet, "/multi/k?uploadId="+id, nil, signOptions{}))
			mustStatus(t, w, http.StatusOK, "")
			for _, el := range []string{elementOf(alg, s1), elementOf(alg, s2),
				"<ChecksumAlgorithm>" + alg + "</ChecksumAlgorithm>",
				"<ChecksumType>COMPOSITE</ChecksumType>"} {
				if !strings.Contains(w.Body.String(), el) {
					t.Errorf("ListParts: got %s, want %s", w.Body.String(), el)
				}
			}

			want := compositeOf(t, alg, s1, s2) + "-2"
			p1 := completedPart{PartNumber: 1, ETag: e1}
			p2 := completedPart{PartNumber: 2, ETag: e2}
			*p1.field(alg), *p2.field(alg) = s1, s2
			w = do(h, signedRequest(t, http.MethodPost, "/multi/k?uploadId="+id,
				completeBody(p1, p2), signOptions{}))
			mustStatus(t, w, http.StatusOK, "")
			var out completeMultipartUploadResult
			if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if got := *out.field(alg); got != want || out.ChecksumType != "COMPOSITE" {
				t.Errorf("got %q of type %q, want %q COMPOSITE", got, out.ChecksumType, want)
			}

			// A copy is computed over all the bytes: a full-object checksum of
			// the same algorithm.
			w = do(h, signedRequest(t, http.MethodPut, "/multi/copy", nil, signOptions{
				header: http.Header{"X-Amz-Copy-Source": {"/multi/k"}}}))
			mustStatus(t, w, http.StatusOK, "")
			whole := digestOf(t, alg, append(append([]byte{}, one...), two...))
			if body := w.Body.String(); !strings.Contains(body, elementOf(alg, whole)) ||
				!strings.Contains(body, "<ChecksumType>FULL_OBJECT</ChecksumType>") {
				t.Errorf("CopyObject: got %s, want a FULL_OBJECT %s", body, elementOf(alg, whole))
			}
		})
	}
}

// compositeOf is the checksum alg of the parts' binary checksums.
func compositeOf(t *testing.T, alg string, parts ...string) string {
	t.Helper()
	var raw []byte
	for _, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	return digestOf(t, alg, raw)
}

func TestCopyObjectComputesANewerChecksum(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "copies")
	data := []byte("copied with a newer checksum")
	w := do(h, signedRequest(t, http.MethodPut, "/copies/src", data, signOptions{
		header: http.Header{"X-Amz-Checksum-Xxhash64": {digestOf(t, "XXHASH64", data)}}}))
	mustStatus(t, w, http.StatusOK, "")
	tests := []struct {
		name, asked, want string
	}{
		{"a copy keeps the source's algorithm", "", "XXHASH64"},
		{"a copy computes the algorithm it asks for", "XXHASH128", "XXHASH128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{"X-Amz-Copy-Source": {"/copies/src"}}
			if tt.asked != "" {
				hdr.Set("X-Amz-Checksum-Algorithm", tt.asked)
			}
			w := do(h, signedRequest(t, http.MethodPut, "/copies/dst", nil, signOptions{header: hdr}))
			mustStatus(t, w, http.StatusOK, "")
			if el := elementOf(tt.want, digestOf(t, tt.want, data)); !strings.Contains(
				w.Body.String(), el) {
				t.Errorf("got %s, want %s", w.Body.String(), el)
			}
		})
	}
}
