package s3api

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// withBucket returns a handler whose fake layer holds an empty bucket.
func withBucket(t *testing.T, bucket string) (*Handler, *fakeLayer) {
	t.Helper()
	h, layer := newTestHandler(t)
	if err := layer.MakeBucket(t.Context(), bucket); err != nil {
		t.Fatal(err)
	}
	return h, layer
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func crc32Value(b []byte) string {
	h := crc32.NewIEEE()
	h.Write(b)
	return b64(h.Sum(nil))
}

func crc64NVMEValue(b []byte) string {
	h := newCRC64NVME()
	h.Write(b)
	return b64(h.Sum(nil))
}

func TestPutAndGetObject(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "docs")
	body := bytes.Repeat([]byte("0123456789"), 1000)
	w := do(h, signedRequest(t, http.MethodPut, "/docs/a/b.txt", body, signOptions{
		header: http.Header{"Content-Type": {"text/plain"}, "X-Amz-Meta-Owner": {"ops"}}}))
	mustStatus(t, w, http.StatusOK, "")
	sum := md5.Sum(body)
	wantETag := `"` + hex.EncodeToString(sum[:]) + `"`
	if got := w.Header().Get("ETag"); got != wantETag {
		t.Errorf("PUT ETag: got %s, want %s", got, wantETag)
	}

	w = do(h, signedRequest(t, http.MethodGet, "/docs/a/b.txt", nil, signOptions{
		header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
	mustStatus(t, w, http.StatusOK, "")
	checks := map[string]string{
		"ETag":                     wantETag,
		"Content-Type":             "text/plain",
		"Content-Length":           strconv.Itoa(len(body)),
		"X-Amz-Meta-Owner":         "ops",
		"X-Amz-Checksum-Crc64nvme": crc64NVMEValue(body),
		"Accept-Ranges":            "bytes",
	}
	for name, want := range checks {
		if got := w.Header().Get(name); got != want {
			t.Errorf("GET %s: got %q, want %q", name, got, want)
		}
	}
	if w.Header().Get("X-Amz-Request-Id") == "" {
		t.Error("GET has no x-amz-request-id")
	}
	if !bytes.Equal(w.Body.Bytes(), body) {
		t.Errorf("GET body: got %d bytes, want the %d stored", w.Body.Len(), len(body))
	}
}

func TestGetObjectRanges(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "rng")
	if _, err := layer.PutObject(t.Context(), "rng", "ten", strings.NewReader("0123456789"), 10,
		object.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, rng    string
		status       int
		body, cRange string
	}{
		{"a closed range returns those bytes", "bytes=2-5", 206, "2345", "bytes 2-5/10"},
		{"an open range runs to the end", "bytes=7-", 206, "789", "bytes 7-9/10"},
		{"a suffix range returns the last bytes", "bytes=-3", 206, "789", "bytes 7-9/10"},
		{"a range past the end is clipped", "bytes=8-100", 206, "89", "bytes 8-9/10"},
		{"a range starting at the size is unsatisfiable", "bytes=10-", 416, "", "bytes */10"},
		{"an empty suffix is unsatisfiable", "bytes=-0", 416, "", "bytes */10"},
		{"a malformed range is ignored", "bytes=abc", 200, "0123456789", ""},
		{"several ranges are ignored", "bytes=0-1,3-4", 200, "0123456789", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, signedRequest(t, http.MethodGet, "/rng/ten", nil, signOptions{
				header: http.Header{"Range": {tt.rng}}}))
			if w.Code != tt.status {
				t.Fatalf("got status %d, want %d; body %s", w.Code, tt.status, w.Body.String())
			}
			if got := w.Header().Get("Content-Range"); got != tt.cRange {
				t.Errorf("got Content-Range %q, want %q", got, tt.cRange)
			}
			if tt.status == 416 {
				mustStatus(t, w, 416, "InvalidRange")
			} else if got := w.Body.String(); got != tt.body {
				t.Errorf("got body %q, want %q", got, tt.body)
			}
		})
	}
}

func TestPutObjectVerifiesTheBody(t *testing.T) {
	t.Parallel()
	body := []byte("the quick brown fox")
	md5sum := md5.Sum(body)
	wrongMD5 := md5.Sum([]byte("other"))
	tests := []struct {
		name   string
		opts   signOptions
		status int
		code   string
	}{
		{"a matching Content-MD5 is accepted",
			signOptions{header: http.Header{"Content-Md5": {b64(md5sum[:])}}}, 200, ""},
		{"a wrong Content-MD5 is a bad digest",
			signOptions{header: http.Header{"Content-Md5": {b64(wrongMD5[:])}}}, 400, "BadDigest"},
		{"a malformed Content-MD5 is an invalid digest",
			signOptions{header: http.Header{"Content-Md5": {"not-base64!"}}}, 400, "InvalidDigest"},
		{"a payload hash that does not match is refused",
			signOptions{payload: hexSHA("something else")}, 400, "XAmzContentSHA256Mismatch"},
		{"a matching whole CRC32 header is accepted",
			signOptions{header: http.Header{"X-Amz-Checksum-Crc32": {crc32Value(body)}}}, 200, ""},
		{"a wrong whole CRC32 header is a bad digest",
			signOptions{header: http.Header{"X-Amz-Checksum-Crc32": {crc32Value([]byte("x"))}}},
			400, "BadDigest"},
		{"a malformed checksum header is invalid",
			signOptions{header: http.Header{"X-Amz-Checksum-Crc32": {"AAAA"}}}, 400, "InvalidRequest"},
		{"two checksum headers are refused",
			signOptions{header: http.Header{"X-Amz-Checksum-Crc32": {crc32Value(body)},
				"X-Amz-Checksum-Crc64nvme": {crc64NVMEValue(body)}}}, 400, "InvalidRequest"},
		{"an unknown checksum algorithm is not implemented",
			signOptions{header: http.Header{"X-Amz-Checksum-Sha384": {"AAAA"}}}, 501, "NotImplemented"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "ver")
			w := do(h, signedRequest(t, http.MethodPut, "/ver/fox", body, tt.opts))
			mustStatus(t, w, tt.status, tt.code)
			_, err := layer.HeadObject(t.Context(), "ver", "fox")
			if stored := err == nil; stored != (tt.status == 200) {
				t.Errorf("got stored=%v, want stored=%v", stored, tt.status == 200)
			}
		})
	}
}

func hexSHA(s string) string {
	sum := sha256Sum([]byte(s))
	return hex.EncodeToString(sum)
}

// streamingPut builds a PUT whose body is aws-chunked in the given mode.
func streamingPut(t *testing.T, path, mode string, payload []byte, trailer string,
	encode func(seed string, at time.Time) []byte) *http.Request {
	t.Helper()
	return streamingPutWith(t, path, mode, payload, trailer, nil, encode)
}

// streamingPutWith is streamingPut with extra headers, signed with the
// rest; extra may replace Content-Encoding.
func streamingPutWith(t *testing.T, path, mode string, payload []byte, trailer string,
	extra http.Header, encode func(seed string, at time.Time) []byte) *http.Request {
	t.Helper()
	hdr := http.Header{
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(payload))},
	}
	for k, v := range extra {
		hdr[k] = v
	}
	if trailer != "" {
		hdr.Set("X-Amz-Trailer", trailer)
	}
	at := time.Now()
	r := signedRequest(t, http.MethodPut, path, nil, signOptions{payload: mode, header: hdr, at: at})
	auth := r.Header.Get("Authorization")
	seed := auth[strings.LastIndex(auth, "=")+1:]
	body := encode(seed, at)
	r.Body = nopCloser{bytes.NewReader(body)}
	r.ContentLength = int64(len(body))
	return r
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestStreamingUploads(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("aws-chunked "), 10000)
	crcLine := "x-amz-checksum-crc32:" + crc32Value(payload)
	nvmeLine := "x-amz-checksum-crc64nvme:" + crc64NVMEValue(payload)
	badLine := "x-amz-checksum-crc32:" + crc32Value([]byte("not it"))
	unsigned := func(lines ...string) func(string, time.Time) []byte {
		return func(string, time.Time) []byte { return unsignedChunks(payload, 65536, lines...) }
	}
	signed := func(lines ...string) func(string, time.Time) []byte {
		return func(seed string, at time.Time) []byte {
			return signedChunks(t, newStreamSigning(seed, at), payload, 65536, lines...)
		}
	}
	tests := []struct {
		name, mode, trailer string
		encode              func(string, time.Time) []byte
		status              int
		code, checksumHdr   string
	}{
		{"an unsigned stream with a CRC32 trailer is stored", streamingUnsignedTrailer,
			"x-amz-checksum-crc32", unsigned(crcLine), 200, "", "X-Amz-Checksum-Crc32"},
		{"an unsigned stream with a CRC64NVME trailer is stored", streamingUnsignedTrailer,
			"x-amz-checksum-crc64nvme", unsigned(nvmeLine), 200, "", "X-Amz-Checksum-Crc64nvme"},
		{"an unsigned stream with a wrong CRC32 is a bad digest", streamingUnsignedTrailer,
			"x-amz-checksum-crc32", unsigned(badLine), 400, "BadDigest", ""},
		{"a signed stream is stored", streamingSigned, "", signed(), 200, "",
			"X-Amz-Checksum-Crc64nvme"},
		{"a signed stream with a signed trailer is stored", streamingSignedTrailer,
			"x-amz-checksum-crc32", signed(crcLine), 200, "", "X-Amz-Checksum-Crc32"},
		{"a signed stream with a wrong CRC32 is a bad digest", streamingSignedTrailer,
			"x-amz-checksum-crc32", signed(badLine), 400, "BadDigest", ""},
		{"a signed stream with unsigned chunks is refused", streamingSigned, "",
			unsigned(), 400, "InvalidRequest", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "str")
			w := do(h, streamingPut(t, "/str/obj", tt.mode, payload, tt.trailer, tt.encode))
			mustStatus(t, w, tt.status, tt.code)
			if tt.status != 200 {
				if _, err := layer.HeadObject(t.Context(), "str", "obj"); err == nil {
					t.Fatal("a refused upload was stored")
				}
				return
			}
			w = do(h, signedRequest(t, http.MethodGet, "/str/obj", nil, signOptions{
				header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
			if !bytes.Equal(w.Body.Bytes(), payload) {
				t.Fatalf("got %d bytes back, want the %d payload bytes", w.Body.Len(), len(payload))
			}
			if w.Header().Get(tt.checksumHdr) == "" {
				t.Errorf("GET with checksum mode has no %s", tt.checksumHdr)
			}
		})
	}
}

func TestPutObjectEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		header http.Header
		status int
		code   string
	}{
		{"a zero-byte PUT without Content-Length is stored", "/edge/empty", nil, 200, ""},
		{"a key of 1024 bytes is stored", "/edge/" + strings.Repeat("k", 1024), nil, 200, ""},
		{"a key of 1025 bytes is too long", "/edge/" + strings.Repeat("k", 1025), nil,
			400, "KeyTooLongError"},
		{"a leading-slash key is stored", "/edge//notes.txt", nil, 200, ""},
		{"a copy of a missing source is NoSuchKey", "/edge/copy",
			http.Header{"X-Amz-Copy-Source": {"/edge/x"}}, 404, "NoSuchKey"},
		{"a create-only write of a new key is stored", "/edge/cond",
			http.Header{"If-None-Match": {"*"}}, 200, ""},
		{"If-None-Match with an ETag on a write is not implemented", "/edge/cond",
			http.Header{"If-None-Match": {`"abc"`}}, 501, "NotImplemented"},
		{"If-Match on a missing key is NoSuchKey", "/edge/cond",
			http.Header{"If-Match": {`"abc"`}}, 404, "NoSuchKey"},
		{"server-side encryption is not implemented", "/edge/sse",
			http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}}, 501, "NotImplemented"},
		{"an unknown storage class is invalid", "/edge/sc",
			http.Header{"X-Amz-Storage-Class": {"PLATINUM"}}, 400, "InvalidStorageClass"},
		{"aws-chunked without a streaming payload hash is refused", "/edge/chunked",
			http.Header{"Content-Encoding": {"aws-chunked"}}, 400, "InvalidRequest"},
		{"a public ACL is refused as in buckets that enforce ownership", "/edge/acl",
			http.Header{"X-Amz-Acl": {"public-read"}}, 400, "AccessControlListNotSupported"},
		{"a missing bucket is reported", "/nobucket/x", nil, 404, "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "edge")
			r := signedRequest(t, http.MethodPut, tt.path, nil, signOptions{header: tt.header})
			if r.ContentLength != 0 || r.Header.Get("Content-Length") != "" {
				t.Fatalf("the request has a length; the test needs none")
			}
			mustStatus(t, do(h, r), tt.status, tt.code)
		})
	}
}

func TestHeadAndDeleteObject(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "head")
	info, err := layer.PutObject(t.Context(), "head", "k", strings.NewReader("abc"), 3,
		object.PutOptions{Metadata: object.Metadata{ContentType: "text/plain"}})
	if err != nil {
		t.Fatal(err)
	}
	w := do(h, signedRequest(t, http.MethodHead, "/head/k", nil, signOptions{}))
	if w.Code != 200 || w.Header().Get("Content-Length") != "3" || w.Body.Len() != 0 {
		t.Fatalf("HEAD: got %d, length %q, body %d bytes; want 200, 3, none", w.Code,
			w.Header().Get("Content-Length"), w.Body.Len())
	}
	etag := `"` + info.ETag + `"`
	w = do(h, signedRequest(t, http.MethodGet, "/head/k", nil, signOptions{
		header: http.Header{"If-None-Match": {etag}}}))
	if w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: got %d, want 304", w.Code)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/head/k", nil, signOptions{
		header: http.Header{"If-Match": {`"0000"`}}}))
	mustStatus(t, w, http.StatusPreconditionFailed, "PreconditionFailed")

	w = do(h, signedRequest(t, http.MethodDelete, "/head/k", nil, signOptions{}))
	mustStatus(t, w, http.StatusNoContent, "")
	w = do(h, signedRequest(t, http.MethodHead, "/head/k", nil, signOptions{}))
	if w.Code != 404 || w.Body.Len() != 0 || w.Header().Get("X-Amz-Request-Id") == "" {
		t.Errorf("HEAD of a deleted key: got %d with %d body bytes; want 404, no body, "+
			"a request ID", w.Code, w.Body.Len())
	}
	w = do(h, signedRequest(t, http.MethodGet, "/head/k", nil, signOptions{}))
	mustStatus(t, w, 404, "NoSuchKey")
	if !strings.Contains(w.Body.String(), "<RequestId>"+w.Header().Get("X-Amz-Request-Id")) {
		t.Errorf("the error body does not carry the request ID: %s", w.Body.String())
	}
}

func TestUnsupportedSubresourcesAreNotImplemented(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "sub")
	for _, target := range []string{"/sub?versioning", "/sub/k?uploads", "/sub/k?acl",
		"/sub?policy", "/sub/k?versionId=3", "/sub?cors", "/sub/k?retention"} {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			t.Run(fmt.Sprintf("%s %s is not implemented", method, target), func(t *testing.T) {
				t.Parallel()
				w := do(h, signedRequest(t, method, target, nil, signOptions{}))
				mustStatus(t, w, http.StatusNotImplemented, "NotImplemented")
			})
		}
	}
}

func TestAPutThatNamesAnAlgorithmWithoutAValueGetsThatChecksum(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "docs")
	body := []byte("checksum me")
	w := do(h, signedRequest(t, http.MethodPut, "/docs/named", body, signOptions{
		header: http.Header{"X-Amz-Checksum-Algorithm": {"CRC32C"}}}))
	mustStatus(t, w, http.StatusOK, "")
	w = do(h, signedRequest(t, http.MethodHead, "/docs/named", nil, signOptions{
		header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
	mustStatus(t, w, http.StatusOK, "")
	sum := crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))
	want := b64(binary.BigEndian.AppendUint32(nil, sum))
	if got := w.Header().Get("X-Amz-Checksum-Crc32c"); got != want {
		t.Errorf("HEAD x-amz-checksum-crc32c: got %q, want %q", got, want)
	}
	if got := w.Header().Get("X-Amz-Checksum-Crc64nvme"); got != "" {
		t.Errorf("HEAD x-amz-checksum-crc64nvme: got %q, want none", got)
	}
}
