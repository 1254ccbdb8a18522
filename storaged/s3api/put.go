package s3api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// Limits of a single PutObject, as in S3.
const (
	maxObjectSize   = 5 << 30
	maxKeyLength    = 1024
	maxUserMetadata = 2 << 10
)

// defaultContentType is what S3 records when an upload names none.
const defaultContentType = "binary/octet-stream"

// putObject is PutObject: PUT /bucket/key.
func (h *Handler) putObject(w http.ResponseWriter, req *request) error {
	if len(req.key) > maxKeyLength {
		return newError("KeyTooLongError")
	}
	if err := checkPutHeaders(req.r.Header); err != nil {
		return err
	}
	meta, err := userMetadata(req.r.Header)
	if err != nil {
		return err
	}
	body, size, err := h.requestBody(req, maxObjectSize)
	if err != nil {
		return err
	}
	opts := object.PutOptions{
		ContentType:  contentType(req.r.Header),
		UserMetadata: meta,
		Checksums:    body.Checksums,
	}
	info, err := h.layer.PutObject(req.r.Context(), req.bucket, req.key, body, size, opts)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(info.ETag))
	setChecksumHeaders(w.Header(), body.Checksums())
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkPutHeaders refuses, with NotImplemented, every PutObject header
// whose meaning Strata cannot keep yet, and bad storage classes.
func checkPutHeaders(hdr http.Header) error {
	for _, name := range []string{"If-Match", "If-None-Match", "X-Amz-Tagging",
		"X-Amz-Website-Redirect-Location", "X-Amz-Object-Lock-Mode",
		"X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Object-Lock-Legal-Hold",
		"Cache-Control", "Content-Disposition", "Content-Language", "Expires"} {
		if _, ok := hdr[name]; ok {
			return errNotImplemented("The " + name + " header on PutObject")
		}
	}
	for name := range hdr {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-server-side-encryption") {
			return errNotImplemented("Server-side encryption")
		}
	}
	if err := checkContentEncoding(hdr.Get("Content-Encoding")); err != nil {
		return err
	}
	if acl := hdr.Get("X-Amz-Acl"); acl != "" && acl != "private" &&
		acl != "bucket-owner-full-control" {
		return errorf("AccessControlListNotSupported", "The bucket does not allow ACLs "+
			"(x-amz-acl: %.40s).", acl)
	}
	if err := checkNoGrants(hdr); err != nil {
		return err
	}
	return checkStorageClass(hdr.Get("X-Amz-Storage-Class"))
}

// checkContentEncoding accepts only the aws-chunked transfer coding: a
// stored Content-Encoding cannot be kept yet.
func checkContentEncoding(v string) error {
	for _, e := range strings.Split(v, ",") {
		e = strings.TrimSpace(e)
		if e != "" && !strings.EqualFold(e, "aws-chunked") {
			return errNotImplemented("Storing Content-Encoding " + e)
		}
	}
	return nil
}

// checkStorageClass accepts STANDARD; other S3 classes are not built.
func checkStorageClass(class string) error {
	switch class {
	case "", "STANDARD":
		return nil
	case "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE":
		return errNotImplemented("The storage class " + class)
	}
	return errorf("InvalidStorageClass", "The storage class %.40q is not valid.", class)
}

// userMetadata collects x-amz-meta-* headers, keyed by lowercase name.
func userMetadata(hdr http.Header) (map[string]string, error) {
	const prefix = "x-amz-meta-"
	meta := map[string]string{}
	total := 0
	for name, values := range hdr {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, prefix) || len(lower) == len(prefix) {
			continue
		}
		key, value := lower[len(prefix):], strings.Join(values, ",")
		meta[key] = value
		total += len(key) + len(value)
	}
	if total > maxUserMetadata {
		return nil, errorf("MetadataTooLarge", "Your metadata headers hold %d bytes; "+
			"the limit is %d.", total, maxUserMetadata)
	}
	return meta, nil
}

func contentType(hdr http.Header) string {
	if v := hdr.Get("Content-Type"); v != "" {
		return v
	}
	return defaultContentType
}

// setChecksumHeaders writes x-amz-checksum-* for each recorded checksum.
func setChecksumHeaders(hdr http.Header, checksums map[string]string) {
	names := make([]string, 0, len(checksums))
	for name := range checksums {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if alg, ok := checksumByName(name); ok {
			hdr.Set(alg.header(), checksums[name])
			hdr.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
		}
	}
}
