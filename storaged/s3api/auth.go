package s3api

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxPresignExpiry is the longest X-Amz-Expires AWS accepts: one week.
const maxPresignExpiry = 7 * 24 * time.Hour

// signingContext is what a verified signature hands on to the body decoder:
// the values that streaming chunk signatures chain from.
type signingContext struct {
	key           []byte
	amzDate       string
	scope         string
	seedSignature string
}

// authenticate verifies req's SigV4 signature (header or presigned URL)
// and records who signed it and the payload mode the signature declares.
// A request with neither is anonymous; authorize decides what it may do.
func (h *Handler) authenticate(req *request) error {
	r := req.r
	if v := r.Header.Get("Authorization"); v != "" {
		return h.verifyHeaderAuth(req, v)
	}
	q := req.query
	if q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature") {
		return h.verifyPresigned(req)
	}
	if q.Has("AWSAccessKeyId") || q.Has("Signature") {
		return errUnsupportedAuth("AWS")
	}
	req.who = identity{anonymous: true}
	return req.setPayload(unsignedPayload)
}

// verifyHeaderAuth checks an Authorization header signature.
func (h *Handler) verifyHeaderAuth(req *request, header string) error {
	a, err := parseAuthorization(header)
	if err != nil {
		return err
	}
	secret, err := h.checkCredential(req, a)
	if err != nil {
		return err
	}
	req.authType = "REST-HEADER"
	t, amzDate, err := requestTime(req.r)
	if err != nil {
		return err
	}
	if t.Format(scopeDateFormat) != a.date {
		return malformedAuth("Invalid credential date. Date is not the same as X-Amz-Date")
	}
	if err := h.checkSkew(t); err != nil {
		return err
	}
	payloadHash, ok := req.r.Header["X-Amz-Content-Sha256"]
	if !ok {
		return errorf("InvalidRequest",
			"Missing required header for this request: x-amz-content-sha256")
	}
	if err := req.setPayload(payloadHash[0]); err != nil {
		return err
	}
	if err := checkSignedHeaders(req.r, a.signedHeaders); err != nil {
		return err
	}
	return h.checkSignature(req, a, secret, amzDate, payloadHash[0], false)
}

// verifyPresigned checks a presigned URL's query-string signature.
func (h *Handler) verifyPresigned(req *request) error {
	a, t, expires, err := parsePresigned(req.query)
	if err != nil {
		return err
	}
	secret, err := h.checkCredential(req, a)
	if err != nil {
		return asQueryError(err)
	}
	req.authType = "REST-QUERY-STRING"
	if t.Format(scopeDateFormat) != a.date {
		return errorf("AuthorizationQueryParametersError",
			"Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	now := h.now()
	if t.Sub(now) > MaxClockSkew {
		return errorf("AccessDenied", "Request is not valid yet")
	}
	if now.After(t.Add(expires)) {
		return errorf("AccessDenied", "Request has expired")
	}
	payloadHash := presignedPayloadHash(req)
	if err := req.setPayload(payloadHash); err != nil {
		return err
	}
	if req.payload != payloadUnsigned && req.payload != payloadHashed {
		return errorf("InvalidRequest", "A presigned URL cannot carry a streaming payload.")
	}
	if err := checkSignedHeaders(req.r, a.signedHeaders); err != nil {
		return err
	}
	return h.checkSignature(req, a, secret, t.Format(amzDateFormat), payloadHash, true)
}

// presignedPayloadHash is the payload hash a presigned URL was signed with.
func presignedPayloadHash(req *request) string {
	if v := req.query.Get("X-Amz-Content-Sha256"); v != "" {
		return v
	}
	if v := req.r.Header.Get("X-Amz-Content-Sha256"); v != "" {
		return v
	}
	return unsignedPayload
}

// parsePresigned reads the X-Amz-* query parameters of a presigned URL.
func parsePresigned(q url.Values) (authorization, time.Time, time.Duration, error) {
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
		"X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if q.Get(name) == "" {
			return authorization{}, time.Time{}, 0, errorf("AuthorizationQueryParametersError",
				"Query-string authentication version 4 requires the X-Amz-Algorithm, "+
					"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "+
					"and X-Amz-Expires parameters.")
		}
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != signV4Algorithm {
		return authorization{}, time.Time{}, 0, errUnsupportedAuth(alg)
	}
	a, err := parsePresignedFields(q)
	if err != nil {
		return authorization{}, time.Time{}, 0, asQueryError(err)
	}
	t, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return authorization{}, time.Time{}, 0, errorf("AuthorizationQueryParametersError",
			"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	expires, err := parseExpires(q.Get("X-Amz-Expires"))
	return a, t, expires, err
}

func parsePresignedFields(q url.Values) (authorization, error) {
	a, err := parseCredential(q.Get("X-Amz-Credential"))
	if err != nil {
		return authorization{}, err
	}
	if a.signedHeaders, err = parseSignedHeaders(q.Get("X-Amz-SignedHeaders")); err != nil {
		return authorization{}, err
	}
	a.signature, err = parseSignature(q.Get("X-Amz-Signature"))
	return a, err
}

func parseExpires(v string) (time.Duration, error) {
	secs, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil || secs < 0:
		return 0, errorf("AuthorizationQueryParametersError",
			"X-Amz-Expires should be a number of seconds, not %.20q", v)
	case time.Duration(secs)*time.Second > maxPresignExpiry:
		return 0, errorf("AuthorizationQueryParametersError",
			"X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return time.Duration(secs) * time.Second, nil
}

// asQueryError turns a header-auth error code into its presigned-URL twin.
func asQueryError(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.code == "AuthorizationHeaderMalformed" {
		ae.code = "AuthorizationQueryParametersError"
	}
	return err
}

// checkCredential checks the credential scope against this endpoint,
// records whose key signed req, and returns the secret of the key.
func (h *Handler) checkCredential(req *request, a authorization) (string, error) {
	if a.terminal != scopeTerminal {
		return "", malformedAuth("incorrect terminal '%.40s'. This endpoint uses '%s'",
			a.terminal, scopeTerminal)
	}
	if a.service != serviceS3 {
		return "", malformedAuth("incorrect service '%.40s'. This endpoint belongs to '%s'",
			a.service, serviceS3)
	}
	if a.region != h.region {
		e := malformedAuth("the region '%.40s' is wrong; expecting '%s'", a.region, h.region)
		e.fields.Region = h.region
		return "", e
	}
	who, secret, ok := h.lookupKey(a.accessKeyID)
	if !ok {
		e := newError("InvalidAccessKeyId")
		e.fields.AWSAccessKeyID = a.accessKeyID
		return "", e
	}
	req.who = who
	return secret, nil
}

// requestTime reads X-Amz-Date, or Date when X-Amz-Date is absent, and
// returns the time and its SigV4 form.
func requestTime(r *http.Request) (time.Time, string, error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(amzDateFormat, v)
		if err != nil {
			return time.Time{}, "", errorf("AccessDenied",
				"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
		}
		return t, v, nil
	}
	if v := r.Header.Get("Date"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			return t.UTC(), t.UTC().Format(amzDateFormat), nil
		}
	}
	return time.Time{}, "", errorf("AccessDenied",
		"AWS authentication requires a valid Date or x-amz-date header")
}

// checkSkew refuses a request signed more than MaxClockSkew away from now.
func (h *Handler) checkSkew(t time.Time) error {
	now := h.now()
	if d := now.Sub(t); d <= MaxClockSkew && d >= -MaxClockSkew {
		return nil
	}
	e := newError("RequestTimeTooSkewed")
	e.fields.RequestTime = t.UTC().Format(amzDateFormat)
	e.fields.ServerTime = now.UTC().Format(time.RFC3339)
	e.fields.MaxAllowedSkewMilliseconds = strconv.FormatInt(MaxClockSkew.Milliseconds(), 10)
	return e
}

// checkSignedHeaders demands that host and every x-amz-* header present
// are covered by the signature, as S3 does.
func checkSignedHeaders(r *http.Request, signed []string) error {
	set := make(map[string]bool, len(signed))
	for _, name := range signed {
		set[name] = true
	}
	var missing []string
	if !set["host"] {
		missing = append(missing, "host")
	}
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !set[lower] {
			missing = append(missing, lower)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	e := errorf("AccessDenied", "There were headers present in the request which were not signed")
	e.fields.HeadersNotSigned = strings.Join(missing, ", ")
	return e
}

// checkSignature recomputes the signature and compares it in constant time.
func (h *Handler) checkSignature(req *request, a authorization, secret, amzDate,
	payloadHash string, presigned bool) error {
	canonical := canonicalRequest(req.r, a.signedHeaders, payloadHash, presigned)
	sts := stringToSign(amzDate, a.scope(), canonical)
	key := signingKey(secret, a.date, a.region, a.service)
	if !signaturesEqual(signHex(key, sts), a.signature) {
		e := newError("SignatureDoesNotMatch")
		e.fields.AWSAccessKeyID = a.accessKeyID
		e.fields.StringToSign = sts
		e.fields.CanonicalRequest = canonical
		e.fields.SignatureProvided = a.signature
		return e
	}
	req.signing = &signingContext{key: key, amzDate: amzDate, scope: a.scope(),
		seedSignature: a.signature}
	req.accessKeyID = a.accessKeyID
	return nil
}
