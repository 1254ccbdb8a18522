package s3api

import (
	"encoding/xml"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// copySource is the object x-amz-copy-source names, and the version when
// named.
type copySource struct {
	bucket, key string
	versionID   string
	named       bool
}

// parseCopySource parses x-amz-copy-source: "bucket/key" or
// "/bucket/key", the key URL-encoded, optionally followed by
// "?versionId=".
func parseCopySource(v string) (copySource, error) {
	var src copySource
	path, query, hasQuery := strings.Cut(v, "?")
	if hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil {
			return copySource{}, invalidArgument("x-amz-copy-source", v,
				"Invalid copy source encoding")
		}
		src.versionID, src.named = q.Get("versionId"), q.Has("versionId")
	}
	decoded, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return copySource{}, invalidArgument("x-amz-copy-source", v, "Invalid copy source encoding")
	}
	bucket, key, ok := strings.Cut(decoded, "/")
	if !ok || bucket == "" || key == "" {
		return copySource{}, invalidArgument("x-amz-copy-source", v, "Copy Source must mention "+
			"the source bucket and key: sourcebucket/sourcekey")
	}
	src.bucket, src.key = bucket, key
	return src, nil
}

// directive reads x-amz-metadata-directive or x-amz-tagging-directive:
// COPY (the default) or REPLACE.
func directive(hdr http.Header, name string) (replace bool, err error) {
	switch v := hdr.Get(name); v {
	case "", "COPY":
		return false, nil
	case "REPLACE":
		return true, nil
	default:
		return false, invalidArgument(name, v, "Unknown "+strings.ToLower(
			strings.TrimSuffix(strings.TrimPrefix(name, "X-Amz-"), "-Directive"))+" directive.")
	}
}

// copyObjectResult is CopyObject's answer.
type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumFields
}

// copyPartResult is UploadPartCopy's answer.
type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumFields
}

// copyObject is CopyObject: PUT /bucket/key with x-amz-copy-source. The
// bytes stream from the source version to the new object, which keeps the
// source's metadata and tags (COPY) or takes the request's (REPLACE). Its
// storage class is the request's x-amz-storage-class, STANDARD when absent,
// whatever the source's. An object may be copied onto itself only to
// replace its metadata or to name its storage class.
func (h *Handler) copyObject(w http.ResponseWriter, req *request) error {
	plan, err := h.planCopy(req)
	if err != nil {
		return err
	}
	info, body, err := h.openCopySource(req, plan.src)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := h.checkQuota(req, info.Size, true); err != nil {
		return err
	}
	opts := plan.opts
	if !plan.replaceMeta {
		opts.Metadata = info.Metadata
		opts.Lock = plan.opts.Lock
		opts.StorageClass = plan.opts.StorageClass // as in S3, never the source's
	}
	if !plan.replaceTags {
		opts.Tags = info.Tags
	}
	sum := newChecksumReader(body, sourceAlgorithm(plan.algorithm, info))
	opts.Checksums = sum.checksums
	out, err := h.layer.PutObject(req.r.Context(), req.bucket, req.key, sum, info.Size, opts)
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Copy-Source-Version-Id", info.VersionID)
	setVersionHeader(w.Header(), "X-Amz-Version-Id", out.VersionID)
	writeXML(w, http.StatusOK, copyObjectResult{Xmlns: s3Namespace, ETag: quoteETag(out.ETag),
		LastModified: formatXMLTime(out.ModTime), ChecksumType: out.ChecksumType,
		checksumFields: newChecksumFields(out.Checksums)})
	return nil
}

// copyPlan is what a CopyObject request asks for.
type copyPlan struct {
	src         copySource
	opts        object.PutOptions // the destination's, from the request
	replaceMeta bool
	replaceTags bool
	algorithm   string // the x-amz-checksum-algorithm asked for, or ""
}

// planCopy reads a CopyObject request's source, directives and
// destination options, and refuses a copy onto itself that changes
// nothing.
func (h *Handler) planCopy(req *request) (copyPlan, error) {
	hdr := req.r.Header
	var p copyPlan
	var err error
	if p.src, err = parseCopySource(hdr.Get("X-Amz-Copy-Source")); err != nil {
		return p, err
	}
	if p.replaceMeta, err = directive(hdr, "X-Amz-Metadata-Directive"); err != nil {
		return p, err
	}
	if p.replaceTags, err = directive(hdr, "X-Amz-Tagging-Directive"); err != nil {
		return p, err
	}
	changesClass := hdr.Get("X-Amz-Storage-Class") != ""
	if p.src.bucket == req.bucket && p.src.key == req.key && !p.src.named && !p.replaceMeta &&
		!changesClass {
		return p, errorf("InvalidRequest", "This copy request is illegal because it is trying "+
			"to copy an object to itself without changing the object's metadata, storage class, "+
			"website redirect location or encryption attributes.")
	}
	if p.opts, err = h.putOptions(req); err != nil {
		return p, err
	}
	if p.opts.Lock, err = h.writeLock(req, false); err != nil {
		return p, err
	}
	p.algorithm, err = copyChecksumAlgorithm(hdr)
	return p, err
}

// openCopySource opens the whole source of a CopyObject once its
// x-amz-copy-source-if-* conditions hold and its size fits one copy.
func (h *Handler) openCopySource(req *request, src copySource) (object.ObjectInfo,
	io.ReadCloser, error) {
	info, body, err := h.getVersion(req.r.Context(), src.bucket, src.key, src.versionID,
		src.named, nil)
	if err != nil {
		return info, nil, err
	}
	if err := checkCopySource(req.r.Header, info); err != nil {
		body.Close()
		return info, nil, err
	}
	if info.Size > maxObjectSize {
		body.Close()
		return info, nil, errorf("InvalidRequest", "The specified copy source is larger than "+
			"the maximum allowable size for a copy source: %d", maxObjectSize)
	}
	return info, body, nil
}

// copyChecksumAlgorithm reads the x-amz-checksum-algorithm a copy asks
// for, "" when none.
func copyChecksumAlgorithm(hdr http.Header) (string, error) {
	name := hdr.Get("X-Amz-Checksum-Algorithm")
	if name == "" {
		return "", nil
	}
	a, ok := checksumByName(name)
	if !ok {
		return "", unsupportedChecksum()
	}
	return a.name, nil
}

// sourceAlgorithm picks the checksum a copy records: the one asked for,
// else the source's algorithm, else the default. As in S3, a composite
// source checksum becomes a full-object one of the same algorithm, since
// the copy is computed over all of its bytes.
func sourceAlgorithm(asked string, src object.ObjectInfo) string {
	if asked != "" {
		return asked
	}
	for alg := range src.Checksums {
		if _, ok := checksumByName(alg); ok {
			return alg
		}
	}
	return defaultChecksum
}

// checksumReader computes one checksum of what passes through it.
type checksumReader struct {
	r   io.Reader
	alg checksumAlgorithm
	h   hash.Hash
}

// newChecksumReader wraps r to compute the checksum named alg.
func newChecksumReader(r io.Reader, alg string) *checksumReader {
	a, _ := checksumByName(alg)
	return &checksumReader{r: r, alg: a, h: a.newHash()}
}

func (c *checksumReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	return n, err
}

// checksums returns the checksum of everything read, keyed by algorithm.
func (c *checksumReader) checksums() map[string]string {
	return map[string]string{c.alg.name: c.alg.encode(c.h)}
}

// uploadPartCopy is UploadPartCopy: PUT /bucket/key?partNumber&uploadId
// with x-amz-copy-source and an optional x-amz-copy-source-range.
func (h *Handler) uploadPartCopy(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	hdr := req.r.Header
	n, err := partNumberArg(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	src, err := parseCopySource(hdr.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	ctx := req.r.Context()
	up, err := m.MultipartUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	body, rng, err := h.openCopyRange(req, src)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := h.checkQuota(req, rng.Length, false); err != nil {
		return err
	}
	alg := up.ChecksumAlgorithm
	if alg == "" {
		alg = defaultChecksum
	}
	sum := newChecksumReader(body, alg)
	p, err := m.PutObjectPart(ctx, req.bucket, req.key, up.UploadID, n, sum, rng.Length,
		object.PartOptions{Checksums: sum.checksums})
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, copyPartResult{Xmlns: s3Namespace, ETag: quoteETag(p.ETag),
		LastModified: formatXMLTime(p.ModTime), checksumFields: newChecksumFields(p.Checksums)})
	return nil
}

// openCopyRange opens the bytes of the source that an UploadPartCopy
// copies, once the x-amz-copy-source-if-* conditions hold. When the source
// changes between sizing and opening it, it tries again.
func (h *Handler) openCopyRange(req *request, src copySource) (io.ReadCloser, object.Range, error) {
	ctx := req.r.Context()
	for attempt := 1; ; attempt++ {
		info, err := h.headVersion(ctx, src.bucket, src.key, src.versionID, src.named)
		if err != nil {
			return nil, object.Range{}, err
		}
		if err := checkCopySource(req.r.Header, info); err != nil {
			return nil, object.Range{}, err
		}
		rng, err := copySourceRange(req.r.Header.Get("X-Amz-Copy-Source-Range"), info.Size)
		if err != nil {
			return nil, object.Range{}, err
		}
		got, body, err := h.getVersion(ctx, src.bucket, src.key, src.versionID, src.named,
			readRange(&rng))
		if err != nil {
			return nil, object.Range{}, err
		}
		if got.ETag == info.ETag && got.Size == info.Size {
			return body, rng, nil
		}
		body.Close()
		if attempt == maxReadAttempts {
			return nil, object.Range{}, errorf("ServiceUnavailable",
				"The copy source kept changing while it was read; retry.")
		}
	}
}

// copySourceRange parses x-amz-copy-source-range, "bytes=first-last"
// inside an object of size bytes; absent, it is the whole object. A part
// copied may hold at most 5 GiB.
func copySourceRange(v string, size int64) (object.Range, error) {
	if v == "" {
		if size > maxObjectSize {
			return object.Range{}, newError("EntityTooLarge")
		}
		return object.Range{Start: 0, Length: size}, nil
	}
	spec, ok := strings.CutPrefix(v, "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	a, errA := strconv.ParseInt(first, 10, 64)
	b, errB := strconv.ParseInt(last, 10, 64)
	if !ok || !ok2 || errA != nil || errB != nil || a < 0 || b < a {
		return object.Range{}, invalidArgument("x-amz-copy-source-range", v,
			"The x-amz-copy-source-range value must be of the form bytes=first-last where first "+
				"and last are the zero-based offsets of the first and last bytes to copy")
	}
	if b >= size {
		return object.Range{}, invalidArgument("x-amz-copy-source-range", v,
			"Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10))
	}
	if b-a+1 > maxObjectSize {
		return object.Range{}, newError("EntityTooLarge")
	}
	return object.Range{Start: a, Length: b - a + 1}, nil
}
