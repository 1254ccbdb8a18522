package s3api

import (
	"net/http"
	"net/url"
	"strings"
)

// operationOf names the S3 operation of a request for the metrics, from
// its method, path and sub-resources alone: a fixed set of names, so that
// no request can add a label value. A virtual-hosted request is named as
// if its key's first segment were the bucket.
func operationOf(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodOptions:
		return "PreflightRequest"
	case strings.HasPrefix(r.URL.Path, "/strata/"):
		return "Strata"
	case bucket == "":
		return service(r.Method)
	case key == "":
		return bucketOperation(r.Method, q)
	}
	return objectOperation(r, q)
}

// service names a request to the service itself.
func service(method string) string {
	if method == http.MethodGet {
		return "ListBuckets"
	}
	return "Unknown"
}

// bucketOperation names a request to a bucket.
func bucketOperation(method string, q url.Values) string {
	switch method {
	case http.MethodGet:
		return firstOf(q, "ListObjects", "uploads", "ListMultipartUploads",
			"versions", "ListObjectVersions", "location", "GetBucketLocation",
			"tagging", "GetBucketTagging", "versioning", "GetBucketVersioning",
			"cors", "GetBucketCors")
	case http.MethodPut:
		return firstOf(q, "CreateBucket", "tagging", "PutBucketTagging",
			"versioning", "PutBucketVersioning", "cors", "PutBucketCors")
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodDelete:
		return firstOf(q, "DeleteBucket", "tagging", "DeleteBucketTagging",
			"cors", "DeleteBucketCors")
	case http.MethodPost:
		return firstOf(q, "PostObject", "delete", "DeleteObjects")
	}
	return "Unknown"
}

// objectOperation names a request to an object.
func objectOperation(r *http.Request, q url.Values) string {
	copied := r.Header.Get("X-Amz-Copy-Source") != ""
	switch r.Method {
	case http.MethodGet:
		return firstOf(q, "GetObject", "tagging", "GetObjectTagging",
			"uploadId", "ListParts", "attributes", "GetObjectAttributes")
	case http.MethodHead:
		return "HeadObject"
	case http.MethodPut:
		switch {
		case q.Has("uploadId") && copied:
			return "UploadPartCopy"
		case q.Has("uploadId"):
			return "UploadPart"
		case q.Has("tagging"):
			return "PutObjectTagging"
		case copied:
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodPost:
		return firstOf(q, "Unknown", "uploads", "CreateMultipartUpload",
			"uploadId", "CompleteMultipartUpload")
	case http.MethodDelete:
		return firstOf(q, "DeleteObject", "uploadId", "AbortMultipartUpload",
			"tagging", "DeleteObjectTagging")
	}
	return "Unknown"
}

// firstOf returns the operation paired with the first sub-resource of
// pairs (sub-resource, operation, …) that q holds, or def.
func firstOf(q url.Values, def string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if q.Has(pairs[i]) {
			return pairs[i+1]
		}
	}
	return def
}
