package s3api

import (
	"net/http"
	"sort"
)

// operation answers one kind of S3 request. It writes a success answer
// itself and returns an error, without writing, when it fails.
type operation func(http.ResponseWriter, *request) error

// route picks the operation of an authenticated request from its method,
// path and sub-resources. What Strata does not do is NotImplemented.
func (h *Handler) route(req *request) (operation, error) {
	if req.bucket == "" {
		return h.routeService(req)
	}
	if req.bucket == reservedBucket {
		return nil, errorf("InvalidBucketName", "The bucket name %q is reserved by Strata "+
			"for its health endpoints.", reservedBucket)
	}
	if sub := unsupportedSubresource(req); sub != "" {
		return nil, errNotImplemented("The ?" + sub + " sub-resource")
	}
	if req.key == "" {
		return h.routeBucket(req)
	}
	return h.routeObject(req)
}

func (h *Handler) routeService(req *request) (operation, error) {
	if req.r.Method == http.MethodGet {
		return h.listBuckets, nil
	}
	return nil, newError("MethodNotAllowed")
}

func (h *Handler) routeBucket(req *request) (operation, error) {
	q := req.query
	switch req.r.Method {
	case http.MethodPut:
		switch {
		case q.Has("cors"):
			return h.putBucketCors, nil
		case q.Has("lifecycle"):
			return h.putBucketLifecycle, nil
		case q.Has("object-lock"):
			return h.putBucketObjectLock, nil
		case q.Has("tagging"):
			return h.putBucketTagging, nil
		case q.Has("versioning"):
			return h.putBucketVersioning, nil
		case q.Has("policy"):
			return h.putBucketPolicy, nil
		}
		return h.createBucket, nil
	case http.MethodHead:
		return h.headBucket, nil
	case http.MethodDelete:
		switch {
		case q.Has("cors"):
			return h.deleteBucketCors, nil
		case q.Has("lifecycle"):
			return h.deleteBucketLifecycle, nil
		case q.Has("tagging"):
			return h.deleteBucketTagging, nil
		case q.Has("policy"):
			return h.deleteBucketPolicy, nil
		}
		return h.deleteBucket, nil
	case http.MethodPost:
		if q.Has("delete") {
			return h.afterDelete(h.deleteObjects), nil
		}
		return h.postObject, nil
	case http.MethodGet:
		return h.routeBucketGet(req)
	}
	return nil, newError("MethodNotAllowed")
}

func (h *Handler) routeBucketGet(req *request) (operation, error) {
	q := req.query
	switch {
	case q.Has("cors"):
		return h.getBucketCors, nil
	case q.Has("lifecycle"):
		return h.getBucketLifecycle, nil
	case q.Has("location"):
		return h.getBucketLocation, nil
	case q.Has("object-lock"):
		return h.getBucketObjectLock, nil
	case q.Has("policy"):
		return h.getBucketPolicy, nil
	case q.Has("policyStatus"):
		return h.getBucketPolicyStatus, nil
	case q.Has("tagging"):
		return h.getBucketTagging, nil
	case q.Has("uploads"):
		return h.listMultipartUploads, nil
	case q.Has("versioning"):
		return h.getBucketVersioning, nil
	case q.Has("versions"):
		return h.listObjectVersions, nil
	case !q.Has("list-type"):
		return h.listObjectsV1, nil
	case q.Get("list-type") == "2":
		return h.listObjectsV2, nil
	}
	e := errorf("InvalidArgument", "Invalid list type specified.")
	e.fields.ArgumentName, e.fields.ArgumentValue = "list-type", q.Get("list-type")
	return nil, e
}

func (h *Handler) routeObject(req *request) (operation, error) {
	q := req.query
	switch req.r.Method {
	case http.MethodPut:
		return h.routeObjectPut(req)
	case http.MethodGet:
		switch {
		case q.Has("attributes"):
			return h.getObjectAttributes, nil
		case q.Has("legal-hold"):
			return h.getObjectLegalHold, nil
		case q.Has("retention"):
			return h.getObjectRetention, nil
		case q.Has("tagging"):
			return h.getObjectTagging, nil
		case q.Has("uploadId"):
			return h.listParts, nil
		}
		return h.getObject, nil
	case http.MethodHead:
		return h.headObject, nil
	case http.MethodDelete:
		switch {
		case q.Has("tagging"):
			return h.deleteObjectTagging, nil
		case q.Has("uploadId"):
			return h.abortMultipartUpload, nil
		}
		return h.afterDelete(h.deleteObject), nil
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return h.createMultipartUpload, nil
		case q.Has("uploadId"):
			return h.completeMultipartUpload, nil
		}
		return nil, errNotImplemented("POST on an object (restore, select)")
	}
	return nil, newError("MethodNotAllowed")
}

func (h *Handler) routeObjectPut(req *request) (operation, error) {
	q := req.query
	copying := req.r.Header.Get("X-Amz-Copy-Source") != ""
	switch {
	case q.Has("legal-hold"):
		return h.putObjectLegalHold, nil
	case q.Has("retention"):
		return h.putObjectRetention, nil
	case q.Has("tagging"):
		return h.putObjectTagging, nil
	case q.Has("uploadId") != q.Has("partNumber"):
		return nil, errorf("InvalidRequest", "An upload of a part needs both the uploadId and "+
			"the partNumber arguments.")
	case q.Has("uploadId") && copying:
		return h.uploadPartCopy, nil
	case q.Has("uploadId"):
		return h.uploadPart, nil
	case copying:
		return h.copyObject, nil
	}
	return h.putObject, nil
}

// unsupportedSubresource returns the first S3 sub-resource in the query
// that Strata does not serve for this request, or "".
func unsupportedSubresource(req *request) string {
	names := make([]string, 0, len(req.query))
	for name := range req.query {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if isSubresource(name) && !servedSubresource(req, name) {
			return name
		}
	}
	return ""
}

// servedSubresource reports whether Strata serves sub-resource name for
// the request's method at its level (bucket or object).
func servedSubresource(req *request, name string) bool {
	bucketLevel, method := req.key == "", req.r.Method
	switch name {
	case "versionId":
		return !bucketLevel && (method == http.MethodGet || method == http.MethodHead ||
			method == http.MethodDelete || req.query.Has("tagging") ||
			req.query.Has("retention") || req.query.Has("legal-hold")) ||
			req.query.Get(name) == "null"
	case "versioning":
		return bucketLevel && (method == http.MethodGet || method == http.MethodPut)
	case "versions":
		return bucketLevel && method == http.MethodGet
	case "location", "policyStatus":
		return bucketLevel && method == http.MethodGet
	case "object-lock":
		return bucketLevel && (method == http.MethodGet || method == http.MethodPut)
	case "retention", "legal-hold":
		return !bucketLevel && (method == http.MethodGet || method == http.MethodPut)
	case "policy":
		return bucketLevel && (method == http.MethodGet || method == http.MethodPut ||
			method == http.MethodDelete)
	case "attributes":
		return !bucketLevel && method == http.MethodGet
	case "cors", "lifecycle":
		return bucketLevel && (method == http.MethodGet || method == http.MethodPut ||
			method == http.MethodDelete)
	case "delete":
		return bucketLevel && method == http.MethodPost
	case "tagging":
		return method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete
	case "uploads":
		return bucketLevel == (method == http.MethodGet) &&
			(method == http.MethodGet || method == http.MethodPost)
	case "uploadId":
		return !bucketLevel && method != http.MethodHead
	case "partNumber":
		return !bucketLevel && (method == http.MethodPut || method == http.MethodGet ||
			method == http.MethodHead)
	}
	return false
}

// isSubresource reports whether a query parameter selects an S3
// sub-resource (a different operation), as opposed to an argument.
func isSubresource(name string) bool {
	switch name {
	case "abac", "accelerate", "acl", "analytics", "attributes", "cors", "delete",
		"encryption", "intelligent-tiering", "inventory", "legal-hold", "lifecycle",
		"location", "logging", "metadataConfiguration", "metadataTable", "metrics",
		"notification", "object-lock", "ownershipControls", "partNumber", "policy",
		"policyStatus", "publicAccessBlock", "renameObject", "replication",
		"requestPayment", "restore", "retention", "select", "select-type", "session",
		"tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
		"versions", "website":
		return true
	}
	return false
}
