package s3api

import (
	"net/http"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// defaultContentType is what S3 records when an upload names none.
const defaultContentType = "binary/octet-stream"

// maxUserMetadata is the most bytes of x-amz-meta-* names (without the
// prefix) and values one object may carry, as in S3.
const maxUserMetadata = 2 << 10

// objectMetadata reads the metadata an upload stores from its headers:
// the standard headers S3 keeps and the x-amz-meta-* user metadata.
// aws-chunked is a transfer coding of the request, not of the object, so
// it is dropped from Content-Encoding.
func objectMetadata(hdr http.Header) (object.Metadata, error) {
	user, err := userMetadata(hdr)
	if err != nil {
		return object.Metadata{}, err
	}
	return object.Metadata{
		ContentType:        contentType(hdr),
		ContentEncoding:    storedContentEncoding(hdr.Values("Content-Encoding")),
		ContentDisposition: hdr.Get("Content-Disposition"),
		ContentLanguage:    hdr.Get("Content-Language"),
		CacheControl:       hdr.Get("Cache-Control"),
		Expires:            hdr.Get("Expires"),
		UserMetadata:       user,
		StorageClass:       storedStorageClass(hdr.Get("X-Amz-Storage-Class")),
	}, nil
}

// storedStorageClass returns the storage class an upload records: "" for
// STANDARD (S3 names no class for it), else the class. checkStorageClass
// has refused the classes Strata does not keep.
func storedStorageClass(class string) string {
	if class == object.StorageClassStandard {
		return ""
	}
	return class
}

// storedContentEncoding returns the codings of Content-Encoding without
// aws-chunked, joined as HTTP lists them.
func storedContentEncoding(values []string) string {
	var kept []string
	for _, v := range values {
		for _, e := range strings.Split(v, ",") {
			e = strings.TrimSpace(e)
			if e != "" && !strings.EqualFold(e, "aws-chunked") {
				kept = append(kept, e)
			}
		}
	}
	return strings.Join(kept, ",")
}

// userMetadata collects x-amz-meta-* headers, keyed by lowercase name. As
// in S3, the names (without the prefix) and values together may hold at
// most 2 KiB.
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

// setMetadataHeaders writes the stored headers and user metadata of an
// object into an answer.
func setMetadataHeaders(hdr http.Header, md object.Metadata) {
	hdr.Set("Content-Type", md.ContentType)
	if md.ContentType == "" {
		hdr.Set("Content-Type", defaultContentType)
	}
	for _, h := range []struct{ name, value string }{
		{"Content-Encoding", md.ContentEncoding},
		{"Content-Disposition", md.ContentDisposition},
		{"Content-Language", md.ContentLanguage},
		{"Cache-Control", md.CacheControl},
		{"Expires", md.Expires},
	} {
		if h.value != "" {
			hdr.Set(h.name, h.value)
		}
	}
	for k, v := range md.UserMetadata {
		hdr.Set("X-Amz-Meta-"+k, v)
	}
	if md.StorageClass != "" { // S3 omits the header for STANDARD
		hdr.Set("X-Amz-Storage-Class", md.StorageClass)
	}
}

// checkRefusedHeaders refuses, with NotImplemented, the headers of an
// upload whose meaning Strata cannot keep yet, and answers bad ACLs and
// storage classes as S3 does.
func checkRefusedHeaders(hdr http.Header) error {
	if _, ok := hdr["X-Amz-Website-Redirect-Location"]; ok {
		return errNotImplemented("The X-Amz-Website-Redirect-Location header")
	}
	for name := range hdr {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-server-side-encryption") {
			return errNotImplemented("Server-side encryption")
		}
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

// checkStorageClass accepts STANDARD and REDUCED_REDUNDANCY, which the
// object layer stores with its own parity; other S3 classes need tiering,
// which is not built.
func checkStorageClass(class string) error {
	switch class {
	case "", object.StorageClassStandard, object.StorageClassReducedRedundancy:
		return nil
	case "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
		"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE":
		return errNotImplemented("The storage class " + class)
	}
	return errorf("InvalidStorageClass", "The storage class %.40q is not valid.", class)
}
