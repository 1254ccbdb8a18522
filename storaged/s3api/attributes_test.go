package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/strata-storage/strata/storaged/erasure"
	"github.com/strata-storage/strata/storaged/object"
)

func TestRequestedAttributes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   string
		code   string
	}{
		{"one list names several attributes", []string{"ETag, ObjectSize"}, "ETag,ObjectSize",
			""},
		{"repeated headers add up", []string{"ETag", "Checksum,StorageClass"},
			"Checksum,ETag,StorageClass", ""},
		{"an unknown name is InvalidArgument", []string{"ETag,Owner"}, "", "InvalidArgument"},
		{"a name in the wrong case is InvalidArgument", []string{"etag"}, "",
			"InvalidArgument"},
		{"no header is InvalidRequest", nil, "", "InvalidRequest"},
		{"an empty list is InvalidRequest", []string{" , "}, "", "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := requestedAttributes(http.Header{"X-Amz-Object-Attributes": tt.values})
			code := ""
			if err != nil {
				code = toAPIError(err).code
			}
			var names []string
			for _, n := range []string{"Checksum", "ETag", "ObjectParts", "ObjectSize",
				"StorageClass"} {
				if got[n] {
					names = append(names, n)
				}
			}
			if code != tt.code || strings.Join(names, ",") != tt.want {
				t.Fatalf("got %v, %q, want %s, %q", names, code, tt.want, tt.code)
			}
		})
	}
}

func TestPartsXMLPages(t *testing.T) {
	t.Parallel()
	parts := []object.PartInfo{{Number: 1, Size: 10}, {Number: 2, Size: 20},
		{Number: 4, Size: 40, Checksums: map[string]string{"CRC32": "AAAAAA=="}}}
	tests := []struct {
		name        string
		page        partsWindow
		numbers     string
		truncated   bool
		nextMarker  int
		crc32OfLast string
	}{
		{"every part fits one page", partsWindow{max: 1000}, "1,2,4", false, 4, "AAAAAA=="},
		{"max-parts cuts the page", partsWindow{max: 2}, "1,2", true, 2, ""},
		{"the marker skips parts up to it", partsWindow{max: 1000, marker: 2}, "4", false, 4,
			"AAAAAA=="},
		{"a marker past the end lists nothing", partsWindow{max: 1000, marker: 4}, "", false,
			0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := partsXML(parts, tt.page)
			var numbers []string
			for _, p := range got.Parts {
				numbers = append(numbers, fmt.Sprint(p.PartNumber))
			}
			last := ""
			if len(got.Parts) > 0 {
				last = got.Parts[len(got.Parts)-1].ChecksumCRC32
			}
			if strings.Join(numbers, ",") != tt.numbers || got.IsTruncated != tt.truncated ||
				got.NextPartNumberMarker != tt.nextMarker || got.PartsCount != 3 ||
				last != tt.crc32OfLast {
				t.Fatalf("got parts %v truncated %v next %d count %d crc %q, want %s %v %d 3 %q",
					numbers, got.IsTruncated, got.NextPartNumberMarker, got.PartsCount, last,
					tt.numbers, tt.truncated, tt.nextMarker, tt.crc32OfLast)
			}
		})
	}
}

func TestGetObjectAttributesHandler(t *testing.T) {
	t.Parallel()
	h, layer := newTestHandler(t)
	ctx := context.Background()
	if err := layer.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	info, err := layer.PutObject(ctx, "bkt", "k", strings.NewReader("hello"), 5,
		object.PutOptions{Checksums: func() map[string]string {
			return map[string]string{"CRC32": "NhCmhg=="}
		}})
	if err != nil {
		t.Fatal(err)
	}
	attrs := func(v string) http.Header { return http.Header{"X-Amz-Object-Attributes": {v}} }
	tests := []struct {
		name   string
		target string
		header http.Header
		status int
		code   string
		body   []string
	}{
		{"every attribute of a single-part object", "/bkt/k?attributes",
			attrs("ETag,Checksum,ObjectParts,StorageClass,ObjectSize"), 200, "",
			[]string{"<ETag>" + info.ETag + "</ETag>", "<ChecksumCRC32>NhCmhg==</ChecksumCRC32>",
				"<StorageClass>STANDARD</StorageClass>", "<ObjectSize>5</ObjectSize>"}},
		{"only the size when only the size is asked", "/bkt/k?attributes", attrs("ObjectSize"),
			200, "", []string{"<ObjectSize>5</ObjectSize>"}},
		{"a missing header is refused", "/bkt/k?attributes", nil, 400, "InvalidRequest", nil},
		{"an unknown attribute is refused", "/bkt/k?attributes", attrs("Owner"), 400,
			"InvalidArgument", nil},
		{"a bad max-parts is refused", "/bkt/k?attributes", http.Header{
			"X-Amz-Object-Attributes": {"ETag"}, "X-Amz-Max-Parts": {"x"}}, 400,
			"InvalidArgument", nil},
		{"a missing key is NoSuchKey", "/bkt/nope?attributes", attrs("ETag"), 404,
			"NoSuchKey", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := do(h, signedRequest(t, http.MethodGet, tt.target, nil,
				signOptions{header: tt.header}))
			mustStatus(t, w, tt.status, tt.code)
			for _, want := range tt.body {
				if !strings.Contains(w.Body.String(), want) {
					t.Fatalf("got body %s, want it to hold %s", w.Body.String(), want)
				}
			}
			if tt.status == 200 && strings.Contains(w.Body.String(), "ObjectParts") {
				t.Fatalf("got ObjectParts for a single-part object: %s", w.Body.String())
			}
			if tt.status == 200 && w.Header().Get("Last-Modified") == "" {
				t.Fatal("got no Last-Modified header")
			}
		})
	}
}

// newErasureSDKClient returns an SDK client for a handler over a real
// erasure-coded object layer on four temporary drives.
func newErasureSDKClient(t *testing.T) *s3.Client {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, 4)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	drives, err := erasure.OpenLocalDrives("", dirs)
	if err != nil {
		t.Fatalf("OpenLocalDrives: %v", err)
	}
	set, err := erasure.New(erasure.Config{Drives: drives, Parity: 2})
	if err != nil {
		t.Fatalf("erasure.New: %v", err)
	}
	layer := object.NewErasureLayer(set)
	t.Cleanup(func() { _ = layer.Close() })
	h, err := New(Config{Region: testRegion, Layer: layer,
		Credentials: Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return newSDKClient(t, h)
}

var allAttributes = []types.ObjectAttributes{types.ObjectAttributesEtag,
	types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
	types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}

func TestGetObjectAttributesWithSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newErasureSDKClient(t)
	bucket := aws.String("bkt")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("single"),
		Body: strings.NewReader("hello"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("single"), ObjectAttributes: allAttributes})
	if err != nil {
		t.Fatalf("GetObjectAttributes: %v", err)
	}
	if `"`+aws.ToString(out.ETag)+`"` != aws.ToString(put.ETag) ||
		aws.ToInt64(out.ObjectSize) != 5 || out.StorageClass != types.StorageClassStandard ||
		out.Checksum == nil ||
		aws.ToString(out.Checksum.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) ||
		out.ObjectParts != nil || out.LastModified == nil {
		t.Fatalf("got %+v (checksum %+v), want ETag %s, size 5, STANDARD, CRC32 %s, no parts",
			out, out.Checksum, aws.ToString(put.ETag), aws.ToString(put.ChecksumCRC32))
	}
}

func TestGetObjectAttributesOfMultipartWithSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newErasureSDKClient(t)
	bucket, key := aws.String("bkt"), aws.String("multi")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	sizes := []int{object.MinPartSize, 1000}
	etag := uploadParts(t, c, bucket, key, sizes)

	out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: key, ObjectAttributes: allAttributes, MaxParts: aws.Int32(1)})
	if err != nil {
		t.Fatalf("GetObjectAttributes: %v", err)
	}
	p := out.ObjectParts
	if `"`+aws.ToString(out.ETag)+`"` != etag || p == nil ||
		aws.ToInt32(p.TotalPartsCount) != 2 || !aws.ToBool(p.IsTruncated) ||
		len(p.Parts) != 1 || aws.ToInt64(p.Parts[0].Size) != int64(sizes[0]) ||
		aws.ToString(p.Parts[0].ChecksumCRC32) == "" ||
		aws.ToString(p.NextPartNumberMarker) != "1" ||
		aws.ToInt64(out.ObjectSize) != int64(sizes[0]+sizes[1]) {
		t.Fatalf("got %+v parts %+v, want 2 parts, the first listed with its CRC32, ETag %s",
			out, p, etag)
	}
	out, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: key, ObjectAttributes: allAttributes, PartNumberMarker: aws.String("1")})
	if err != nil {
		t.Fatalf("GetObjectAttributes after part 1: %v", err)
	}
	p = out.ObjectParts
	if len(p.Parts) != 1 || aws.ToInt32(p.Parts[0].PartNumber) != 2 ||
		aws.ToBool(p.IsTruncated) || aws.ToInt64(p.Parts[0].Size) != int64(sizes[1]) {
		t.Fatalf("got parts %+v, want part 2 alone", p)
	}
}

// uploadParts makes key out of parts of the given sizes, with CRC32
// checksums, and returns the object's quoted ETag.
func uploadParts(t *testing.T, c *s3.Client, bucket, key *string, sizes []int) string {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket,
		Key: key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var done []types.CompletedPart
	for i, size := range sizes {
		n := aws.Int32(int32(i + 1))
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key,
			UploadId: up.UploadId, PartNumber: n, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			Body: bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, size))})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: n, ETag: part.ETag,
			ChecksumCRC32: part.ChecksumCRC32})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket,
		Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	return aws.ToString(out.ETag)
}

// TestObjectAttributesXML pins the element names the SDK reads.
func TestObjectAttributesXML(t *testing.T) {
	t.Parallel()
	size := int64(3)
	b, err := xml.Marshal(objectAttributes{ETag: "e", ObjectSize: &size,
		ObjectParts: &attributesParts{PartsCount: 1, Parts: []attributesPart{{PartNumber: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "<GetObjectAttributesResponse xmlns=\"\"><ETag>e</ETag><ObjectParts>" +
		"<PartsCount>1</PartsCount>"
	if !strings.HasPrefix(string(b), want) {
		t.Fatalf("got %s, want it to start with %s", b, want)
	}
}
