package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// maxFormFields bounds the bytes of the form fields before the file.
const maxFormFields = 64 << 10

// postForm is a browser form upload once its fields are read: the fields
// by lowercase name, and the file part, positioned at its first byte.
type postForm struct {
	fields   map[string]string
	file     *multipart.Part
	reader   *multipart.Reader
	filename string
}

// errMalformedPOST refuses a body that is not multipart/form-data.
func errMalformedPOST(detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "MalformedPOSTRequest",
		message: "The body of your POST request is not well-formed multipart/form-data: " +
			detail}
}

// postObject is POST Object: POST /bucket with multipart/form-data, a
// browser form upload. The form's own signature, over its policy,
// authenticates it; the file is streamed into the object layer.
func (h *Handler) postObject(w http.ResponseWriter, req *request) error {
	form, err := h.readPostForm(req)
	if err != nil {
		return err
	}
	key, err := postKey(form)
	if err != nil {
		return err
	}
	p, err := h.verifyPostForm(req, form)
	if err != nil {
		return err
	}
	if err := h.allow(req, "s3:PutObject", req.bucket, key); err != nil {
		return err
	}
	opts, err := postPutOptions(form.fields)
	if err != nil {
		return err
	}
	file, err := newPostFile(form, p)
	if err != nil {
		return err
	}
	opts.Checksums = file.checksums
	if err := h.checkPostQuota(req, key); err != nil {
		return err
	}
	info, err := h.layer.PutObject(req.r.Context(), req.bucket, key, file, -1, opts)
	if err != nil {
		return err
	}
	h.postStored(req, info.Size)
	return h.answerPost(w, req, form.fields, info)
}

// readPostForm reads the form's fields up to the file part.
func (h *Handler) readPostForm(req *request) (*postForm, error) {
	mediaType, params, err := mime.ParseMediaType(req.r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, errMalformedPOST("the Content-Type is not multipart/form-data " +
			"with a boundary.")
	}
	body, _, err := h.requestBody(req, maxObjectSize+maxFormFields)
	if err != nil {
		return nil, err
	}
	form := &postForm{fields: map[string]string{},
		reader: multipart.NewReader(body, params["boundary"])}
	budget := int64(maxFormFields)
	for form.file == nil {
		if err := form.next(&budget); err != nil {
			return nil, err
		}
	}
	return form, nil
}

// next reads one part: a field into fields, or the file, which ends the
// fields.
func (f *postForm) next(budget *int64) error {
	part, err := f.reader.NextPart()
	if errors.Is(err, io.EOF) {
		return errorf("InvalidArgument", "POST requires exactly one file upload per request.")
	}
	if err != nil {
		return errMalformedPOST(err.Error())
	}
	name := strings.ToLower(part.FormName())
	if name == "" {
		return errMalformedPOST("a part has no field name.")
	}
	if name == "file" {
		f.file, f.filename = part, path.Base(part.FileName())
		return nil
	}
	value, err := io.ReadAll(io.LimitReader(part, *budget+1))
	if err != nil {
		return errMalformedPOST(err.Error())
	}
	if *budget -= int64(len(value)); *budget < 0 {
		return &apiError{status: http.StatusBadRequest, code: "MaxPostPreDataLengthExceededError",
			message: "Your POST request fields preceding the upload file were too large."}
	}
	if _, dup := f.fields[name]; dup {
		return errorf("InvalidArgument", "The form field %.40q is repeated.", name)
	}
	f.fields[name] = string(value)
	return nil
}

// verifyPostForm checks the form's signature and policy. A form with
// neither is anonymous and keeps the identity authenticate gave the
// request.
func (h *Handler) verifyPostForm(req *request, form *postForm) (*postPolicy, error) {
	fields := form.fields
	_, signed := fields["x-amz-signature"]
	policyB64, hasPolicy := fields["policy"]
	if !signed && !hasPolicy {
		return nil, nil
	}
	if !hasPolicy {
		return nil, errorf("InvalidArgument", "Bucket POST must contain a field named 'policy'.")
	}
	if signed {
		if err := h.verifyPostSignature(req, fields, policyB64); err != nil {
			return nil, err
		}
	}
	doc, err := base64.StdEncoding.DecodeString(policyB64)
	if err != nil {
		return nil, errInvalidPolicy("the policy is not base64.")
	}
	p, err := parsePostPolicy(doc)
	if err != nil {
		return nil, err
	}
	return p, p.check(fields, req.bucket, h.now())
}

// verifyPostSignature checks x-amz-signature: the SigV4 signature of the
// base64 policy with the signing key of x-amz-credential.
func (h *Handler) verifyPostSignature(req *request, fields map[string]string,
	policyB64 string) error {
	if alg := fields["x-amz-algorithm"]; alg != signV4Algorithm {
		return errUnsupportedAuth(alg)
	}
	a, err := parseCredential(fields["x-amz-credential"])
	if err != nil {
		return err
	}
	t, err := time.Parse(amzDateFormat, fields["x-amz-date"])
	if err != nil {
		return errorf("AccessDenied",
			"x-amz-date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if t.Format(scopeDateFormat) != a.date {
		return malformedAuth("Invalid credential date. Date is not the same as X-Amz-Date")
	}
	if a.signature, err = parseSignature(fields["x-amz-signature"]); err != nil {
		return err
	}
	secret, err := h.checkCredential(req, a)
	if err != nil {
		return err
	}
	key := signingKey(secret, a.date, a.region, a.service)
	if !signaturesEqual(signHex(key, policyB64), a.signature) {
		e := newError("SignatureDoesNotMatch")
		e.fields.AWSAccessKeyID = a.accessKeyID
		e.fields.StringToSign = policyB64
		e.fields.SignatureProvided = a.signature
		return e
	}
	req.authType = "POST"
	req.accessKeyID = a.accessKeyID
	return nil
}

// postKey is the form's key with ${filename} replaced by the file's name.
func postKey(form *postForm) (string, error) {
	key, ok := form.fields["key"]
	if !ok {
		return "", errorf("InvalidArgument", "Bucket POST must contain a field named 'key'.  "+
			"If it is specified, please check the order of the fields.")
	}
	key = strings.ReplaceAll(key, "${filename}", form.filename)
	switch {
	case key == "":
		return "", errorf("InvalidArgument", "The key of a POST upload must not be empty.")
	case len(key) > maxKeyLength:
		return "", newError("KeyTooLongError")
	}
	return key, nil
}

// postPutOptions reads the stored headers, user metadata and tags from
// the form's fields, which S3 treats as the headers of a PUT (the form's
// acl field as x-amz-acl).
func postPutOptions(fields map[string]string) (object.PutOptions, error) {
	hdr := http.Header{}
	for name, value := range fields {
		hdr.Set(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	if acl, ok := fields["acl"]; ok {
		hdr.Set("X-Amz-Acl", acl)
	}
	if err := checkRefusedHeaders(hdr); err != nil {
		return object.PutOptions{}, err
	}
	md, err := objectMetadata(hdr)
	if err != nil {
		return object.PutOptions{}, err
	}
	opts := object.PutOptions{Metadata: md}
	if doc, ok := fields["tagging"]; ok {
		if opts.Tags, err = parseTagging([]byte(doc), maxObjectTags); err != nil {
			return object.PutOptions{}, err
		}
	}
	return opts, nil
}

// postFile is the file part as the object layer reads it: bounded by the
// policy's content-length-range, checksummed (and checked against the
// form's x-amz-checksum-* field, if any), and, at its end, followed by a
// read of the rest of the form so that the request body's own checks run
// before the object is committed.
type postFile struct {
	form     *postForm
	min, max int64
	n        int64
	alg      checksumAlgorithm
	sum      hash.Hash
	want     string
	err      error
}

func newPostFile(form *postForm, p *postPolicy) (*postFile, error) {
	alg, want, err := postChecksum(form.fields)
	if err != nil {
		return nil, err
	}
	f := &postFile{form: form, max: maxObjectSize, alg: alg, sum: alg.newHash(), want: want}
	if p != nil && p.hasLength {
		f.min, f.max = p.lengthMin, min(p.lengthMax, maxObjectSize)
	}
	return f, nil
}

// postChecksum returns the checksum algorithm of a form upload, the one
// x-amz-checksum-algorithm or an x-amz-checksum-<alg> field names
// (CRC-64/NVME when none does), and the value the form declares, if any.
func postChecksum(fields map[string]string) (checksumAlgorithm, string, error) {
	name, want := fields["x-amz-checksum-algorithm"], ""
	for field, value := range fields {
		alg, ok := strings.CutPrefix(field, checksumHeaderPrefix)
		if !ok || alg == "algorithm" || alg == "type" {
			continue
		}
		if want != "" || name != "" && !strings.EqualFold(name, alg) {
			return checksumAlgorithm{}, "", errorf("InvalidRequest",
				"Expecting a single x-amz-checksum- field of the algorithm named.")
		}
		name, want = alg, value
	}
	if name == "" {
		name = defaultChecksum
	}
	alg, ok := checksumByName(name)
	if !ok || want != "" && !alg.validValue(want) {
		return checksumAlgorithm{}, "", errorf("InvalidRequest",
			"The checksum algorithm or value of the form is not valid (%.40s).", name)
	}
	return alg, want, nil
}

// Read implements io.Reader.
func (f *postFile) Read(b []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.form.file.Read(b)
	f.n += int64(n)
	f.sum.Write(b[:n])
	switch {
	case f.n > f.max:
		err = errorf("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	case errors.Is(err, io.EOF) && f.n < f.min:
		err = errorf("EntityTooSmall", "Your proposed upload is smaller than the minimum "+
			"allowed size")
	case errors.Is(err, io.EOF) && f.want != "" && f.alg.encode(f.sum) != f.want:
		err = errorf("BadDigest", "The %s you specified did not match the calculated "+
			"checksum.", f.alg.header())
	case errors.Is(err, io.EOF):
		err = f.form.drain()
	case err != nil:
		err = errMalformedPOST(err.Error())
	}
	f.err = err
	return n, err
}

// checksums is the file's checksum: of the form's algorithm, or
// CRC-64/NVME, as for any upload that brings none.
func (f *postFile) checksums() map[string]string {
	return map[string]string{f.alg.name: f.alg.encode(f.sum)}
}

// drain reads and drops the parts after the file, as S3 ignores them, up
// to maxFormFields bytes; it returns io.EOF when the form ended well.
func (f *postForm) drain() error {
	left := int64(maxFormFields)
	for {
		part, err := f.reader.NextPart()
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		if err != nil {
			return errMalformedPOST(err.Error())
		}
		n, err := io.Copy(io.Discard, io.LimitReader(part, left+1))
		if left -= n; err != nil || left < 0 {
			return errMalformedPOST("the fields after the file are too large or cut short.")
		}
	}
}

// postResponse is the body of a POST upload answered with 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// answerPost answers a stored form upload as the form asks: a redirect,
// or success_action_status 200, 201 (with a PostResponse) or 204.
func (h *Handler) answerPost(w http.ResponseWriter, req *request, fields map[string]string,
	info object.ObjectInfo) error {
	hdr := w.Header()
	etag := quoteETag(info.ETag)
	location := h.objectURL(req, info.Key)
	hdr.Set("ETag", etag)
	hdr.Set("Location", location)
	setVersionHeader(hdr, "X-Amz-Version-Id", info.VersionID)
	setChecksumHeaders(hdr, info.Checksums, object.ChecksumFullObject)
	if target, ok := postRedirect(fields, req.bucket, info.Key, etag); ok {
		hdr.Set("Location", target)
		w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	switch fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		writeXML(w, http.StatusCreated, postResponse{Location: location, Bucket: req.bucket,
			Key: info.Key, ETag: etag})
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// postRedirect is the success_action_redirect (or redirect) URL with the
// bucket, key and ETag added, when the form gives an absolute one.
func postRedirect(fields map[string]string, bucket, key, etag string) (string, bool) {
	v, ok := fields["success_action_redirect"]
	if !ok {
		v = fields["redirect"]
	}
	u, err := url.Parse(v)
	if v == "" || err != nil || !u.IsAbs() {
		return "", false
	}
	q := u.Query()
	q.Set("bucket", bucket)
	q.Set("key", key)
	q.Set("etag", etag)
	u.RawQuery = q.Encode()
	return u.String(), true
}

// objectURL is the URL of an object as this request addressed its bucket.
func (h *Handler) objectURL(req *request, key string) string {
	scheme := "http"
	if req.r.TLS != nil {
		scheme = "https"
	}
	escaped := uriEncode(key, false)
	if _, ok := h.virtualBucket(req.r.Host); ok {
		return scheme + "://" + req.r.Host + "/" + escaped
	}
	return scheme + "://" + req.r.Host + "/" + req.bucket + "/" + escaped
}
