package s3api

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/strata-storage/strata/storaged/object"
)

// maxListKeys is the largest page S3 returns.
const maxListKeys = 1000

// listParams are the arguments both ListObjects versions share.
type listParams struct {
	prefix    string
	delimiter string
	maxKeys   int
	urlEncode bool
}

// listBucketResultV2 is ListObjectsV2's answer.
type listBucketResultV2 struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	IsTruncated           bool           `xml:"IsTruncated"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	Contents              []objectEntry  `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listBucketResultV1 is ListObjects' (version 1) answer.
type listBucketResultV1 struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	Xmlns          string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type objectEntry struct {
	Key               string   `xml:"Key"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag"`
	ChecksumAlgorithm []string `xml:"ChecksumAlgorithm"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	Size              int64    `xml:"Size"`
	StorageClass      string   `xml:"StorageClass"`
	Owner             *owner   `xml:"Owner"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listObjectsV2 is ListObjectsV2: GET /bucket?list-type=2.
func (h *Handler) listObjectsV2(w http.ResponseWriter, req *request) error {
	q := req.query
	p, err := parseListParams(q)
	if err != nil {
		return err
	}
	marker, err := decodeToken(q, "continuation-token")
	if err != nil {
		return err
	}
	if !q.Has("continuation-token") {
		marker = q.Get("start-after")
	}
	page, err := h.list(req.r.Context(), req.bucket, p, marker)
	if err != nil {
		return err
	}
	res := listBucketResultV2{
		Xmlns: s3Namespace, Name: req.bucket, MaxKeys: p.maxKeys,
		Prefix: p.encode(p.prefix), Delimiter: p.encode(p.delimiter),
		StartAfter: p.encode(q.Get("start-after")), EncodingType: p.encodingType(),
		ContinuationToken: q.Get("continuation-token"), IsTruncated: page.IsTruncated,
		Contents:       h.entries(page.Objects, p, q.Get("fetch-owner") == "true"),
		CommonPrefixes: prefixes(page.CommonPrefixes, p),
	}
	res.KeyCount = len(res.Contents) + len(res.CommonPrefixes)
	if page.IsTruncated {
		res.NextContinuationToken = encodeToken(page.NextMarker)
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

// listObjectsV1 is ListObjects (version 1): GET /bucket.
func (h *Handler) listObjectsV1(w http.ResponseWriter, req *request) error {
	q := req.query
	p, err := parseListParams(q)
	if err != nil {
		return err
	}
	page, err := h.list(req.r.Context(), req.bucket, p, q.Get("marker"))
	if err != nil {
		return err
	}
	res := listBucketResultV1{
		Xmlns: s3Namespace, Name: req.bucket, MaxKeys: p.maxKeys,
		Prefix: p.encode(p.prefix), Delimiter: p.encode(p.delimiter),
		Marker: p.encode(q.Get("marker")), EncodingType: p.encodingType(),
		IsTruncated:    page.IsTruncated,
		Contents:       h.entries(page.Objects, p, true),
		CommonPrefixes: prefixes(page.CommonPrefixes, p),
	}
	if page.IsTruncated {
		res.NextMarker = p.encode(page.NextMarker)
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

// parseListParams reads prefix, delimiter, max-keys and encoding-type.
func parseListParams(q url.Values) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter")}
	n, err := intArg(q, "max-keys", maxListKeys, maxListKeys)
	if err != nil || n < 0 {
		return p, invalidArgument("max-keys", q.Get("max-keys"),
			"Provided max-keys not an integer or within integer range")
	}
	p.maxKeys = n
	switch e := q.Get("encoding-type"); {
	case e == "url":
		p.urlEncode = true
	case q.Has("encoding-type"):
		return p, invalidArgument("encoding-type", e,
			"Invalid Encoding Method specified in Request")
	}
	return p, nil
}

// list fetches one page. A page of zero keys is answered without asking
// for keys, as AWS does.
func (h *Handler) list(ctx context.Context, bucket string, p listParams,
	marker string) (object.ListResult, error) {
	if p.maxKeys == 0 {
		_, err := h.layer.HeadBucket(ctx, bucket)
		return object.ListResult{}, err
	}
	return h.layer.ListObjects(ctx, bucket, object.ListOptions{
		Prefix: p.prefix, Delimiter: p.delimiter, Marker: marker, MaxKeys: p.maxKeys,
	})
}

// entries turns object infos into listing entries.
func (h *Handler) entries(objects []object.ObjectInfo, p listParams, withOwner bool) []objectEntry {
	out := make([]objectEntry, 0, len(objects))
	for _, o := range objects {
		e := objectEntry{
			Key: p.encode(o.Key), LastModified: formatXMLTime(o.ModTime),
			ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: o.Class(),
		}
		for alg := range o.Checksums {
			e.ChecksumAlgorithm = append(e.ChecksumAlgorithm, alg)
			e.ChecksumType = "FULL_OBJECT"
		}
		if withOwner {
			e.Owner = &owner{ID: h.ownerID}
		}
		out = append(out, e)
	}
	return out
}

func prefixes(names []string, p listParams) []commonPrefix {
	out := make([]commonPrefix, 0, len(names))
	for _, n := range names {
		out = append(out, commonPrefix{Prefix: p.encode(n)})
	}
	return out
}

// encode applies encoding-type=url to a key or prefix in an answer.
func (p listParams) encode(s string) string {
	if !p.urlEncode {
		return s
	}
	return uriEncode(s, false)
}

func (p listParams) encodingType() string {
	if p.urlEncode {
		return "url"
	}
	return ""
}

// encodeToken makes an opaque continuation token from a listing marker.
func encodeToken(marker string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(marker))
}

// decodeToken reads the continuation token named name; "" when absent.
func decodeToken(q url.Values, name string) (string, error) {
	if !q.Has(name) {
		return "", nil
	}
	tok := q.Get(name)
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if tok == "" || err != nil || !utf8.Valid(b) {
		return "", invalidArgument(name, tok, "The continuation token provided is incorrect")
	}
	return string(b), nil
}

// quoteETag returns an ETag in the double quotes HTTP and S3 use.
func quoteETag(etag string) string {
	return `"` + strings.Trim(etag, `"`) + `"`
}
