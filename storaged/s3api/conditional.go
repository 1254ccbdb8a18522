package s3api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/object"
)

// conditions are the preconditions of a read or a copy source, as RFC
// 9110 and S3 define them. Absent headers are empty or zero.
type conditions struct {
	ifMatch, ifNoneMatch               string
	ifUnmodifiedSince, ifModifiedSince time.Time
}

// outcome is what a set of conditions says about an object.
type outcome int

const (
	proceed     outcome = iota
	notModified         // GET answers 304; a copy fails with 412
	failed              // 412 PreconditionFailed
)

// readConditions reads If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since, or their x-amz-copy-source-if-* forms when prefix
// is "X-Amz-Copy-Source-". Dates that do not parse are ignored, as HTTP
// says.
func readConditions(hdr http.Header, prefix string) conditions {
	c := conditions{
		ifMatch:     hdr.Get(prefix + "If-Match"),
		ifNoneMatch: hdr.Get(prefix + "If-None-Match"),
	}
	c.ifUnmodifiedSince, _ = http.ParseTime(hdr.Get(prefix + "If-Unmodified-Since"))
	c.ifModifiedSince, _ = http.ParseTime(hdr.Get(prefix + "If-Modified-Since"))
	return c
}

// evaluate applies the conditions in RFC 9110's order, which is S3's: an
// If-Match that holds overrides If-Unmodified-Since, and an If-None-Match
// overrides If-Modified-Since. Times compare at the second, as
// Last-Modified shows them.
func (c conditions) evaluate(etag string, modified time.Time) outcome {
	mod := modified.UTC().Truncate(time.Second)
	switch {
	case c.ifMatch != "" && !etagMatches(c.ifMatch, etag):
		return failed
	case c.ifMatch == "" && !c.ifUnmodifiedSince.IsZero() && mod.After(c.ifUnmodifiedSince):
		return failed
	case c.ifNoneMatch != "" && etagMatches(c.ifNoneMatch, etag):
		return notModified
	case c.ifNoneMatch == "" && !c.ifModifiedSince.IsZero() && !mod.After(c.ifModifiedSince):
		return notModified
	}
	return proceed
}

// checkPreconditions evaluates a GET's or HEAD's conditions. done is true
// when the answer is decided: a 304 already written (err nil) or a 412
// error.
func checkPreconditions(w http.ResponseWriter, r *http.Request,
	info object.ObjectInfo) (bool, error) {
	switch readConditions(r.Header, "").evaluate(info.ETag, info.ModTime) {
	case failed:
		return true, newError("PreconditionFailed")
	case notModified:
		w.Header().Set("ETag", quoteETag(info.ETag))
		w.Header().Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return true, nil
	}
	return false, nil
}

// checkCopySource evaluates the x-amz-copy-source-if-* conditions on the
// source of a copy: anything but proceed is 412.
func checkCopySource(hdr http.Header, src object.ObjectInfo) error {
	if readConditions(hdr, "X-Amz-Copy-Source-").evaluate(src.ETag, src.ModTime) != proceed {
		return errorf("PreconditionFailed", "At least one of the pre-conditions you specified "+
			"did not hold (x-amz-copy-source-if-*).")
	}
	return nil
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

// writePrecondition turns the If-Match and If-None-Match headers of a
// write into the check the object layer runs under the key's lock:
// If-None-Match: * makes a create-only write (412 when the key exists),
// If-Match an update of the named ETags only (404 when the key is
// missing, 412 when its ETag differs). S3 accepts no other If-None-Match
// on writes. It returns nil when the write is unconditional.
func writePrecondition(hdr http.Header) (func(*object.ObjectInfo) error, error) {
	ifMatch, ifNoneMatch := hdr.Get("If-Match"), strings.TrimSpace(hdr.Get("If-None-Match"))
	if ifNoneMatch != "" && ifNoneMatch != "*" {
		return nil, errNotImplemented("If-None-Match other than * on a write")
	}
	if ifMatch == "" && ifNoneMatch == "" {
		return nil, nil
	}
	return func(cur *object.ObjectInfo) error {
		switch {
		case ifNoneMatch == "*" && cur != nil:
			return fmt.Errorf("%w: the key exists (If-None-Match: *)", object.ErrPreconditionFailed)
		case ifMatch != "" && cur == nil:
			return fmt.Errorf("%w: If-Match on a missing key", object.ErrObjectNotFound)
		case ifMatch != "" && !etagMatches(ifMatch, cur.ETag):
			return fmt.Errorf("%w: the ETag is %q (If-Match: %.80s)", object.ErrPreconditionFailed,
				cur.ETag, ifMatch)
		}
		return nil
	}, nil
}

// precheck runs a write's precondition against the current object before
// the body is read, so that a doomed upload is refused at once. The object
// layer checks again, atomically, at the commit.
func (h *Handler) precheck(req *request, pre func(*object.ObjectInfo) error) error {
	if pre == nil {
		return nil
	}
	info, err := h.layer.HeadObject(req.r.Context(), req.bucket, req.key)
	switch {
	case errors.Is(err, object.ErrObjectNotFound):
		return pre(nil)
	case err != nil:
		return err
	}
	return pre(&info)
}
