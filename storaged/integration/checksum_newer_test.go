package integration

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// newerDigest returns the base64 checksum alg (one S3 added in 2026) of
// b, computed here independently of storaged, big-endian as S3 sends it.
func newerDigest(t *testing.T, alg types.ChecksumAlgorithm, b []byte) string {
	t.Helper()
	var h hash.Hash
	switch alg {
	case types.ChecksumAlgorithmSha512:
		h = sha512.New()
	case types.ChecksumAlgorithmMd5:
		h = md5.New()
	case types.ChecksumAlgorithmXxhash64:
		h = xxhash.New()
	case types.ChecksumAlgorithmXxhash3:
		h = xxh3.New()
	case types.ChecksumAlgorithmXxhash128:
		h = xxh3.New128()
	default:
		t.Fatalf("no digest for %s", alg)
	}
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// sdkChecksum is the Checksum<alg> field of an SDK input or output
// (a pointer to a struct), which every one of them names the same way.
func sdkChecksum(v any, alg types.ChecksumAlgorithm) string {
	f := reflect.ValueOf(v).Elem().FieldByName("Checksum" + string(alg))
	return aws.ToString(f.Interface().(*string))
}

// setSDKChecksum sets the Checksum<alg> field of an SDK input.
func setSDKChecksum(v any, alg types.ChecksumAlgorithm, value string) {
	reflect.ValueOf(v).Elem().FieldByName("Checksum" + string(alg)).Set(
		reflect.ValueOf(aws.String(value)))
}

// sdkComputes reports whether aws-sdk-go-v2 (as pinned in go.mod) can
// compute alg itself: its checksum middleware knows SHA512 of the newer
// algorithms, and fails a request that names MD5 or an xxHash.
func sdkComputes(alg types.ChecksumAlgorithm) bool {
	return alg == types.ChecksumAlgorithmSha512
}

func newerAlgorithms() []types.ChecksumAlgorithm {
	return []types.ChecksumAlgorithm{types.ChecksumAlgorithmSha512, types.ChecksumAlgorithmMd5,
		types.ChecksumAlgorithmXxhash64, types.ChecksumAlgorithmXxhash3,
		types.ChecksumAlgorithmXxhash128}
}

func TestNewerChecksumsWithTheSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	const bucket = "newer-checksums"
	mustCreateBucket(t, c, bucket)
	for _, alg := range newerAlgorithms() {
		t.Run(string(alg)+" on PutObject and GetObject", func(t *testing.T) {
			putAndGetNewer(t, c, bucket, alg)
		})
		t.Run(string(alg)+" in an aws-chunked trailer", func(t *testing.T) {
			trailerNewer(t, srv, c, bucket, alg)
		})
		t.Run(string(alg)+" in a composite multipart upload", func(t *testing.T) {
			multipartNewer(t, c, bucket, alg)
		})
	}
}

// putAndGetNewer stores an object with alg, reads it back with checksum
// mode on (the SDK validates SHA512 itself), asks GetObjectAttributes, and
// sees a wrong value refused.
func putAndGetNewer(t *testing.T, c *s3.Client, bucket string, alg types.ChecksumAlgorithm) {
	ctx := context.Background()
	body := randomBytes(t, 2*mib+5)
	key := "put-" + strings.ToLower(string(alg))
	want := newerDigest(t, alg, body)
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(body)}
	if sdkComputes(alg) {
		in.ChecksumAlgorithm = alg // the SDK sends it as a trailer over TLS
	} else {
		setSDKChecksum(in, alg, want)
	}
	put, err := c.PutObject(ctx, in)
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got := sdkChecksum(put, alg); got != want || put.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("PutObject answered %q of type %q, want %q FULL_OBJECT", got, put.ChecksumType,
			want)
	}

	got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if !bytes.Equal(got, body) || sdkChecksum(out, alg) != want {
		t.Errorf("GetObject: got %d bytes with %q, want %d with %q", len(got),
			sdkChecksum(out, alg), len(body), want)
	}

	attrs, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesChecksum}})
	if err != nil || attrs.Checksum == nil || sdkChecksum(attrs.Checksum, alg) != want {
		t.Errorf("GetObjectAttributes: got %+v, %v, want %s %q", attrs, err, alg, want)
	}

	bad := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key + "-bad"),
		Body: bytes.NewReader(body)}
	setSDKChecksum(bad, alg, newerDigest(t, alg, body[1:]))
	if _, err := c.PutObject(ctx, bad); errCode(err) != "BadDigest" {
		t.Errorf("a wrong %s: got %v, want BadDigest", alg, err)
	}
}

// trailerNewer sends an aws-chunked body with alg in a trailer, signed by
// the SDK's signer, since the SDK will not compute MD5 or xxHash itself;
// then a wrong trailer, which must be BadDigest.
func trailerNewer(t *testing.T, srv *server, c *s3.Client, bucket string,
	alg types.ChecksumAlgorithm) {
	body := randomBytes(t, 200_000)
	key := "trailer-" + strings.ToLower(string(alg))
	resp := putWithTrailer(t, srv, bucket+"/"+key, body, alg, newerDigest(t, alg, body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d %s, want 200", resp.StatusCode, resp.Body)
	}
	got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if want := newerDigest(t, alg, body); !bytes.Equal(got, body) || sdkChecksum(out, alg) != want {
		t.Errorf("GetObject: got %d bytes with %q, want %d with %q", len(got),
			sdkChecksum(out, alg), len(body), want)
	}
	resp = putWithTrailer(t, srv, bucket+"/"+key+"-bad", body, alg, newerDigest(t, alg, nil))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, "BadDigest") {
		t.Errorf("a wrong trailer: got %d %s, want 400 BadDigest", resp.StatusCode, resp.Body)
	}
}

// chunkedResponse is a status and body read back from storaged.
type chunkedResponse struct {
	StatusCode int
	Body       string
}

// putWithTrailer PUTs body as STREAMING-UNSIGNED-PAYLOAD-TRAILER in two
// chunks with x-amz-checksum-<alg>: value in the trailer.
func putWithTrailer(t *testing.T, srv *server, path string, body []byte,
	alg types.ChecksumAlgorithm, value string) chunkedResponse {
	t.Helper()
	const mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	name := "x-amz-checksum-" + strings.ToLower(string(alg))
	var enc bytes.Buffer
	half := len(body) / 2
	for _, chunk := range [][]byte{body[:half], body[half:], nil} {
		fmt.Fprintf(&enc, "%x\r\n", len(chunk))
		enc.Write(chunk)
		if len(chunk) > 0 {
			enc.WriteString("\r\n")
		}
	}
	fmt.Fprintf(&enc, "%s:%s\r\n\r\n", name, value)
	req, err := http.NewRequest(http.MethodPut, srv.Endpoint+"/"+path, &enc)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(body)))
	req.Header.Set("X-Amz-Trailer", name)
	req.Header.Set("X-Amz-Content-Sha256", mode)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, mode, "s3", testRegion,
		time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := srv.httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return chunkedResponse{StatusCode: resp.StatusCode, Body: string(b)}
}

// multipartNewer uploads two parts with alg, checks ListParts and the
// composite checksum CompleteMultipartUpload makes, and sees FULL_OBJECT
// refused for alg.
func multipartNewer(t *testing.T, c *s3.Client, bucket string, alg types.ChecksumAlgorithm) {
	ctx := context.Background()
	key := "multipart-" + strings.ToLower(string(alg))
	_, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: alg,
		ChecksumType: types.ChecksumTypeFullObject})
	if errCode(err) != "InvalidRequest" {
		t.Errorf("a FULL_OBJECT %s upload: got %v, want InvalidRequest", alg, err)
	}
	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: alg})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	if created.ChecksumAlgorithm != alg || created.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("CreateMultipartUpload answered %q %q, want %s COMPOSITE",
			created.ChecksumAlgorithm, created.ChecksumType, alg)
	}
	parts := [][]byte{randomBytes(t, 5*mib), randomBytes(t, 1234)}
	var done []types.CompletedPart
	var raw []byte
	for i, p := range parts {
		done = append(done, uploadNewerPart(t, c, bucket, key, created.UploadId, i+1, p, alg))
		sum, _ := base64.StdEncoding.DecodeString(newerDigest(t, alg, p))
		raw = append(raw, sum...)
	}
	listed, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket),
		Key: aws.String(key), UploadId: created.UploadId})
	if err != nil || len(listed.Parts) != 2 {
		t.Fatalf("ListParts: got %+v, %v, want 2 parts", listed, err)
	}
	for i, p := range listed.Parts {
		if got, want := sdkChecksum(&p, alg), newerDigest(t, alg, parts[i]); got != want {
			t.Errorf("ListParts part %d: got %q, want %q", i+1, got, want)
		}
	}
	out, err := complete(c, bucket, key, aws.ToString(created.UploadId), done)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := newerDigest(t, alg, raw) + "-2"
	if got := sdkChecksum(out, alg); got != want || out.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("got %q of type %q, want %q COMPOSITE", got, out.ChecksumType, want)
	}
	got, get := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if !bytes.Equal(got, append(parts[0], parts[1]...)) || sdkChecksum(get, alg) != want {
		t.Errorf("GetObject: got %d bytes with %q, want the parts with %q", len(got),
			sdkChecksum(get, alg), want)
	}
}

// uploadNewerPart uploads part n with alg: computed by the SDK when it
// can, else sent precomputed.
func uploadNewerPart(t *testing.T, c *s3.Client, bucket, key string, id *string, n int,
	p []byte, alg types.ChecksumAlgorithm) types.CompletedPart {
	t.Helper()
	in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: id,
		PartNumber: aws.Int32(int32(n)), Body: bytes.NewReader(p)}
	if sdkComputes(alg) {
		in.ChecksumAlgorithm = alg
	} else {
		setSDKChecksum(in, alg, newerDigest(t, alg, p))
	}
	out, err := c.UploadPart(context.Background(), in)
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	if got, want := sdkChecksum(out, alg), newerDigest(t, alg, p); got != want {
		t.Errorf("UploadPart %d answered %q, want %q", n, got, want)
	}
	part := types.CompletedPart{PartNumber: aws.Int32(int32(n)), ETag: out.ETag}
	setSDKChecksum(&part, alg, sdkChecksum(out, alg))
	return part
}
