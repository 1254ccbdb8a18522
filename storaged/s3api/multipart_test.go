package s3api

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// createUpload starts an upload through the handler and returns its ID.
func createUpload(t *testing.T, h *Handler, target string, hdr http.Header) string {
	t.Helper()
	w := do(h, signedRequest(t, http.MethodPost, target+"?uploads", nil, signOptions{header: hdr}))
	mustStatus(t, w, http.StatusOK, "")
	var res initiateMultipartUploadResult
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil || res.UploadID == "" {
		t.Fatalf("got %s, %v, want an upload ID", w.Body.String(), err)
	}
	return res.UploadID
}

// uploadPartTo uploads a part through the handler and returns its ETag.
func uploadPartTo(t *testing.T, h *Handler, target, id string, n int, data []byte,
	hdr http.Header) string {
	t.Helper()
	q := fmt.Sprintf("%s?partNumber=%d&uploadId=%s", target, n, id)
	w := do(h, signedRequest(t, http.MethodPut, q, data, signOptions{header: hdr}))
	mustStatus(t, w, http.StatusOK, "")
	return w.Header().Get("ETag")
}

// twoParts renders a CompleteMultipartUpload body of parts a and b with
// ETags ea and eb.
func twoParts(a int, ea string, b int, eb string) []byte {
	return completeBody(
		completedPart{PartNumber: a, ETag: ea},
		completedPart{PartNumber: b, ETag: eb},
	)
}

// completeBody renders a CompleteMultipartUpload body.
func completeBody(parts ...completedPart) []byte {
	b, _ := xml.Marshal(completeMultipartUpload{Parts: parts})
	return b
}

func TestMultipartUploadThroughTheHandler(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "mpb")
	id := createUpload(t, h, "/mpb/video", http.Header{"Content-Type": {"video/mp4"},
		"X-Amz-Meta-Camera": {"front"}, "X-Amz-Tagging": {"a=b"}})
	one := bytes.Repeat([]byte{7}, object.MinPartSize)
	two := []byte("tail")
	e1 := uploadPartTo(t, h, "/mpb/video", id, 1, one, nil)
	e2 := uploadPartTo(t, h, "/mpb/video", id, 2, two, nil)
	if e1 != `"`+md5Hex(one)+`"` {
		t.Errorf("part 1 ETag: got %s, want the part's MD5", e1)
	}

	w := do(h, signedRequest(t, http.MethodGet, "/mpb/video?uploadId="+id, nil, signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
	var parts listPartsResult
	if err := xml.Unmarshal(w.Body.Bytes(), &parts); err != nil || len(parts.Parts) != 2 ||
		parts.Parts[1].Size != 4 || parts.Parts[0].ETag != e1 {
		t.Fatalf("ListParts: got %+v, %v, want both parts", parts, err)
	}
	w = do(h, signedRequest(t, http.MethodGet, "/mpb?uploads", nil, signOptions{}))
	var ups listMultipartUploadsResult
	if err := xml.Unmarshal(w.Body.Bytes(), &ups); err != nil || len(ups.Uploads) != 1 ||
		ups.Uploads[0].UploadID != id || ups.Uploads[0].Key != "video" {
		t.Fatalf("ListMultipartUploads: got %+v, %v, want the upload", ups, err)
	}

	body := twoParts(1, e1, 2, e2)
	w = do(h, signedRequest(t, http.MethodPost, "/mpb/video?uploadId="+id, body, signOptions{}))
	mustStatus(t, w, http.StatusOK, "")
	var res completeMultipartUploadResult
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	info, err := layer.HeadObject(t.Context(), "mpb", "video")
	if err != nil {
		t.Fatal(err)
	}
	if res.ETag != `"`+info.ETag+`"` || !strings.HasSuffix(info.ETag, "-2") ||
		info.ContentType != "video/mp4" || info.UserMetadata["camera"] != "front" ||
		info.Tags["a"] != "b" || info.Size != int64(len(one)+len(two)) {
		t.Errorf(
			"got result %+v and object %+v, want a -2 ETag and the upload's metadata",
			res,
			info,
		)
	}
	if res.Location != "http://"+testHost+"/mpb/video" || res.Bucket != "mpb" ||
		res.Key != "video" {
		t.Errorf("got location %q bucket %q key %q", res.Location, res.Bucket, res.Key)
	}
}

func TestCompleteMultipartUploadErrors(t *testing.T) {
	t.Parallel()
	small := []byte("small")
	tests := []struct {
		name   string
		body   func(e1, e2 string) []byte
		status int
		code   string
	}{
		{"parts out of order are InvalidPartOrder", func(e1, e2 string) []byte {
			return twoParts(2, e2, 1, e1)
		}, 400, "InvalidPartOrder"},
		{"a wrong ETag is InvalidPart", func(e1, e2 string) []byte {
			return completeBody(completedPart{PartNumber: 1, ETag: e2})
		}, 400, "InvalidPart"},
		{"a small part before the last is EntityTooSmall", func(e1, e2 string) []byte {
			return twoParts(1, e1, 2, e2)
		}, 400, "EntityTooSmall"},
		{"no parts is MalformedXML", func(e1, e2 string) []byte {
			return []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")
		}, 400, "MalformedXML"},
		{"part number 0 is invalid", func(e1, e2 string) []byte {
			return completeBody(completedPart{PartNumber: 0, ETag: e1})
		}, 400, "InvalidArgument"},
		{"garbage is MalformedXML", func(e1, e2 string) []byte { return []byte("<Complete") },
			400, "MalformedXML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "mpe")
			id := createUpload(t, h, "/mpe/k", nil)
			e1 := uploadPartTo(t, h, "/mpe/k", id, 1, small, nil)
			e2 := uploadPartTo(t, h, "/mpe/k", id, 2, []byte("other"), nil)
			w := do(h, signedRequest(t, http.MethodPost, "/mpe/k?uploadId="+id, tt.body(e1, e2),
				signOptions{}))
			mustStatus(t, w, tt.status, tt.code)
			if _, err := layer.HeadObject(t.Context(), "mpe", "k"); err == nil {
				t.Error("a failed completion made the object")
			}
		})
	}
}

func TestMultipartRequestsForUnknownUploads(t *testing.T) {
	t.Parallel()
	h, _ := withBucket(t, "mpu")
	id := createUpload(t, h, "/mpu/k", nil)
	tests := []struct {
		name, method, target string
		body                 []byte
		status               int
		code                 string
	}{
		{"a part for an unknown upload", http.MethodPut, "/mpu/k?partNumber=1&uploadId=nope",
			[]byte("x"), 404, "NoSuchUpload"},
		{
			"a part for another key's upload",
			http.MethodPut,
			"/mpu/other?partNumber=1&uploadId=" + id,
			[]byte("x"),
			404,
			"NoSuchUpload",
		},
		{"listing an unknown upload's parts", http.MethodGet, "/mpu/k?uploadId=nope", nil, 404,
			"NoSuchUpload"},
		{"completing an unknown upload", http.MethodPost, "/mpu/k?uploadId=nope",
			completeBody(completedPart{PartNumber: 1, ETag: "x"}), 404, "NoSuchUpload"},
		{"part number 10001", http.MethodPut, "/mpu/k?partNumber=10001&uploadId=" + id,
			[]byte("x"), 400, "InvalidArgument"},
		{"a part number without an upload", http.MethodPut, "/mpu/k?partNumber=1", []byte("x"),
			400, "InvalidRequest"},
		{"an upload in a missing bucket", http.MethodPost, "/nobucket/k?uploads", nil, 404,
			"NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			t.Parallel()
			w := do(h, signedRequest(t, tt.method, tt.target, tt.body, signOptions{}))
			mustStatus(t, w, tt.status, tt.code)
		})
	}
	t.Run("aborting removes the upload", func(t *testing.T) {
		t.Parallel()
		id := createUpload(t, h, "/mpu/gone", nil)
		w := do(
			h,
			signedRequest(t, http.MethodDelete, "/mpu/gone?uploadId="+id, nil, signOptions{}),
		)
		mustStatus(t, w, http.StatusNoContent, "")
		w = do(h, signedRequest(t, http.MethodDelete, "/mpu/gone?uploadId="+id, nil, signOptions{}))
		mustStatus(t, w, 404, "NoSuchUpload")
	})
}

func TestPartsCarryTheUploadsChecksumAlgorithm(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "mpc")
	id := createUpload(t, h, "/mpc/k", http.Header{"X-Amz-Checksum-Algorithm": {"SHA256"}})
	data := []byte("checksummed part")
	w := do(h, signedRequest(t, http.MethodPut, "/mpc/k?partNumber=1&uploadId="+id, data,
		signOptions{header: http.Header{"X-Amz-Checksum-Crc32": {crc32Value(data)}}}))
	mustStatus(t, w, 400, "InvalidRequest")

	uploadPartTo(t, h, "/mpc/k", id, 1, data, nil)
	res, err := layer.ListParts(t.Context(), "mpc", "k", id, object.ListPartsOptions{})
	if err != nil || len(res.Parts) != 1 || res.Parts[0].Checksums["SHA256"] == "" {
		t.Fatalf("got %+v, %v, want a part with a SHA256 computed by the server", res, err)
	}
	e1 := `"` + res.Parts[0].ETag + `"`
	body := completeBody(completedPart{PartNumber: 1, ETag: e1})
	w = do(h, signedRequest(t, http.MethodPost, "/mpc/k?uploadId="+id, body, signOptions{}))
	mustStatus(t, w, 200, "")
	var out completeMultipartUploadResult
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.ChecksumSHA256, "-1") ||
		out.ChecksumType != object.ChecksumComposite {
		t.Errorf("got checksum %q type %q, want a composite SHA256 of one part", out.ChecksumSHA256,
			out.ChecksumType)
	}
	w = do(h, signedRequest(t, http.MethodHead, "/mpc/k", nil, signOptions{
		header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}}))
	if w.Header().Get("X-Amz-Checksum-Sha256") != out.ChecksumSHA256 ||
		w.Header().Get("X-Amz-Checksum-Type") != object.ChecksumComposite {
		t.Errorf(
			"HEAD: got %q %q, want the composite checksum",
			w.Header().Get("X-Amz-Checksum-Sha256"),
			w.Header().Get("X-Amz-Checksum-Type"),
		)
	}
}

func TestGetWithPartNumber(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "pnb")
	id := createUpload(t, h, "/pnb/k", nil)
	one := bytes.Repeat([]byte("1"), object.MinPartSize)
	e1 := uploadPartTo(t, h, "/pnb/k", id, 1, one, nil)
	e2 := uploadPartTo(t, h, "/pnb/k", id, 2, []byte("22"), nil)
	body := twoParts(1, e1, 2, e2)
	mustStatus(
		t,
		do(h, signedRequest(t, http.MethodPost, "/pnb/k?uploadId="+id, body, signOptions{})),
		200,
		"",
	)
	if _, err := layer.PutObject(t.Context(), "pnb", "whole", strings.NewReader("abc"), 3,
		object.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	size := strconv.Itoa(len(one) + 2)
	tests := []struct {
		name, target, rng string
		status            int
		body, cRange      string
	}{
		{"part 2 of a multipart object", "/pnb/k?partNumber=2", "", 206, "22",
			"bytes " + strconv.Itoa(len(one)) + "-" + strconv.Itoa(len(one)+1) + "/" + size},
		{"part 3 does not exist", "/pnb/k?partNumber=3", "", 416, "", ""},
		{"part 1 of an object written whole is all of it", "/pnb/whole?partNumber=1", "", 200,
			"abc", ""},
		{"part 2 of an object written whole does not exist", "/pnb/whole?partNumber=2", "", 416,
			"", ""},
		{"a range with a part number is refused", "/pnb/k?partNumber=1", "bytes=0-1", 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hdr := http.Header{}
			if tt.rng != "" {
				hdr.Set("Range", tt.rng)
			}
			w := do(h, signedRequest(t, http.MethodGet, tt.target, nil, signOptions{header: hdr}))
			if w.Code != tt.status {
				t.Fatalf("got %d, want %d: %s", w.Code, tt.status, truncate(w.Body.String()))
			}
			if tt.status >= 300 {
				return
			}
			if w.Body.String() != tt.body || w.Header().Get("Content-Range") != tt.cRange {
				t.Errorf("got %q with Content-Range %q, want %q and %q", truncate(w.Body.String()),
					w.Header().Get("Content-Range"), tt.body, tt.cRange)
			}
			if tt.status == 206 && w.Header().Get("X-Amz-Mp-Parts-Count") != "2" {
				t.Errorf("got parts count %q, want 2", w.Header().Get("X-Amz-Mp-Parts-Count"))
			}
		})
	}
}

func TestUploadPartCopy(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "upc")
	putSource(t, layer) // "src/k" holds "source bytes"
	id := createUpload(t, h, "/upc/k", nil)
	tests := []struct {
		name, rng string
		status    int
		code      string
		want      string
	}{
		{"a range copies those bytes", "bytes=7-11", 200, "", "bytes"},
		{"no range copies the whole source", "", 200, "", "source bytes"},
		{"a range past the end is invalid", "bytes=5-12", 400, "InvalidArgument", ""},
		{"an open range is invalid", "bytes=5-", 400, "InvalidArgument", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{"X-Amz-Copy-Source": {"/src/k"}}
			if tt.rng != "" {
				hdr.Set("X-Amz-Copy-Source-Range", tt.rng)
			}
			n := i + 1
			w := do(h, signedRequest(
				t,
				http.MethodPut,
				fmt.Sprintf(
					"/upc/k?partNumber=%d&uploadId=%s",
					n,
					id,
				),
				nil,
				signOptions{header: hdr},
			))
			mustStatus(t, w, tt.status, tt.code)
			if tt.status != 200 {
				return
			}
			var res copyPartResult
			if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil ||
				res.ETag != `"`+md5Hex([]byte(tt.want))+`"` {
				t.Errorf("got %+v, %v, want the ETag of %q", res, err, tt.want)
			}
		})
	}
}

func TestCompleteChecksExpectedObjectChecksums(t *testing.T) {
	t.Parallel()
	data := []byte("one part")
	composite := func() string {
		h := newCRC32C()
		h.Write(sumOf("CRC32C", data))
		return b64(h.Sum(nil))
	}()
	tests := []struct {
		name   string
		header http.Header
		status int
		code   string
	}{
		{"the composite value without its suffix is accepted",
			http.Header{"X-Amz-Checksum-Crc32c": {composite}, "X-Amz-Checksum-Type": {"COMPOSITE"}},
			200, ""},
		{"the composite value with its suffix is accepted",
			http.Header{"X-Amz-Checksum-Crc32c": {composite + "-1"}}, 200, ""},
		{"another value is a bad digest", http.Header{"X-Amz-Checksum-Crc32c": {"AAAAAA=="}},
			400, "BadDigest"},
		{"another checksum type is refused", http.Header{"X-Amz-Checksum-Type": {"FULL_OBJECT"}},
			400, "InvalidRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "exp")
			id := createUpload(t, h, "/exp/k", http.Header{"X-Amz-Checksum-Algorithm": {"CRC32C"}})
			e1 := uploadPartTo(t, h, "/exp/k", id, 1, data, nil)
			body := completeBody(completedPart{PartNumber: 1, ETag: e1})
			w := do(h, signedRequest(t, http.MethodPost, "/exp/k?uploadId="+id, body,
				signOptions{header: tt.header}))
			mustStatus(t, w, tt.status, tt.code)
			if _, err := layer.HeadObject(t.Context(),
				"exp", "k"); (err == nil) != (tt.status == 200) {
				t.Errorf("got object stored %v, want %v", err == nil, tt.status == 200)
			}
		})
	}
}
