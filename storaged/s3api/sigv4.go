package s3api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Names and formats of AWS Signature Version 4.
const (
	signV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	scopeDateFormat = "20060102"
	serviceS3       = "s3"
	scopeTerminal   = "aws4_request"
)

// errMalformedAuth is the cause of every Authorization header that does
// not parse; the message says which part is wrong.
var errMalformedAuth = errors.New("s3api: malformed authorization")

// authorization is a parsed SigV4 Authorization header (or the same fields
// of a presigned URL).
type authorization struct {
	accessKeyID   string
	date          string // yyyymmdd of the credential scope
	region        string
	service       string
	terminal      string
	signedHeaders []string
	signature     string // lowercase hex
}

// scope is the credential scope: date/region/service/aws4_request.
func (a authorization) scope() string {
	return a.date + "/" + a.region + "/" + a.service + "/" + a.terminal
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…". It checks only the shape; the caller checks the values.
func parseAuthorization(header string) (authorization, error) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	if algorithm != signV4Algorithm {
		return authorization{}, errUnsupportedAuth(algorithm)
	}
	fields, err := parseAuthFields(rest)
	if err != nil {
		return authorization{}, err
	}
	a, err := parseCredential(fields["Credential"])
	if err != nil {
		return authorization{}, err
	}
	if a.signedHeaders, err = parseSignedHeaders(fields["SignedHeaders"]); err != nil {
		return authorization{}, err
	}
	if a.signature, err = parseSignature(fields["Signature"]); err != nil {
		return authorization{}, err
	}
	return a, nil
}

// errUnsupportedAuth refuses SigV2, SigV4a and anything else.
func errUnsupportedAuth(algorithm string) *apiError {
	return errorf("InvalidRequest", "The authorization mechanism you have provided "+
		"(%.40q) is not supported. Please use %s.", algorithm, signV4Algorithm)
}

// parseAuthFields splits "k=v, k=v, k=v" and demands exactly the three
// SigV4 fields.
func parseAuthFields(s string) (map[string]string, error) {
	fields := make(map[string]string, 3)
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, malformedAuth("each part must be name=value, got %.60q", part)
		}
		switch k {
		case "Credential", "SignedHeaders", "Signature":
		default:
			return nil, malformedAuth("unknown part %.40q", k)
		}
		if _, dup := fields[k]; dup {
			return nil, malformedAuth("%s appears twice", k)
		}
		fields[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if _, ok := fields[k]; !ok {
			return nil, malformedAuth("%s is missing", k)
		}
	}
	return fields, nil
}

// parseCredential parses AKID/yyyymmdd/region/service/aws4_request.
func parseCredential(v string) (authorization, error) {
	parts := strings.Split(v, "/")
	if len(parts) < 5 {
		return authorization{}, malformedAuth(
			"the Credential %.80q must be ACCESSKEY/DATE/REGION/SERVICE/aws4_request", v)
	}
	n := len(parts)
	a := authorization{
		accessKeyID: strings.Join(parts[:n-4], "/"),
		date:        parts[n-4],
		region:      parts[n-3],
		service:     parts[n-2],
		terminal:    parts[n-1],
	}
	if a.accessKeyID == "" {
		return authorization{}, malformedAuth("the Credential has no access key")
	}
	if !isDigits(a.date, 8) {
		return authorization{}, malformedAuth(
			"invalid credential date %.20q; it must be yyyymmdd", a.date)
	}
	return a, nil
}

// parseSignedHeaders parses "host;x-amz-date": lowercase names in order.
func parseSignedHeaders(v string) ([]string, error) {
	if v == "" {
		return nil, malformedAuth("SignedHeaders is empty")
	}
	names := strings.Split(v, ";")
	for _, name := range names {
		if name == "" || name != strings.ToLower(name) || strings.ContainsAny(name, " :\t") {
			return nil, malformedAuth("SignedHeaders %.80q is not a ;-list of lowercase names", v)
		}
	}
	return names, nil
}

// parseSignature checks a 64-digit hex signature.
func parseSignature(v string) (string, error) {
	if len(v) != 64 {
		return "", malformedAuth("the Signature must be 64 hex digits")
	}
	if _, err := hex.DecodeString(v); err != nil {
		return "", malformedAuth("the Signature must be 64 hex digits")
	}
	return strings.ToLower(v), nil
}

func malformedAuth(format string, args ...any) *apiError {
	e := errorf("AuthorizationHeaderMalformed",
		"The authorization header is malformed; "+format+".", args...)
	e.cause = errMalformedAuth
	return e
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalRequest builds SigV4's canonical request for r exactly as AWS
// does for S3: the path is encoded once and never normalised.
func canonicalRequest(r *http.Request, signed []string, payloadHash string, presigned bool) string {
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.EscapedPath()),
		canonicalQuery(r.URL.RawQuery, presigned),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		payloadHash,
	}, "\n")
}

// canonicalURI re-encodes a path as S3's UriEncode does, byte by byte:
// unreserved characters and '/' stay, everything else is %XX. An escape
// the client sent is decoded first, so over- and under-encoding both give
// the same answer; an escaped '/' (%2F) stays escaped. Dot segments and
// double slashes are kept as sent.
func canonicalURI(escaped string) string {
	if escaped == "" {
		return "/"
	}
	var b strings.Builder
	b.Grow(len(escaped))
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' && i+2 < len(escaped) && isHex(escaped[i+1]) && isHex(escaped[i+2]) {
			c = unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			i += 2
			if c == '/' {
				b.WriteString("%2F")
				continue
			}
		}
		writeEncoded(&b, c, false)
	}
	return b.String()
}

// canonicalQuery sorts and re-encodes the query string; presigned requests
// leave out their own X-Amz-Signature.
func canonicalQuery(raw string, presigned bool) string {
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// queryUnescape decodes one query component the way the AWS SDKs parse
// it ('+' is a space); a component that does not decode is kept raw.
func queryUnescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// canonicalHeaders writes "name:value\n" for each signed header.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(signedHeaderValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

// signedHeaderValue returns a header's canonical value: values trimmed,
// runs of spaces folded, joined with commas. Go's server moves Host and
// Transfer-Encoding out of the header map, so they are read back here.
func signedHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "transfer-encoding":
		values = r.TransferEncoding
	default:
		values = r.Header.Values(name)
	}
	if name == "content-length" && len(values) == 0 && r.ContentLength > 0 {
		values = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	folded := make([]string, len(values))
	for i, v := range values {
		folded[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(folded, ",")
}

// uriEncode is SigV4's UriEncode: every byte but A-Z a-z 0-9 - _ . ~ is
// %XX with uppercase hex; '/' is kept unless encodeSlash.
func uriEncode(s string, encodeSlash bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		writeEncoded(&b, s[i], encodeSlash)
	}
	return b.String()
}

func writeEncoded(b *strings.Builder, c byte, encodeSlash bool) {
	const upperHex = "0123456789ABCDEF"
	if isUnreserved(c) || c == '/' && !encodeSlash {
		b.WriteByte(c)
		return
	}
	b.WriteByte('%')
	b.WriteByte(upperHex[c>>4])
	b.WriteByte(upperHex[c&15])
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// stringToSign is SigV4's string to sign of a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return signV4Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// signingKey derives SigV4's signing key from a secret and a scope.
func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminal)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signHex returns the hex HMAC-SHA256 of s under key.
func signHex(key []byte, s string) string {
	return hex.EncodeToString(hmacSHA256(key, s))
}

// signaturesEqual compares two hex signatures in constant time.
func signaturesEqual(want, got string) bool {
	return hmac.Equal([]byte(want), []byte(got))
}
