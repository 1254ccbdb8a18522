package s3api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStandardHeadersAreStoredAndReturned(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "hdr")
	stored := http.Header{
		"Content-Type":        {"text/csv"},
		"Content-Encoding":    {"gzip"},
		"Content-Disposition": {`attachment; filename="report.csv"`},
		"Content-Language":    {"de-CH"},
		"Cache-Control":       {"max-age=3600, public"},
		"Expires":             {"Wed, 21 Oct 2037 07:28:00 GMT"},
		"X-Amz-Meta-Owner":    {"ops"},
	}
	w := do(h, signedRequest(t, http.MethodPut, "/hdr/report.csv", []byte("a,b\n"),
		signOptions{header: stored}))
	mustStatus(t, w, http.StatusOK, "")
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		t.Run(method+" returns every stored header", func(t *testing.T) {
			w := do(h, signedRequest(t, method, "/hdr/report.csv", nil, signOptions{}))
			mustStatus(t, w, http.StatusOK, "")
			for name, want := range stored {
				if got := w.Header().Get(name); got != want[0] {
					t.Errorf("%s: got %q, want %q", name, got, want[0])
				}
			}
		})
	}
}

func TestAWSChunkedIsNotStoredAsAContentEncoding(t *testing.T) {
	t.Parallel()
	payload := []byte("chunked payload")
	tests := []struct {
		name, encoding, want string
	}{
		{"aws-chunked alone leaves no encoding", "aws-chunked", ""},
		{"aws-chunked before gzip keeps gzip", "aws-chunked,gzip", "gzip"},
		{"gzip before aws-chunked keeps gzip", "gzip, aws-chunked", "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _ := withBucket(t, "enc")
			r := streamingPutWith(t, "/enc/obj", streamingUnsignedTrailer, payload,
				"x-amz-checksum-crc32", http.Header{"Content-Encoding": {tt.encoding}},
				func(string, time.Time) []byte {
					return unsignedChunks(payload, 8, "x-amz-checksum-crc32:"+crc32Value(payload))
				})
			mustStatus(t, do(h, r), http.StatusOK, "")
			w := do(h, signedRequest(t, http.MethodGet, "/enc/obj", nil, signOptions{}))
			if got := w.Header().Get("Content-Encoding"); got != tt.want || w.Body.String() !=
				string(payload) {
				t.Errorf("got Content-Encoding %q and body %q, want %q and the payload", got,
					w.Body.String(), tt.want)
			}
		})
	}
}

func TestUserMetadataIsLimitedTo2KiB(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		size   int
		status int
		code   string
	}{
		{"exactly 2 KiB of metadata is stored", 2048, http.StatusOK, ""},
		{"one byte more is too large", 2049, http.StatusBadRequest, "MetadataTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "meta")
			value := strings.Repeat("v", tt.size-len("big"))
			w := do(h, signedRequest(t, http.MethodPut, "/meta/k", []byte("x"), signOptions{
				header: http.Header{"X-Amz-Meta-Big": {value}}}))
			mustStatus(t, w, tt.status, tt.code)
			info, err := layer.HeadObject(t.Context(), "meta", "k")
			if stored := err == nil; stored != (tt.status == http.StatusOK) ||
				stored && info.UserMetadata["big"] != value {
				t.Errorf("got stored %v with %d bytes of metadata, want stored %v", stored,
					len(info.UserMetadata["big"]), tt.status == http.StatusOK)
			}
		})
	}
}
