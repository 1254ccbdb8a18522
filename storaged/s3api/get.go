package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// maxReadAttempts bounds how often a ranged read restarts because the
// object was replaced between sizing the range and reading it.
const maxReadAttempts = 3

// getObject is GetObject: GET /bucket/key, with Range or partNumber and
// preconditions.
func (h *Handler) getObject(w http.ResponseWriter, req *request) error {
	spec, err := parseReadSpec(req)
	if err != nil {
		return err
	}
	if spec.hasRange || spec.part > 0 {
		return h.readRanged(w, req, spec, true)
	}
	info, body, err := h.getAt(req.r.Context(), req, nil)
	if err != nil {
		return err
	}
	defer body.Close()
	if done, err := checkPreconditions(w, req.r, info); done {
		return err
	}
	writeObjectHeaders(w, req, info, nil, nil)
	w.WriteHeader(http.StatusOK)
	h.copyBody(w, req, body, info.Size)
	return nil
}

// headObject is HeadObject: HEAD /bucket/key.
func (h *Handler) headObject(w http.ResponseWriter, req *request) error {
	spec, err := parseReadSpec(req)
	if err != nil {
		return err
	}
	return h.readRanged(w, req, spec, false)
}

// readSpec is the part of an object a GET or HEAD asks for: a byte range,
// a part of a multipart object, or (neither) the whole object.
type readSpec struct {
	rng      byteRange
	hasRange bool
	part     int
}

// parseReadSpec reads the Range header and the partNumber argument; S3
// refuses both together.
func parseReadSpec(req *request) (readSpec, error) {
	var spec readSpec
	spec.rng, spec.hasRange = parseRange(req.r.Header.Get("Range"))
	if !req.query.Has("partNumber") {
		return spec, nil
	}
	n, err := partNumberArg(req.query.Get("partNumber"))
	if err != nil {
		return spec, err
	}
	if req.r.Header.Get("Range") != "" {
		return spec, errorf("InvalidRequest", "Cannot specify both Range header and partNumber "+
			"query parameter")
	}
	spec.part = n
	return spec, nil
}

// resolve turns the spec into object bytes (nil: the whole object) and,
// for a part, the part.
func (s readSpec) resolve(info object.ObjectInfo) (*object.Range, *object.PartInfo, error) {
	if s.part == 0 {
		rng, err := s.rng.resolve(info.Size, s.hasRange)
		return rng, nil, err
	}
	if len(info.Parts) == 0 {
		if s.part != 1 {
			return nil, nil, newError("InvalidPartNumber")
		}
		return nil, nil, nil // an object written whole is its own part 1
	}
	if s.part > len(info.Parts) {
		return nil, nil, newError("InvalidPartNumber")
	}
	var start int64
	for _, p := range info.Parts[:s.part-1] {
		start += p.Size
	}
	p := info.Parts[s.part-1]
	return &object.Range{Start: start, Length: p.Size}, &p, nil
}

// readRanged sizes the object with HeadObject, resolves the range or part
// and the preconditions, then reads exactly those bytes (unless HEAD).
func (h *Handler) readRanged(w http.ResponseWriter, req *request, spec readSpec,
	withBody bool) error {
	ctx := req.r.Context()
	for attempt := 1; ; attempt++ {
		info, err := h.headAt(ctx, req)
		if err != nil {
			return err
		}
		if done, err := checkPreconditions(w, req.r, info); done {
			return err
		}
		rng, part, err := spec.resolve(info)
		if err != nil {
			return err
		}
		if !withBody {
			writeObjectHeaders(w, req, info, rng, part)
			w.WriteHeader(rangeStatus(rng, part))
			return nil
		}
		got, body, err := h.getAt(ctx, req, readRange(rng))
		if err != nil {
			return err
		}
		if got.ETag != info.ETag || got.Size != info.Size {
			body.Close()
			if attempt < maxReadAttempts {
				continue
			}
			return errorf("ServiceUnavailable",
				"The object kept changing while it was read; retry.")
		}
		defer body.Close()
		writeObjectHeaders(w, req, got, rng, part)
		w.WriteHeader(rangeStatus(rng, part))
		h.copyBody(w, req, body, contentLength(rng, info))
		return nil
	}
}

// readRange is the range to ask the object layer for: nil for the whole
// object, and for a part of zero bytes, which has no byte to range over.
func readRange(rng *object.Range) *object.Range {
	if rng == nil || rng.Length == 0 {
		return nil
	}
	return rng
}

// contentLength is the length of the answer's body.
func contentLength(rng *object.Range, info object.ObjectInfo) int64 {
	if rng == nil {
		return info.Size
	}
	return rng.Length
}

func rangeStatus(rng *object.Range, part *object.PartInfo) int {
	if rng == nil && part == nil {
		return http.StatusOK
	}
	return http.StatusPartialContent
}

// copyBody streams an object body whose header is already sent. A short
// or failed read cannot become an error answer any more, so the
// connection is cut instead and the client sees a truncated body.
func (h *Handler) copyBody(w http.ResponseWriter, req *request, body io.Reader, want int64) {
	n, err := io.Copy(markedWriter{w}, body)
	if err == nil && n == want {
		return
	}
	var we *writeError
	if errors.As(err, &we) {
		h.log.Debug("client stopped reading", "id", req.id, "error", err)
	} else {
		h.log.Warn("object read failed mid-answer", "id", req.id, "bytes", n,
			"want", want, "error", err)
	}
	req.abort = true
}

// writeError marks errors from the response writer, as opposed to the
// object body.
type writeError struct{ err error }

func (e *writeError) Error() string { return "s3api: writing answer: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// markedWriter wraps the errors of w in writeError.
type markedWriter struct{ w io.Writer }

func (m markedWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// byteRange is a parsed Range header: first and last are -1 when absent.
type byteRange struct {
	first, last int64
	raw         string
}

// parseRange parses "bytes=a-b", "bytes=a-" and "bytes=-n". Anything
// else, multiple ranges included, is ignored as HTTP allows and as S3
// does: ok is false and the whole object is served.
func parseRange(v string) (byteRange, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return byteRange{}, false
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok || a == "" && b == "" {
		return byteRange{}, false
	}
	r := byteRange{first: -1, last: -1, raw: v}
	var err error
	if a != "" {
		if r.first, err = strconv.ParseInt(a, 10, 64); err != nil || r.first < 0 {
			return byteRange{}, false
		}
	}
	if b != "" {
		if r.last, err = strconv.ParseInt(b, 10, 64); err != nil || r.last < 0 {
			return byteRange{}, false
		}
	}
	if r.first >= 0 && r.last >= 0 && r.last < r.first {
		return byteRange{}, false
	}
	return r, true
}

// resolve turns the range into object bytes; nil means the whole object.
func (b byteRange) resolve(size int64, present bool) (*object.Range, error) {
	if !present {
		return nil, nil
	}
	rng, err := object.ResolveRange(b.first, b.last, size)
	if err != nil {
		e := newError("InvalidRange")
		e.fields.RangeRequested = b.raw
		e.fields.ActualObjectSize = strconv.FormatInt(size, 10)
		return nil, e
	}
	return &rng, nil
}

// writeObjectHeaders sets the headers GET and HEAD answer with. part is
// the part a partNumber read returns, nil otherwise.
func writeObjectHeaders(w http.ResponseWriter, req *request, info object.ObjectInfo,
	rng *object.Range, part *object.PartInfo) {
	hdr := w.Header()
	setMetadataHeaders(hdr, info.Metadata)
	hdr.Set("ETag", quoteETag(info.ETag))
	hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	hdr.Set("Accept-Ranges", "bytes")
	setVersionHeader(hdr, "X-Amz-Version-Id", info.VersionID)
	hdr.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	if len(info.Tags) > 0 {
		hdr.Set("X-Amz-Tagging-Count", strconv.Itoa(len(info.Tags)))
	}
	setLockHeaders(hdr, info.Lock)
	if req.query.Has("partNumber") && len(info.Parts) > 0 {
		hdr.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(info.Parts)))
	}
	if rng != nil {
		hdr.Set("Content-Length", strconv.FormatInt(rng.Length, 10))
		if rng.Length > 0 {
			hdr.Set("Content-Range", "bytes "+strconv.FormatInt(rng.Start, 10)+"-"+
				strconv.FormatInt(rng.Start+rng.Length-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
		}
	}
	if strings.EqualFold(req.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		switch {
		case part != nil:
			setChecksumHeaders(hdr, part.Checksums, object.ChecksumFullObject)
		case rng == nil:
			setChecksumHeaders(hdr, info.Checksums, info.ChecksumType)
		}
	}
	setResponseOverrides(hdr, req)
}

// setResponseOverrides applies the response-* query arguments of a signed
// GetObject.
func setResponseOverrides(hdr http.Header, req *request) {
	for _, o := range []struct{ arg, header string }{
		{"response-content-type", "Content-Type"},
		{"response-content-language", "Content-Language"},
		{"response-expires", "Expires"},
		{"response-cache-control", "Cache-Control"},
		{"response-content-disposition", "Content-Disposition"},
		{"response-content-encoding", "Content-Encoding"},
	} {
		if v := req.query.Get(o.arg); v != "" {
			hdr.Set(o.header, v)
		}
	}
}
