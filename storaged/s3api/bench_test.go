package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// BenchmarkChunkedReader measures decoding an unsigned aws-chunked body in
// 64 KiB chunks, the SDK's shape.
func BenchmarkChunkedReader(b *testing.B) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	body := unsignedChunks(payload, 64<<10, "x-amz-checksum-crc32:AAAAAA==")
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		c := newChunkedReader(bytes.NewReader(body), int64(len(payload)), nil, true,
			[]string{"x-amz-checksum-crc32"})
		if _, err := io.Copy(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifiedPut measures the whole S3 PUT path (signature, aws-chunked
// decoding, CRC32 trailer check) over a layer that discards the bytes.
func BenchmarkVerifiedPut(b *testing.B) {
	h, err := New(Config{Region: testRegion, Layer: discardLayer{newFakeLayer()},
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		b.Fatal(err)
	}
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	body := unsignedChunks(payload, 64<<10, "x-amz-checksum-crc32:"+crc32Value(payload))
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		r := signedRequest(b, http.MethodPut, "/bench/obj", nil, signOptions{
			payload: streamingUnsignedTrailer, at: time.Now(), header: http.Header{
				"X-Amz-Decoded-Content-Length": {strconv.Itoa(len(payload))},
				"X-Amz-Trailer":                {"x-amz-checksum-crc32"},
			}})
		r.Body, r.ContentLength = nopCloser{bytes.NewReader(body)}, int64(len(body))
		if w := do(h, r); w.Code != http.StatusOK {
			b.Fatalf("got %d: %s", w.Code, w.Body.String())
		}
	}
}

// discardLayer reads and drops PUT bodies.
type discardLayer struct{ *fakeLayer }

func (discardLayer) PutObject(_ context.Context, bucket, key string, r io.Reader, _ int64,
	opts object.PutOptions) (object.ObjectInfo, error) {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return object.ObjectInfo{}, err
	}
	opts.Checksums()
	return object.ObjectInfo{Bucket: bucket, Key: key, ETag: "0"}, nil
}
