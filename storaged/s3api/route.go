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
		return h.createBucket, nil
	case http.MethodHead:
		return h.headBucket, nil
	case http.MethodDelete:
		return h.deleteBucket, nil
	case http.MethodPost:
		if q.Has("delete") {
			return h.deleteObjects, nil
		}
		return nil, errNotImplemented("POST Object (browser form upload)")
	case http.MethodGet:
		return h.routeBucketGet(req)
	}
	return nil, newError("MethodNotAllowed")
}

func (h *Handler) routeBucketGet(req *request) (operation, error) {
	q := req.query
	switch {
	case q.Has("location"):
		return h.getBucketLocation, nil
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
	switch req.r.Method {
	case http.MethodPut:
		if req.r.Header.Get("X-Amz-Copy-Source") != "" {
			return nil, errNotImplemented("CopyObject")
		}
		return h.putObject, nil
	case http.MethodGet:
		return h.getObject, nil
	case http.MethodHead:
		return h.headObject, nil
	case http.MethodDelete:
		return h.deleteObject, nil
	case http.MethodPost:
		return nil, errNotImplemented("POST on an object (multipart uploads, restore, select)")
	}
	return nil, newError("MethodNotAllowed")
}

// unsupportedSubresource returns the first S3 sub-resource in the query
// that Strata does not serve for this request, or "".
func unsupportedSubresource(req *request) string {
	names := make([]string, 0, len(req.query))
	for name := range req.query {
		names = append(names, name)
	}
	sort.Strings(names)
	bucketLevel, method := req.key == "", req.r.Method
	for _, name := range names {
		switch {
		case !isSubresource(name):
		case name == "versionId" && req.query.Get(name) == "null":
		case bucketLevel && name == "location" && method == http.MethodGet:
		case bucketLevel && name == "delete" && method == http.MethodPost:
		default:
			return name
		}
	}
	return ""
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
