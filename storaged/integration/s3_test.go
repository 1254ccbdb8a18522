package integration

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// mib is one mebibyte.
const mib = 1 << 20

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// errCode returns the S3 error code of an SDK error, or "".
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// errStatus returns the HTTP status of an SDK error, or 0.
func errStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func mustCreateBucket(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", bucket, err)
	}
}

func mustPut(t *testing.T, c *s3.Client, bucket, key string, body []byte) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return out
}

func mustGet(t *testing.T, c *s3.Client, in *s3.GetObjectInput) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := c.GetObject(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObject %s: %v", aws.ToString(in.Key), err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", aws.ToString(in.Key), err)
	}
	return body, out
}

// listAll follows ListObjectsV2 pages and returns keys and prefixes.
func listAll(t *testing.T, c *s3.Client, in *s3.ListObjectsV2Input) ([]string, []string, int) {
	t.Helper()
	var keys, prefixes []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		pages++
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
	}
	return keys, prefixes, pages
}

func TestObjectLifecycleWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "lifecycle"
	mustCreateBucket(t, c, bucket)

	big := randomBytes(t, 5*mib+123)
	put := mustPut(t, c, bucket, "blobs/big.bin", big)
	if got, want := aws.ToString(put.ETag), `"`+md5Hex(big)+`"`; got != want {
		t.Errorf("PUT ETag: got %s, want %s", got, want)
	}
	srv.waitForLog(t, `"payload":"STREAMING-UNSIGNED-PAYLOAD-TRAILER"`)
	got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("blobs/big.bin")})
	if !bytes.Equal(got, big) {
		t.Fatalf("GET returned %d bytes that differ from the %d stored", len(got), len(big))
	}
	if aws.ToString(out.ChecksumCRC32) != crc32Base64(big) {
		t.Errorf("GET CRC32: got %q, want %q (the SDK sends CRC32 trailers by default)",
			aws.ToString(out.ChecksumCRC32), crc32Base64(big))
	}

	part, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("blobs/big.bin"), Range: aws.String("bytes=1000-1999")})
	if !bytes.Equal(part, big[1000:2000]) {
		t.Errorf("ranged GET returned the wrong %d bytes", len(part))
	}
	if want := fmt.Sprintf("bytes 1000-1999/%d", len(big)); aws.ToString(out.ContentRange) != want {
		t.Errorf("ranged GET Content-Range: got %q, want %q", aws.ToString(out.ContentRange), want)
	}

	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("blobs/big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(big)) ||
		aws.ToString(head.ETag) != aws.ToString(put.ETag) {
		t.Errorf("HEAD: got length %d ETag %s, want %d and %s", aws.ToInt64(head.ContentLength),
			aws.ToString(head.ETag), len(big), aws.ToString(put.ETag))
	}

	checkListing(t, c, bucket)
	deleteEverything(t, c, bucket)
}

// checkListing stores a small tree and lists it with prefix, delimiter
// and pagination.
func checkListing(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	for _, k := range []string{"logs/2026/a.log", "logs/2026/b.log", "logs/2027/c.log", "top.txt"} {
		mustPut(t, c, bucket, k, []byte(k))
	}
	keys, prefixes, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket),
		Delimiter: aws.String("/")})
	if strings.Join(keys, ",") != "top.txt" || strings.Join(prefixes, ",") != "blobs/,logs/" {
		t.Errorf("delimiter listing: got keys %v prefixes %v, want [top.txt] [blobs/ logs/]",
			keys, prefixes)
	}
	keys, prefixes, _ = listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket),
		Prefix: aws.String("logs/"), Delimiter: aws.String("/")})
	if len(keys) != 0 || strings.Join(prefixes, ",") != "logs/2026/,logs/2027/" {
		t.Errorf("prefix+delimiter listing: got %v %v, want no keys, logs/2026/ logs/2027/",
			keys, prefixes)
	}
	keys, _, pages := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket),
		MaxKeys: aws.Int32(2)})
	want := "blobs/big.bin,logs/2026/a.log,logs/2026/b.log,logs/2027/c.log,top.txt"
	if strings.Join(keys, ",") != want || pages != 3 {
		t.Errorf("paged listing: got %v in %d pages, want %s in 3", keys, pages, want)
	}
}

// deleteEverything deletes the bucket's keys and then the bucket.
func deleteEverything(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	ctx := context.Background()
	keys, _, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	if errCode(err) != "BucketNotEmpty" {
		t.Errorf("deleting a full bucket: got %v, want BucketNotEmpty", err)
	}
	for _, k := range keys {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
			Key: aws.String(k)}); err != nil {
			t.Fatalf("DeleteObject %s: %v", k, err)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if errStatus(err) != http.StatusNotFound {
		t.Errorf("HeadBucket after delete: got %v, want 404", err)
	}
}

func crc32Base64(b []byte) string {
	h := crc32.NewIEEE()
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func crc64NVMEBase64(b []byte) string {
	h := crc64.New(crc64.MakeTable(0x9a6c9329ac4bc9b5))
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// s3Case is one case of /work/shared/cases/s3-requests.md.
type s3Case struct {
	name string
	run  func(t *testing.T, srv *server, c *s3.Client, bucket string)
}

func TestRequestShapesThatBrokeOtherServers(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	cases := []s3Case{
		{"S1 a key with a leading slash round-trips", caseLeadingSlash},
		{"S3 an unsigned stream with a CRC64NVME trailer is stored and checked", caseCRC64NVME},
		{"S4 the ETag of a single large PUT is its MD5", caseETag},
		{"S5 start-after and continuation tokens skip nothing", caseStartAfter},
		{"S6 paging under a partial prefix returns every key", casePartialPrefix},
		{"S7 a range starting at the size is 416 with the size", caseRangeAtEnd},
		{"S8 a wrong or malformed Content-MD5 is refused and nothing stored", caseContentMD5},
		{"S10 a zero-byte PUT without Content-Length stores an empty object", caseNoLength},
		{"S11 long keys are stored up to 1024 bytes", caseLongKeys},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bucket := fmt.Sprintf("case-%d", i)
			mustCreateBucket(t, c, bucket)
			tc.run(t, srv, c, bucket)
		})
	}
}

func caseLeadingSlash(t *testing.T, _ *server, c *s3.Client, bucket string) {
	mustPut(t, c, bucket, "/notes.txt", []byte("leading slash"))
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("/notes.txt")})
	if string(got) != "leading slash" {
		t.Errorf("got %q, want %q", got, "leading slash")
	}
	keys, _, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if strings.Join(keys, ",") != "/notes.txt" {
		t.Errorf("listed %v, want [/notes.txt]", keys)
	}
}

func caseCRC64NVME(t *testing.T, _ *server, c *s3.Client, bucket string) {
	body := randomBytes(t, 3*mib)
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("nvme"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	if err != nil {
		t.Fatalf("PutObject with CRC64NVME: %v", err)
	}
	got, out := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("nvme"), ChecksumMode: types.ChecksumModeEnabled})
	if !bytes.Equal(got, body) {
		t.Fatal("the body came back different")
	}
	if want := crc64NVMEBase64(body); aws.ToString(out.ChecksumCRC64NVME) != want {
		t.Errorf("got CRC64NVME %q, want %q", aws.ToString(out.ChecksumCRC64NVME), want)
	}
}

func caseETag(t *testing.T, _ *server, c *s3.Client, bucket string) {
	body := randomBytes(t, 9*mib)
	put := mustPut(t, c, bucket, "large", body)
	want := `"` + md5Hex(body) + `"`
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("large")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != want || aws.ToString(head.ETag) != want {
		t.Errorf("got PUT ETag %s, HEAD ETag %s; want %s", aws.ToString(put.ETag),
			aws.ToString(head.ETag), want)
	}
}

func caseStartAfter(t *testing.T, _ *server, c *s3.Client, bucket string) {
	for _, k := range []string{"a1", "a2", "a3", "a4"} {
		mustPut(t, c, bucket, k, []byte(k))
	}
	var pages []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), StartAfter: aws.String("0"),
		MaxKeys: aws.Int32(2)}
	for i := 0; i < 5; i++ {
		out, err := c.ListObjectsV2(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, o := range out.Contents {
			page = append(page, aws.ToString(o.Key))
		}
		pages = append(pages, strings.Join(page, " "))
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	if got := strings.Join(pages, "|"); got != "a1 a2|a3 a4" {
		t.Errorf("got pages %q, want %q", got, "a1 a2|a3 a4")
	}
}

func casePartialPrefix(t *testing.T, _ *server, c *s3.Client, bucket string) {
	for _, k := range []string{"data/a/1", "data/a/2", "data/ab/3"} {
		mustPut(t, c, bucket, k, []byte(k))
	}
	keys, _, pages := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket),
		Prefix: aws.String("data/a"), MaxKeys: aws.Int32(1)})
	if strings.Join(keys, ",") != "data/a/1,data/a/2,data/ab/3" || pages != 3 {
		t.Errorf("got %v in %d pages, want all three keys in 3 pages", keys, pages)
	}
}

func caseRangeAtEnd(t *testing.T, _ *server, c *s3.Client, bucket string) {
	mustPut(t, c, bucket, "ten", []byte("0123456789"))
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("ten"), Range: aws.String("bytes=10-")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 416 || errCode(err) != "InvalidRange" {
		t.Fatalf("got %v, want 416 InvalidRange", err)
	}
	if got := re.Response.Header.Get("Content-Range"); got != "bytes */10" {
		t.Errorf("got Content-Range %q, want %q", got, "bytes */10")
	}
}

func caseContentMD5(t *testing.T, _ *server, c *s3.Client, bucket string) {
	other := md5.Sum([]byte("other"))
	for _, tc := range []struct{ md5, code string }{
		{base64.StdEncoding.EncodeToString(other[:]), "BadDigest"},
		{"not base64!", "InvalidDigest"},
	} {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String("md5"), Body: strings.NewReader("payload"), ContentMD5: aws.String(tc.md5)})
		if errStatus(err) != 400 || errCode(err) != tc.code {
			t.Errorf("Content-MD5 %q: got %v, want 400 %s", tc.md5, err, tc.code)
		}
	}
	_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("md5")})
	if errStatus(err) != http.StatusNotFound {
		t.Errorf("after refused PUTs: got %v, want the key absent", err)
	}
}

func caseNoLength(t *testing.T, srv *server, c *s3.Client, bucket string) {
	resp := rawSignedRequest(t, srv, http.MethodPut, "/"+bucket+"/empty")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("empty")})
	if err != nil || aws.ToInt64(head.ContentLength) != 0 {
		t.Errorf("HEAD: got %v, length %d; want an empty object", err, aws.ToInt64(head.ContentLength))
	}
}

func caseLongKeys(t *testing.T, _ *server, c *s3.Client, bucket string) {
	k300, k1024 := strings.Repeat("x", 300), strings.Repeat("k", 1024)
	mustPut(t, c, bucket, k300, []byte("300"))
	mustPut(t, c, bucket, k1024, []byte("1024"))
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	if errStatus(err) != 400 || errCode(err) != "KeyTooLongError" {
		t.Errorf("1025-byte key: got %v, want 400 KeyTooLongError", err)
	}
	keys, _, _ := listAll(t, c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if len(keys) != 2 || keys[0] != k1024 || keys[1] != k300 {
		t.Errorf("listed %d keys, want the 1024- and 300-byte keys", len(keys))
	}
}
