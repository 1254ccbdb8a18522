package s3api

import (
	"net/http"
	"sort"

	"github.com/strata-storage/strata/storaged/object"
)

// Limits of a single PutObject, as in S3.
const (
	maxObjectSize = 5 << 30
	maxKeyLength  = 1024
)

// putObject is PutObject: PUT /bucket/key.
func (h *Handler) putObject(w http.ResponseWriter, req *request) error {
	opts, err := h.putOptions(req)
	if err != nil {
		return err
	}
	if opts.Lock, err = h.writeLock(req, true); err != nil {
		return err
	}
	if err := h.precheck(req, opts.Precondition); err != nil {
		return err
	}
	body, size, err := h.requestBody(req, maxObjectSize)
	if err != nil {
		return err
	}
	if err := h.checkQuota(req, size, true); err != nil {
		return err
	}
	opts.Checksums = body.Checksums
	info, err := h.layer.PutObject(req.r.Context(), req.bucket, req.key, body, size, opts)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(info.ETag))
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	setChecksumHeaders(w.Header(), body.Checksums(), object.ChecksumFullObject)
	w.WriteHeader(http.StatusOK)
	return nil
}

// putOptions reads what a PutObject stores beside the bytes, and its
// conditions, from the request's headers.
func (h *Handler) putOptions(req *request) (object.PutOptions, error) {
	hdr := req.r.Header
	if len(req.key) > maxKeyLength {
		return object.PutOptions{}, newError("KeyTooLongError")
	}
	if err := checkRefusedHeaders(hdr); err != nil {
		return object.PutOptions{}, err
	}
	md, err := objectMetadata(hdr)
	if err != nil {
		return object.PutOptions{}, err
	}
	tags, err := tagsHeader(hdr)
	if err != nil {
		return object.PutOptions{}, err
	}
	pre, err := writePrecondition(hdr)
	if err != nil {
		return object.PutOptions{}, err
	}
	return object.PutOptions{Metadata: md, Tags: tags, Precondition: pre}, nil
}

// setChecksumHeaders writes x-amz-checksum-* for each recorded checksum,
// and their type.
func setChecksumHeaders(hdr http.Header, checksums map[string]string, typ string) {
	names := make([]string, 0, len(checksums))
	for name := range checksums {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if alg, ok := checksumByName(name); ok {
			hdr.Set(alg.header(), checksums[name])
		}
		if typ != "" {
			hdr.Set("X-Amz-Checksum-Type", typ)
		}
	}
}
