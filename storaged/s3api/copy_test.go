package s3api

import (
	"encoding/xml"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

func TestParseCopySource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, v     string
		bucket, key string
		code        string
	}{
		{"a leading slash is optional", "/src/a/b.txt", "src", "a/b.txt", ""},
		{"no leading slash works too", "src/a/b.txt", "src", "a/b.txt", ""},
		{"the key is URL-decoded", "/src/with%20space%2Bplus%3Fq", "src", "with space+plus?q", ""},
		{"a key with a leading slash keeps it", "/src//notes.txt", "src", "/notes.txt", ""},
		{"the null version is the object", "/src/k?versionId=null", "src", "k", ""},
		{"another version is named", "/src/k?versionId=3HL4kqtJlcpXroDTDmJ", "src", "k", ""},
		{"a bucket alone is invalid", "/src", "", "", "InvalidArgument"},
		{"an empty key is invalid", "/src/", "", "", "InvalidArgument"},
		{"bad encoding is invalid", "/src/%zz", "", "", "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := parseCopySource(tt.v)
			if tt.code != "" {
				if toAPIError(err).code != tt.code {
					t.Fatalf("got %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil || src.bucket != tt.bucket || src.key != tt.key {
				t.Errorf("got %+v, %v, want %s/%s", src, err, tt.bucket, tt.key)
			}
			if _, q, _ := strings.Cut(tt.v, "?versionId="); src.named != (q != "") ||
				src.versionID != q {
				t.Errorf("got version %q (named %v), want %q", src.versionID, src.named, q)
			}
		})
	}
}

// copyRequest signs a CopyObject of src to target with extra headers.
func copyRequest(t *testing.T, target, src string, hdr http.Header) *http.Request {
	t.Helper()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("X-Amz-Copy-Source", src)
	return signedRequest(t, http.MethodPut, target, nil, signOptions{header: hdr})
}

// putSource stores the copy source "src/k" with metadata and tags.
func putSource(t *testing.T, layer *fakeLayer) object.ObjectInfo {
	t.Helper()
	if err := layer.MakeBucket(t.Context(), "src"); err != nil {
		t.Fatal(err)
	}
	info, err := layer.PutObject(t.Context(), "src", "k", strings.NewReader("source bytes"), 12,
		object.PutOptions{Metadata: object.Metadata{ContentType: "text/plain",
			CacheControl: "no-cache", UserMetadata: map[string]string{"a": "1"}},
			Tags: map[string]string{"t": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestCopyObjectKeepsOrReplacesMetadata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		hdr      http.Header
		wantType string
		wantMeta map[string]string
		wantTags map[string]string
	}{
		{"COPY keeps the source's metadata and tags", http.Header{"Content-Type": {"x/ignored"}},
			"text/plain", map[string]string{"a": "1"}, map[string]string{"t": "v"}},
		{"REPLACE takes the request's metadata", http.Header{
			"X-Amz-Metadata-Directive": {"REPLACE"}, "Content-Type": {"image/png"},
			"X-Amz-Meta-B": {"2"}}, "image/png", map[string]string{"b": "2"},
			map[string]string{"t": "v"}},
		{"a tagging REPLACE takes the request's tags", http.Header{
			"X-Amz-Tagging-Directive": {"REPLACE"}, "X-Amz-Tagging": {"new=tag"}},
			"text/plain", map[string]string{"a": "1"}, map[string]string{"new": "tag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "dst")
			src := putSource(t, layer)
			w := do(h, copyRequest(t, "/dst/copy", "/src/k", tt.hdr))
			mustStatus(t, w, http.StatusOK, "")
			var res copyObjectResult
			if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			got, err := layer.HeadObject(t.Context(), "dst", "copy")
			if err != nil {
				t.Fatal(err)
			}
			if res.ETag != `"`+src.ETag+`"` || got.ETag != src.ETag || res.LastModified == "" ||
				res.ChecksumCRC64NVME == "" {
				t.Errorf("got result %+v for %+v, want the source's ETag, a time and a checksum",
					res, got)
			}
			if got.ContentType != tt.wantType || !maps.Equal(got.UserMetadata, tt.wantMeta) ||
				!maps.Equal(got.Tags, tt.wantTags) {
				t.Errorf("got type %q, metadata %v, tags %v; want %q, %v, %v", got.ContentType,
					got.UserMetadata, got.Tags, tt.wantType, tt.wantMeta, tt.wantTags)
			}
			if tt.wantType == "text/plain" && got.CacheControl != "no-cache" {
				t.Errorf("got Cache-Control %q, want the source's", got.CacheControl)
			}
		})
	}
}

func TestCopyObjectOntoItself(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		hdr      http.Header
		status   int
		code     string
		wantType string
	}{
		{"without REPLACE it is an invalid request", nil, 400, "InvalidRequest", "text/plain"},
		{"S12 with REPLACE it applies the new content type", http.Header{
			"X-Amz-Metadata-Directive": {"REPLACE"}, "Content-Type": {"application/json"}},
			200, "", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := newTestHandler(t)
			putSource(t, layer)
			mustStatus(t, do(h, copyRequest(t, "/src/k", "src/k", tt.hdr)), tt.status, tt.code)
			got, err := layer.HeadObject(t.Context(), "src", "k")
			if err != nil || got.ContentType != tt.wantType {
				t.Errorf("got %q, %v, want %q", got.ContentType, err, tt.wantType)
			}
		})
	}
}

func TestCopySourceConditions(t *testing.T) {
	t.Parallel()
	h, layer := withBucket(t, "dst")
	src := putSource(t, layer)
	etag := `"` + src.ETag + `"`
	past := src.ModTime.Add(-time.Hour).Format(http.TimeFormat)
	future := src.ModTime.Add(time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name   string
		hdr    http.Header
		status int
	}{
		{"a matching if-match copies", http.Header{"X-Amz-Copy-Source-If-Match": {etag}}, 200},
		{"a wrong if-match is 412", http.Header{"X-Amz-Copy-Source-If-Match": {`"x"`}}, 412},
		{"a matching if-none-match is 412", http.Header{"X-Amz-Copy-Source-If-None-Match": {etag}},
			412},
		{"a true if-match and a false if-unmodified-since copy", http.Header{
			"X-Amz-Copy-Source-If-Match": {etag}, "X-Amz-Copy-Source-If-Unmodified-Since": {past}},
			200},
		{"a false if-none-match and a true if-modified-since are 412", http.Header{
			"X-Amz-Copy-Source-If-None-Match":     {etag},
			"X-Amz-Copy-Source-If-Modified-Since": {past}}, 412},
		{"an unmodified source since a later date is 412",
			http.Header{"X-Amz-Copy-Source-If-Modified-Since": {future}}, 412},
		{"a source modified since an earlier date copies",
			http.Header{"X-Amz-Copy-Source-If-Modified-Since": {past}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, copyRequest(t, "/dst/c", "/src/k", tt.hdr))
			if w.Code != tt.status {
				t.Fatalf("got %d, want %d: %s", w.Code, tt.status, w.Body.String())
			}
		})
	}
}

func TestCopyObjectRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		src    string
		hdr    http.Header
		status int
		code   string
	}{
		{"a missing source is NoSuchKey", "/src/none", nil, 404, "NoSuchKey"},
		{"a missing source bucket is NoSuchBucket", "/nobucket/k", nil, 404, "NoSuchBucket"},
		{"an unknown directive is invalid", "/src/k",
			http.Header{"X-Amz-Metadata-Directive": {"MERGE"}}, 400, "InvalidArgument"},
		{"a version on a layer without versions is not implemented", "/src/k?versionId=abc", nil,
			501, "NotImplemented"},
		{"an existing destination with If-None-Match star is 412", "/src/k",
			http.Header{"If-None-Match": {"*"}}, 412, "PreconditionFailed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, layer := withBucket(t, "dst")
			putSource(t, layer)
			if _, err := layer.PutObject(t.Context(), "dst", "c", strings.NewReader("x"), 1,
				object.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			mustStatus(t, do(h, copyRequest(t, "/dst/c", tt.src, tt.hdr)), tt.status, tt.code)
		})
	}
}
