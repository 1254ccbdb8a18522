package s3api

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// maxCompleteBody bounds a CompleteMultipartUpload body: 10000 parts with
// every checksum fit well inside.
const maxCompleteBody = 4 << 20

// initiateMultipartUploadResult is CreateMultipartUpload's answer.
type initiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// checksumFields are the optional checksum elements of several answers.
type checksumFields struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumSHA512    string `xml:"ChecksumSHA512,omitempty"`
	ChecksumMD5       string `xml:"ChecksumMD5,omitempty"`
	ChecksumXXHASH64  string `xml:"ChecksumXXHASH64,omitempty"`
	ChecksumXXHASH3   string `xml:"ChecksumXXHASH3,omitempty"`
	ChecksumXXHASH128 string `xml:"ChecksumXXHASH128,omitempty"`
}

// newChecksumFields fills the elements from a checksum map.
func newChecksumFields(sums map[string]string) checksumFields {
	var c checksumFields
	for alg, v := range sums {
		if f := c.field(alg); f != nil {
			*f = v
		}
	}
	return c
}

// field returns the element of the algorithm S3 calls alg, nil for an
// unknown one.
func (c *checksumFields) field(alg string) *string {
	switch alg {
	case "CRC32":
		return &c.ChecksumCRC32
	case "CRC32C":
		return &c.ChecksumCRC32C
	case "CRC64NVME":
		return &c.ChecksumCRC64NVME
	case "SHA1":
		return &c.ChecksumSHA1
	case "SHA256":
		return &c.ChecksumSHA256
	case "SHA512":
		return &c.ChecksumSHA512
	case "MD5":
		return &c.ChecksumMD5
	case "XXHASH64":
		return &c.ChecksumXXHASH64
	case "XXHASH3":
		return &c.ChecksumXXHASH3
	case "XXHASH128":
		return &c.ChecksumXXHASH128
	}
	return nil
}

// checksums returns the elements that are set, keyed by algorithm.
func (c checksumFields) checksums() map[string]string {
	out := map[string]string{}
	for _, alg := range strings.Split(checksumNames, ", ") {
		if v := *c.field(alg); v != "" {
			out[alg] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// completeMultipartUpload is CompleteMultipartUpload's body.
type completeMultipartUpload struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []completedPart `xml:"Part"`
}

type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

// completeMultipartUploadResult is CompleteMultipartUpload's answer.
type completeMultipartUploadResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// parseCompleteMultipartUpload decodes a CompleteMultipartUpload body: 1 to
// 10000 parts with part numbers in range. Order and ETags are the object
// layer's to check.
func parseCompleteMultipartUpload(body []byte) ([]object.CompletePart, error) {
	var c completeMultipartUpload
	if err := xml.Unmarshal(bytes.TrimSpace(body), &c); err != nil || len(c.Parts) == 0 ||
		len(c.Parts) > object.MaxPartNumber {
		return nil, newError("MalformedXML")
	}
	out := make([]object.CompletePart, len(c.Parts))
	for i, p := range c.Parts {
		if p.PartNumber < 1 || p.PartNumber > object.MaxPartNumber {
			return nil, invalidArgument("PartNumber", strconv.Itoa(p.PartNumber),
				"Part number must be an integer between 1 and 10000, inclusive")
		}
		out[i] = object.CompletePart{Number: p.PartNumber, ETag: p.ETag,
			Checksums: p.checksums()}
	}
	return out, nil
}

// partNumberArg parses a partNumber argument.
func partNumberArg(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > object.MaxPartNumber {
		return 0, invalidArgument("partNumber", v,
			"Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, nil
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type of
// CreateMultipartUpload.
func uploadChecksum(hdr http.Header) (alg, typ string, err error) {
	name, typ := hdr.Get("X-Amz-Checksum-Algorithm"),
		strings.ToUpper(hdr.Get("X-Amz-Checksum-Type"))
	if name == "" {
		if typ != "" {
			return "", "", errorf("InvalidRequest", "The x-amz-checksum-type header can only be "+
				"used with the x-amz-checksum-algorithm header.")
		}
		return "", "", nil
	}
	a, ok := checksumByName(name)
	if !ok {
		return "", "", unsupportedChecksum()
	}
	typ, err = checksumTypeFor(a.name, typ)
	return a.name, typ, err
}

// createMultipartUpload is CreateMultipartUpload: POST /bucket/key?uploads.
func (h *Handler) createMultipartUpload(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	hdr := req.r.Header
	if len(req.key) > maxKeyLength {
		return newError("KeyTooLongError")
	}
	if err := checkRefusedHeaders(hdr); err != nil {
		return err
	}
	md, err := objectMetadata(hdr)
	if err != nil {
		return err
	}
	if md.Lock, err = h.writeLock(req, false); err != nil {
		return err
	}
	tags, err := tagsHeader(hdr)
	if err != nil {
		return err
	}
	alg, typ, err := uploadChecksum(hdr)
	if err != nil {
		return err
	}
	up, err := m.NewMultipartUpload(req.r.Context(), req.bucket, req.key,
		object.UploadOptions{Metadata: md, Tags: tags, ChecksumAlgorithm: alg, ChecksumType: typ})
	if err != nil {
		return err
	}
	if alg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", alg)
		w.Header().Set("X-Amz-Checksum-Type", typ)
	}
	writeXML(w, http.StatusOK, initiateMultipartUploadResult{Xmlns: s3Namespace,
		Bucket: req.bucket, Key: req.key, UploadID: up.UploadID})
	return nil
}

// uploadPart is UploadPart: PUT /bucket/key?partNumber=N&uploadId=ID, with
// every payload and checksum mode PutObject takes. A part of an upload
// that names a checksum algorithm carries that algorithm's checksum.
func (h *Handler) uploadPart(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	n, err := partNumberArg(req.query.Get("partNumber"))
	if err != nil {
		return err
	}
	ctx := req.r.Context()
	up, err := m.MultipartUpload(ctx, req.bucket, req.key, req.query.Get("uploadId"))
	if err != nil {
		return err
	}
	body, size, err := h.requestBodyWith(req, maxObjectSize, up.ChecksumAlgorithm)
	if err != nil {
		return err
	}
	if err := h.checkQuota(req, size, false); err != nil {
		return err
	}
	p, err := m.PutObjectPart(ctx, req.bucket, req.key, up.UploadID, n, body, size,
		object.PartOptions{Checksums: body.Checksums})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(p.ETag))
	setChecksumHeaders(w.Header(), p.Checksums, "")
	w.WriteHeader(http.StatusOK)
	return nil
}

// completeMultipartUpload is CompleteMultipartUpload: POST
// /bucket/key?uploadId=ID.
func (h *Handler) completeMultipartUpload(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	pre, err := writePrecondition(req.r.Header)
	if err != nil {
		return err
	}
	body, _, err := h.openBody(req, maxCompleteBody, "", http.Header{})
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	parts, err := parseCompleteMultipartUpload(raw)
	if err != nil {
		return err
	}
	expected := expectedChecksums(req.r.Header)
	info, err := m.CompleteMultipartUpload(req.r.Context(), req.bucket, req.key,
		req.query.Get("uploadId"), parts,
		object.CompleteOptions{Precondition: pre,
			Checksums: h.checkCompleteQuota(req, checksumsExpecting(expected))})
	if err != nil {
		return err
	}
	res := completeMultipartUploadResult{Xmlns: s3Namespace, Location: objectURL(req),
		Bucket: req.bucket, Key: req.key, ETag: quoteETag(info.ETag),
		checksumFields: newChecksumFields(info.Checksums), ChecksumType: info.ChecksumType}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", info.VersionID)
	writeXML(w, http.StatusOK, res)
	return nil
}

// checksumsExpecting returns the object.CompleteOptions.Checksums of a
// completion whose client expects the checksums in expected.
func checksumsExpecting(expected map[string]string) func(object.UploadInfo,
	[]object.PartInfo) (map[string]string, string, error) {
	return func(up object.UploadInfo, parts []object.PartInfo) (map[string]string, string, error) {
		sums, typ, err := completeChecksums(up, parts)
		if err != nil {
			return nil, "", err
		}
		return sums, typ, checkExpectedChecksums(expected, sums, typ)
	}
}

// expectedChecksums reads the x-amz-checksum-* headers of a
// CompleteMultipartUpload, which name the checksum the client expects the
// object to get (as "-N"-less base64), and x-amz-checksum-type.
func expectedChecksums(hdr http.Header) map[string]string {
	out := map[string]string{}
	for name, values := range hdr {
		if alg, ok := checksumByHeader(name); ok && len(values) > 0 {
			out[alg.name] = strings.TrimSpace(values[0])
		}
	}
	if v := hdr.Get("X-Amz-Checksum-Type"); v != "" {
		out["type"] = strings.ToUpper(v)
	}
	return out
}

// checkExpectedChecksums compares the object checksum a completion
// computed with what the client expects: a different value of the same
// algorithm is BadDigest, a different type InvalidRequest. Algorithms the
// completion did not compute are not checked.
func checkExpectedChecksums(expected, sums map[string]string, typ string) error {
	if want, ok := expected["type"]; ok && typ != "" && want != typ {
		return errorf("InvalidRequest", "The upload was created using the %s checksum mode. "+
			"The complete request must use the same checksum mode.", typ)
	}
	for alg, got := range sums {
		want, ok := expected[alg]
		if !ok {
			continue
		}
		base, _, _ := strings.Cut(got, "-")
		wantBase, _, _ := strings.Cut(want, "-")
		if base != wantBase {
			return errorf("BadDigest", "The %s you specified did not match the calculated "+
				"checksum of the object.", alg)
		}
	}
	return nil
}

// objectURL is the path-style URL of the request's object.
func objectURL(req *request) string {
	scheme := "http"
	if req.r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: req.r.Host, Path: "/" + req.bucket + "/" + req.key}
	return u.String()
}

// abortMultipartUpload is AbortMultipartUpload: DELETE
// /bucket/key?uploadId=ID.
func (h *Handler) abortMultipartUpload(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	if err := m.AbortMultipartUpload(req.r.Context(), req.bucket, req.key,
		req.query.Get("uploadId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
