package s3api

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// verifiedBody reads a request body and checks it at its end: the signed
// payload SHA-256, Content-MD5 and the additional checksum (from a header
// or a trailer). On any mismatch it returns an error instead of io.EOF,
// so the object layer never commits a bad body.
type verifiedBody struct {
	src       io.Reader
	max       int64
	n         int64
	sha256    hash.Hash
	wantSHA   []byte
	md5       hash.Hash
	wantMD5   []byte
	alg       checksumAlgorithm
	sum       hash.Hash
	wantSum   func() (string, bool) // the client's value, if it sent one
	checksums map[string]string
	err       error
}

// Read implements io.Reader.
func (v *verifiedBody) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.src.Read(p)
	if n > 0 {
		v.consume(p[:n])
	}
	if v.n > v.max {
		err = newError("EntityTooLarge")
	}
	if err == io.EOF {
		if verr := v.verify(); verr != nil {
			err = verr
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifiedBody) consume(p []byte) {
	v.n += int64(len(p))
	v.sum.Write(p)
	if v.sha256 != nil {
		v.sha256.Write(p)
	}
	if v.md5 != nil {
		v.md5.Write(p)
	}
}

// verify checks what the client declared once the body has ended.
func (v *verifiedBody) verify() error {
	if v.sha256 != nil && !bytes.Equal(v.sha256.Sum(nil), v.wantSHA) {
		return newError("XAmzContentSHA256Mismatch")
	}
	if v.md5 != nil && !bytes.Equal(v.md5.Sum(nil), v.wantMD5) {
		return errorf("BadDigest", "The Content-MD5 you specified did not match what we received.")
	}
	got := v.alg.encode(v.sum)
	if want, ok := v.wantSum(); ok {
		if !v.alg.validValue(want) {
			return errorf("InvalidRequest", "Value for %s trailing header is invalid.",
				v.alg.header())
		}
		if want != got {
			return errorf("BadDigest", "The %s you specified did not match the calculated "+
				"checksum.", v.alg.name)
		}
	}
	v.checksums = map[string]string{v.alg.name: got}
	return nil
}

// Checksums returns the recorded checksums; it is object.PutOptions'
// Checksums hook and is valid once the body has been read to io.EOF.
func (v *verifiedBody) Checksums() map[string]string {
	return v.checksums
}

// requestBody builds the verified reader over req's body and returns it
// with the payload length (-1 when unknown). Bodies over max are refused.
func (h *Handler) requestBody(req *request, max int64) (*verifiedBody, int64, error) {
	return h.requestBodyWith(req, max, "")
}

// requestBodyWith is requestBody for a body that must carry the checksum
// algorithm alg (a part of an upload that names one): a body declaring
// another is refused, and one declaring none gets alg computed. alg ""
// means any algorithm, CRC64NVME by default.
func (h *Handler) requestBodyWith(req *request, max int64,
	alg string) (*verifiedBody, int64, error) {
	return h.openBody(req, max, alg, req.r.Header)
}

// openBody is requestBodyWith that looks for x-amz-checksum-* headers in
// sumHeaders: empty for a request whose checksum headers describe
// something other than its body (the object CompleteMultipartUpload
// makes).
func (h *Handler) openBody(req *request, max int64, alg string,
	sumHeaders http.Header) (*verifiedBody, int64, error) {
	r := req.r
	src, size, chunked, err := h.decodedBody(req)
	if err != nil {
		return nil, 0, err
	}
	if size > max {
		return nil, 0, newError("EntityTooLarge")
	}
	v := &verifiedBody{src: src, max: max}
	if req.payload == payloadHashed {
		v.sha256, v.wantSHA = sha256.New(), req.payloadSHA256
	}
	if v.wantMD5, err = contentMD5(r.Header); err != nil {
		return nil, 0, err
	}
	if v.wantMD5 != nil {
		v.md5 = md5.New()
	}
	if err := v.setChecksum(sumHeaders, chunked, alg); err != nil {
		return nil, 0, err
	}
	return v, size, nil
}

// decodedBody returns the body's payload reader: the aws-chunked decoder
// for streaming payloads, the raw body otherwise.
func (h *Handler) decodedBody(req *request) (io.Reader, int64, *chunkedReader, error) {
	r := req.r
	if !req.payload.streaming() {
		if hasAWSChunkedEncoding(r.Header.Get("Content-Encoding")) {
			return nil, 0, nil, errorf("InvalidRequest", "Content-Encoding aws-chunked needs "+
				"a STREAMING-* x-amz-content-sha256.")
		}
		if r.Header.Get("X-Amz-Trailer") != "" {
			return nil, 0, nil, errorf("InvalidRequest", "x-amz-trailer needs a "+
				"STREAMING-* x-amz-content-sha256 and Content-Encoding: aws-chunked.")
		}
		return r.Body, r.ContentLength, nil, nil
	}
	size, err := decodedContentLength(r.Header)
	if err != nil {
		return nil, 0, nil, err
	}
	names, err := trailerNames(r.Header, req.payload)
	if err != nil {
		return nil, 0, nil, err
	}
	var signer *chunkSigner
	if req.payload.signedChunks() {
		s := req.signing
		signer = &chunkSigner{key: s.key, amzDate: s.amzDate, scope: s.scope, prev: s.seedSignature}
	}
	c := newChunkedReader(r.Body, size, signer, req.payload.hasTrailer(), names)
	return c, size, c, nil
}

// decodedContentLength reads x-amz-decoded-content-length, which every
// streaming upload must send.
func decodedContentLength(hdr http.Header) (int64, error) {
	v := hdr.Get("X-Amz-Decoded-Content-Length")
	if v == "" {
		return 0, errorf("MissingContentLength", "You must provide the "+
			"x-amz-decoded-content-length header with an aws-chunked body.")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf("InvalidArgument", "x-amz-decoded-content-length %.30q is not a "+
			"byte count.", v)
	}
	return n, nil
}

// trailerNames parses x-amz-trailer: only checksum trailers are accepted.
func trailerNames(hdr http.Header, mode payloadMode) ([]string, error) {
	v := strings.TrimSpace(strings.Join(hdr.Values("X-Amz-Trailer"), ","))
	if v == "" {
		return nil, nil
	}
	if !mode.hasTrailer() {
		return nil, errorf("InvalidRequest", "x-amz-trailer needs x-amz-content-sha256 %s "+
			"or %s.", streamingUnsignedTrailer, streamingSignedTrailer)
	}
	var names []string
	for _, n := range strings.Split(v, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if _, ok := checksumByHeader(n); !ok {
			return nil, errorf("InvalidRequest", "The trailer %.60q is not supported; "+
				"x-amz-trailer may name one x-amz-checksum-* header.", n)
		}
		names = append(names, n)
	}
	return names, nil
}

// contentMD5 decodes a Content-MD5 header; nil when absent.
func contentMD5(hdr http.Header) ([]byte, error) {
	values, ok := hdr["Content-Md5"]
	if !ok {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(values[0]))
	if len(values) != 1 || err != nil || len(sum) != md5.Size {
		return nil, newError("InvalidDigest")
	}
	return sum, nil
}

// setChecksum picks the additional checksum to compute: the one the
// client sent as a header or declared as a trailer, or else required, or
// else the default.
func (v *verifiedBody) setChecksum(hdr http.Header, chunked *chunkedReader, required string) error {
	alg, source, err := requestedChecksum(hdr, chunked)
	if err != nil {
		return err
	}
	if required != "" {
		if source != "" && alg.name != required {
			return errorf("InvalidRequest", "Checksum Type mismatch occurred, expected checksum "+
				"Type: %s, actual checksum Type: %s", strings.ToLower(required),
				strings.ToLower(alg.name))
		}
		alg, _ = checksumByName(required)
	}
	v.alg, v.sum = alg, alg.newHash()
	switch {
	case source == "trailer":
		v.wantSum = func() (string, bool) { return chunked.trailerValue(alg.header()), true }
	case source == "header":
		value := hdr.Get(alg.header())
		v.wantSum = func() (string, bool) { return value, true }
	default:
		v.wantSum = func() (string, bool) { return "", false }
	}
	return nil
}

// requestedChecksum finds the one checksum a request declares, in a header
// or in x-amz-trailer, and checks x-amz-sdk-checksum-algorithm against it.
func requestedChecksum(hdr http.Header, chunked *chunkedReader) (checksumAlgorithm, string, error) {
	var found []checksumAlgorithm
	var source string
	for name, values := range hdr {
		alg, ok, err := checksumHeader(name)
		if err != nil {
			return alg, "", err
		}
		if !ok {
			continue
		}
		if !alg.validValue(strings.TrimSpace(values[0])) || len(values) != 1 {
			return alg, "", errorf("InvalidRequest", "Value for %s header is invalid.",
				alg.header())
		}
		found, source = append(found, alg), "header"
	}
	if chunked != nil {
		for name := range chunked.declared {
			alg, _ := checksumByHeader(name)
			found, source = append(found, alg), "trailer"
		}
	}
	return pickChecksum(hdr, found, source)
}

// checksumHeader recognises an x-amz-checksum-<algorithm> header name.
func checksumHeader(name string) (checksumAlgorithm, bool, error) {
	lower := strings.ToLower(name)
	switch {
	case !strings.HasPrefix(lower, checksumHeaderPrefix):
		return checksumAlgorithm{}, false, nil
	case lower == "x-amz-checksum-mode", lower == "x-amz-checksum-type",
		lower == "x-amz-checksum-algorithm":
		return checksumAlgorithm{}, false, nil
	}
	alg, ok := checksumByHeader(lower)
	if !ok {
		return alg, false, errNotImplemented("The checksum header " + lower)
	}
	return alg, true, nil
}

func pickChecksum(hdr http.Header, found []checksumAlgorithm,
	source string) (checksumAlgorithm, string, error) {
	sdk := hdr.Get("X-Amz-Sdk-Checksum-Algorithm")
	switch {
	case len(found) > 1:
		return checksumAlgorithm{}, "", errorf("InvalidRequest", "Expecting a single "+
			"x-amz-checksum- header. Multiple checksum Types are not allowed.")
	case len(found) == 1 && sdk != "" && !strings.EqualFold(sdk, found[0].name):
		return checksumAlgorithm{}, "", errorf("InvalidRequest",
			"Value for x-amz-sdk-checksum-algorithm header is invalid.")
	case len(found) == 1:
		return found[0], source, nil
	case sdk != "":
		return checksumAlgorithm{}, "", errorf("InvalidRequest", "x-amz-sdk-checksum-algorithm "+
			"specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}
	// A client that names an algorithm without sending a value (minio-go
	// sends x-amz-checksum-algorithm on PutObject) gets that algorithm
	// computed, rather than the default.
	if asked, ok := checksumByName(hdr.Get("X-Amz-Checksum-Algorithm")); ok {
		return asked, "", nil
	}
	alg, _ := checksumByName(defaultChecksum)
	return alg, "", nil
}
