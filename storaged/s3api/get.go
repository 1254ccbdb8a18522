package s3api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// maxReadAttempts bounds how often a ranged read restarts because the
// object was replaced between sizing the range and reading it.
const maxReadAttempts = 3

// getObject is GetObject: GET /bucket/key, with Range and preconditions.
func (h *Handler) getObject(w http.ResponseWriter, req *request) error {
	if _, ok := parseRange(req.r.Header.Get("Range")); ok {
		return h.readRanged(w, req, true)
	}
	info, body, err := h.layer.GetObject(req.r.Context(), req.bucket, req.key, nil)
	if err != nil {
		return err
	}
	defer body.Close()
	if done, err := checkPreconditions(w, req.r, info); done {
		return err
	}
	writeObjectHeaders(w, req, info, nil)
	w.WriteHeader(http.StatusOK)
	h.copyBody(w, req, body, info.Size)
	return nil
}

// headObject is HeadObject: HEAD /bucket/key.
func (h *Handler) headObject(w http.ResponseWriter, req *request) error {
	return h.readRanged(w, req, false)
}

// readRanged sizes the object with HeadObject, resolves the range and
// preconditions, then reads exactly that range (unless HEAD).
func (h *Handler) readRanged(w http.ResponseWriter, req *request, withBody bool) error {
	ctx := req.r.Context()
	spec, hasRange := parseRange(req.r.Header.Get("Range"))
	for attempt := 1; ; attempt++ {
		info, err := h.layer.HeadObject(ctx, req.bucket, req.key)
		if err != nil {
			return err
		}
		if done, err := checkPreconditions(w, req.r, info); done {
			return err
		}
		rng, err := spec.resolve(info.Size, hasRange)
		if err != nil {
			return err
		}
		if !withBody {
			writeObjectHeaders(w, req, info, rng)
			w.WriteHeader(rangeStatus(rng))
			return nil
		}
		got, body, err := h.layer.GetObject(ctx, req.bucket, req.key, rng)
		if err != nil {
			return err
		}
		if got.ETag != info.ETag || got.Size != info.Size {
			body.Close()
			if attempt < maxReadAttempts {
				continue
			}
			return errorf("ServiceUnavailable", "The object kept changing while it was read; retry.")
		}
		defer body.Close()
		writeObjectHeaders(w, req, got, rng)
		w.WriteHeader(rangeStatus(rng))
		h.copyBody(w, req, body, rng.Length)
		return nil
	}
}

func rangeStatus(rng *object.Range) int {
	if rng == nil {
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

// writeObjectHeaders sets the headers GET and HEAD answer with.
func writeObjectHeaders(w http.ResponseWriter, req *request, info object.ObjectInfo,
	rng *object.Range) {
	hdr := w.Header()
	hdr.Set("Content-Type", info.ContentType)
	if info.ContentType == "" {
		hdr.Set("Content-Type", defaultContentType)
	}
	hdr.Set("ETag", quoteETag(info.ETag))
	hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	hdr.Set("Accept-Ranges", "bytes")
	hdr.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	for k, v := range info.UserMetadata {
		hdr.Set("X-Amz-Meta-"+k, v)
	}
	if rng != nil {
		hdr.Set("Content-Length", strconv.FormatInt(rng.Length, 10))
		hdr.Set("Content-Range", "bytes "+strconv.FormatInt(rng.Start, 10)+"-"+
			strconv.FormatInt(rng.Start+rng.Length-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
	} else if strings.EqualFold(req.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		setChecksumHeaders(hdr, info.Checksums)
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

// checkPreconditions evaluates If-Match, If-Unmodified-Since,
// If-None-Match and If-Modified-Since in RFC 9110 order. done is true when
// the answer is decided: a 304 already written (err nil) or a 412 error.
func checkPreconditions(w http.ResponseWriter, r *http.Request,
	info object.ObjectInfo) (bool, error) {
	etag, mod := info.ETag, info.ModTime.UTC().Truncate(time.Second)
	if v := r.Header.Get("If-Match"); v != "" {
		if !etagMatches(v, etag) {
			return true, newError("PreconditionFailed")
		}
	} else if t, ok := headerTime(r, "If-Unmodified-Since"); ok && mod.After(t) {
		return true, newError("PreconditionFailed")
	}
	notModified := false
	if v := r.Header.Get("If-None-Match"); v != "" {
		notModified = etagMatches(v, etag)
	} else if t, ok := headerTime(r, "If-Modified-Since"); ok {
		notModified = !mod.After(t)
	}
	if !notModified {
		return false, nil
	}
	w.Header().Set("ETag", quoteETag(etag))
	w.Header().Set("Last-Modified", mod.Format(http.TimeFormat))
	w.WriteHeader(http.StatusNotModified)
	return true, nil
}

// etagMatches reports whether an If-Match/If-None-Match list names etag.
func etagMatches(list, etag string) bool {
	for _, candidate := range strings.Split(list, ",") {
		c := strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if c == "*" || strings.Trim(c, `"`) == etag {
			return true
		}
	}
	return false
}

func headerTime(r *http.Request, name string) (time.Time, bool) {
	v := r.Header.Get(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
