package integration

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// multipartETag is S3's ETag of an object made of parts.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		sum := md5.Sum(p)
		h.Write(sum[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts))
}

// uploadParts starts an upload, uploads the parts with the SDK's defaults
// and returns the upload ID and the parts to complete it with.
func uploadParts(t *testing.T, c *s3.Client, bucket, key string, in *s3.CreateMultipartUploadInput,
	parts ...[]byte) (string, []types.CompletedPart) {
	t.Helper()
	ctx := context.Background()
	if in == nil {
		in = &s3.CreateMultipartUploadInput{}
	}
	in.Bucket, in.Key = aws.String(bucket), aws.String(key)
	created, err := c.CreateMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket),
			Key: aws.String(key), UploadId: created.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			Body: bytes.NewReader(p), ChecksumAlgorithm: in.ChecksumAlgorithm})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if got, want := aws.ToString(out.ETag), `"`+md5Hex(p)+`"`; got != want {
			t.Errorf("part %d ETag: got %s, want %s", i+1, got, want)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)),
			ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	return aws.ToString(created.UploadId), done
}

func complete(c *s3.Client, bucket, key, id string,
	parts []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
	return c.CompleteMultipartUpload(context.Background(), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
}

func TestMultipartUploadWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket, key = "multipart", "videos/big.bin"
	mustCreateBucket(t, c, bucket)
	parts := [][]byte{randomBytes(t, 5*mib), randomBytes(t, 5*mib), randomBytes(t, 1*mib)}
	id, done := uploadParts(t, c, bucket, key, &s3.CreateMultipartUploadInput{
		ContentType: aws.String("video/mp4"), Metadata: map[string]string{"origin": "sdk"}},
		parts...)

	listed, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket),
		Key: aws.String(key), UploadId: aws.String(id)})
	if err != nil || len(listed.Parts) != 3 || aws.ToInt64(listed.Parts[2].Size) != mib {
		t.Fatalf("ListParts: got %v, %v, want three parts", listed, err)
	}
	ups, err := c.ListMultipartUploads(
		ctx,
		&s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)},
	)
	if err != nil || len(ups.Uploads) != 1 || aws.ToString(ups.Uploads[0].UploadId) != id {
		t.Fatalf("ListMultipartUploads: got %v, %v, want the upload", ups, err)
	}

	out, err := complete(c, bucket, key, id, done)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := multipartETag(parts...)
	if aws.ToString(out.ETag) != want {
		t.Errorf("CompleteMultipartUpload ETag: got %s, want %s", aws.ToString(out.ETag), want)
	}
	got, get := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if !bytes.Equal(got, slices.Concat(parts...)) {
		t.Fatalf("GET returned %d bytes that differ from the %d uploaded", len(got), 11*mib)
	}
	if aws.ToString(get.ETag) != want || aws.ToString(get.ContentType) != "video/mp4" ||
		get.Metadata["origin"] != "sdk" {
		t.Errorf("GET: got ETag %s, type %s, metadata %v; want %s, video/mp4, origin=sdk",
			aws.ToString(get.ETag), aws.ToString(get.ContentType), get.Metadata, want)
	}
	checkPartReads(t, c, bucket, key, parts)

	ups, err = c.ListMultipartUploads(
		ctx,
		&s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)},
	)
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("after completion: got uploads %v, %v, want none", ups.Uploads, err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), PartNumber: aws.Int32(4), Body: strings.NewReader("late")})
	if errStatus(err) != 404 || errCode(err) != "NoSuchUpload" {
		t.Errorf("a part after completion: got %v, want 404 NoSuchUpload", err)
	}
}

// checkPartReads reads parts back with partNumber.
func checkPartReads(t *testing.T, c *s3.Client, bucket, key string, parts [][]byte) {
	t.Helper()
	head, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), PartNumber: aws.Int32(2)})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(parts[1])) ||
		aws.ToInt32(head.PartsCount) != int32(len(parts)) {
		t.Errorf("HEAD part 2: got %v, want length %d and %d parts", err, len(parts[1]), len(parts))
	}
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		PartNumber: aws.Int32(3)})
	if !bytes.Equal(got, parts[2]) {
		t.Errorf("GET part 3: got %d bytes that differ from the %d of the part", len(got),
			len(parts[2]))
	}
}

func TestMultipartRefusalsWithTheAWSSDK(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	const bucket = "multipart-refusals"
	mustCreateBucket(t, c, bucket)
	tests := []struct {
		name   string
		parts  [][]byte
		order  func([]types.CompletedPart) []types.CompletedPart
		status int
		code   string
	}{
		{"a small part before the last is EntityTooSmall",
			[][]byte{randomBytes(t, mib), randomBytes(t, 10)}, nil, 400, "EntityTooSmall"},
		{"parts out of order are InvalidPartOrder",
			[][]byte{randomBytes(t, 5*mib), randomBytes(t, 10)},
			func(p []types.CompletedPart) []types.CompletedPart {
				return []types.CompletedPart{p[1], p[0]}
			},
			400, "InvalidPartOrder"},
		{"a wrong ETag is InvalidPart", [][]byte{randomBytes(t, 10)},
			func(p []types.CompletedPart) []types.CompletedPart {
				p[0].ETag = aws.String(`"00000000000000000000000000000000"`)
				return p
			}, 400, "InvalidPart"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := fmt.Sprintf("k%d", i)
			id, done := uploadParts(t, c, bucket, key, nil, tt.parts...)
			if tt.order != nil {
				done = tt.order(done)
			}
			_, err := complete(c, bucket, key, id, done)
			if errStatus(err) != tt.status || errCode(err) != tt.code {
				t.Fatalf("got %v, want %d %s", err, tt.status, tt.code)
			}
			_, err = c.HeadObject(context.Background(), &s3.HeadObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key)})
			if errStatus(err) != 404 {
				t.Errorf("after a refused completion: got %v, want no object", err)
			}
			if _, err := c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{
				Bucket: aws.String(bucket), Key: aws.String(key),
				UploadId: aws.String(id)}); err != nil {
				t.Errorf("AbortMultipartUpload: %v", err)
			}
		})
	}
}

func TestUploadPartCopyAndCompositeChecksums(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	ctx := context.Background()
	const bucket = "part-copy"
	mustCreateBucket(t, c, bucket)
	source := randomBytes(t, 6*mib+17)
	mustPut(t, c, bucket, "source", source)

	created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String("assembled"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for i, rng := range [][2]int{{0, 5*mib - 1}, {5 * mib, len(source) - 1}} {
		out, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket),
			Key: aws.String("assembled"), UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String(bucket + "/source"),
			CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", rng[0], rng[1]))})
		if err != nil {
			t.Fatalf("UploadPartCopy %d: %v", i+1, err)
		}
		r := out.CopyPartResult
		if aws.ToString(r.ETag) != `"`+md5Hex(source[rng[0]:rng[1]+1])+`"` ||
			r.ChecksumCRC32 == nil {
			t.Errorf("part %d: got ETag %s, CRC32 %v; want the range's MD5 and a CRC32", i+1,
				aws.ToString(r.ETag), r.ChecksumCRC32)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: r.ETag,
			ChecksumCRC32: r.ChecksumCRC32})
	}
	out, err := complete(c, bucket, "assembled", aws.ToString(created.UploadId), done)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(out.ChecksumCRC32), "-2") ||
		out.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("got checksum %q of type %q, want a composite CRC32 of 2 parts",
			aws.ToString(out.ChecksumCRC32), out.ChecksumType)
	}
	got, get := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("assembled"), ChecksumMode: types.ChecksumModeEnabled})
	if !bytes.Equal(got, source) ||
		aws.ToString(get.ChecksumCRC32) != aws.ToString(out.ChecksumCRC32) {
		t.Errorf("got %d bytes with CRC32 %q, want the source with %q", len(got),
			aws.ToString(get.ChecksumCRC32), aws.ToString(out.ChecksumCRC32))
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket),
		Key: aws.String("assembled"), UploadId: created.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String(bucket + "/source"), CopySourceRange: aws.String("bytes=0-1")})
	if errCode(err) != "NoSuchUpload" {
		t.Errorf("a part copy after completion: got %v, want NoSuchUpload", err)
	}
}

func TestFullObjectCRC64NVMEOfAMultipartUpload(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	c := srv.client(t, testSecret)
	const bucket = "full-object"
	mustCreateBucket(t, c, bucket)
	parts := [][]byte{randomBytes(t, 5*mib), randomBytes(t, 123)}
	id, done := uploadParts(t, c, bucket, "k", &s3.CreateMultipartUploadInput{
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme}, parts...)
	for i := range done {
		done[i].ChecksumCRC32 = nil
	}
	out, err := complete(c, bucket, "k", id, done)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	want := crc64NVMEBase64(slices.Concat(parts...))
	if aws.ToString(out.ChecksumCRC64NVME) != want ||
		out.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("got %q of type %q, want the whole object's CRC64NVME %q",
			aws.ToString(out.ChecksumCRC64NVME), out.ChecksumType, want)
	}
	// The SDK validates a full-object checksum on GET: a wrong one fails the read.
	got, _ := mustGet(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"),
		ChecksumMode: types.ChecksumModeEnabled})
	if !bytes.Equal(got, slices.Concat(parts...)) {
		t.Error("the object came back different")
	}
}
