package s3api

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxXMLBody bounds the XML bodies of bucket requests.
const maxXMLBody = 1 << 20

// createBucketConfiguration is CreateBucket's optional body.
type createBucketConfiguration struct {
	XMLName            xml.Name  `xml:"CreateBucketConfiguration"`
	LocationConstraint string    `xml:"LocationConstraint"`
	Location           *struct{} `xml:"Location"`
	Bucket             *struct{} `xml:"Bucket"`
}

// createBucket is CreateBucket: PUT /bucket.
func (h *Handler) createBucket(w http.ResponseWriter, req *request) error {
	if err := checkCreateBucketHeaders(req.r.Header); err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	if err := h.checkBucketConfiguration(body); err != nil {
		return err
	}
	locked := lockRequested(req.r.Header)
	if locked {
		if err := h.prepareLockedBucket(req); err != nil {
			return err
		}
	}
	if err := h.layer.MakeBucket(req.r.Context(), req.bucket); err != nil {
		return err
	}
	if locked {
		if err := h.enableBucketLock(req.r.Context(), req.bucket); err != nil {
			return err
		}
	}
	w.Header().Set("Location", "/"+req.bucket)
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkCreateBucketHeaders refuses bucket features Strata does not have.
func checkCreateBucketHeaders(hdr http.Header) error {
	if o := hdr.Get("X-Amz-Object-Ownership"); o != "" && o != "BucketOwnerEnforced" {
		return errNotImplemented("Object ownership " + o)
	}
	if acl := hdr.Get("X-Amz-Acl"); acl != "" && acl != "private" {
		return errNotImplemented("The canned ACL " + acl)
	}
	return checkNoGrants(hdr)
}

// checkNoGrants refuses x-amz-grant-* headers: buckets have one owner.
func checkNoGrants(hdr http.Header) error {
	for name := range hdr {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-grant-") {
			return errNotImplemented("ACL grants (" + strings.ToLower(name) + ")")
		}
	}
	return nil
}

// checkBucketConfiguration accepts an empty body or a LocationConstraint
// naming this endpoint's region.
func (h *Handler) checkBucketConfiguration(body []byte) error {
	return parseBucketConfiguration(body, h.region)
}

// parseBucketConfiguration checks a CreateBucketConfiguration body against
// the endpoint's region: empty, or a LocationConstraint naming it.
func parseBucketConfiguration(body []byte, region string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var cfg createBucketConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return newError("MalformedXML")
	}
	if cfg.Location != nil || cfg.Bucket != nil {
		return errNotImplemented("Directory buckets")
	}
	if c := cfg.LocationConstraint; c != "" && c != region {
		return errorf("IllegalLocationConstraintException", "The %.40s location constraint "+
			"is incompatible for the region specific endpoint this request was sent to "+
			"(%s).", c, region)
	}
	return nil
}

// readSmallBody reads a verified body of at most maxXMLBody bytes.
func (h *Handler) readSmallBody(req *request) ([]byte, error) {
	return h.readBodyUpTo(req, maxXMLBody)
}

// readBodyUpTo reads a verified body of at most max bytes.
func (h *Handler) readBodyUpTo(req *request, max int64) ([]byte, error) {
	body, _, err := h.requestBody(req, max)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(body)
}

// headBucket is HeadBucket: HEAD /bucket.
func (h *Handler) headBucket(w http.ResponseWriter, req *request) error {
	if _, err := h.layer.HeadBucket(req.r.Context(), req.bucket); err != nil {
		return err
	}
	w.Header().Set("X-Amz-Bucket-Region", h.region)
	w.WriteHeader(http.StatusOK)
	return nil
}

// deleteBucket is DeleteBucket: DELETE /bucket.
func (h *Handler) deleteBucket(w http.ResponseWriter, req *request) error {
	if err := h.layer.DeleteBucket(req.r.Context(), req.bucket); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// locationConstraint is GetBucketLocation's answer.
type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Value   string   `xml:",chardata"`
}

// getBucketLocation is GetBucketLocation: GET /bucket?location. As in AWS,
// us-east-1 is the empty constraint.
func (h *Handler) getBucketLocation(w http.ResponseWriter, req *request) error {
	if _, err := h.layer.HeadBucket(req.r.Context(), req.bucket); err != nil {
		return err
	}
	value := h.region
	if value == "us-east-1" {
		value = ""
	}
	writeXML(w, http.StatusOK, locationConstraint{Xmlns: s3Namespace, Value: value})
	return nil
}

// owner is the Owner element of listings.
type owner struct {
	ID string `xml:"ID"`
}

// listAllMyBucketsResult is ListBuckets' answer.
type listAllMyBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns             string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
	Prefix            string        `xml:"Prefix,omitempty"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// listBuckets is ListBuckets: GET /, with optional prefix, max-buckets,
// continuation-token and bucket-region.
func (h *Handler) listBuckets(w http.ResponseWriter, req *request) error {
	q := req.query
	limit, err := intArg(q, "max-buckets", 10000, 10000)
	if err != nil || limit < 1 {
		return invalidArgument("max-buckets", q.Get("max-buckets"),
			"max-buckets must be an integer from 1 to 10000")
	}
	after, err := decodeToken(q, "continuation-token")
	if err != nil {
		return err
	}
	buckets, err := h.layer.ListBuckets(req.r.Context())
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{Xmlns: s3Namespace, Owner: owner{ID: h.ownerID},
		Prefix: q.Get("prefix")}
	if r := q.Get("bucket-region"); r != "" && r != h.region {
		buckets = nil
	}
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, res.Prefix) || b.Name <= after {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = encodeToken(res.Buckets[limit-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{Name: b.Name,
			CreationDate: formatXMLTime(b.Created), BucketRegion: h.region})
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

// intArg reads an integer query argument, def when absent, capped at max.
func intArg(q map[string][]string, name string, def, max int) (int, error) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil {
		return 0, err
	}
	return min(n, max), nil
}

func invalidArgument(name, value, message string) *apiError {
	e := errorf("InvalidArgument", "%s", message)
	e.fields.ArgumentName, e.fields.ArgumentValue = name, value
	return e
}
