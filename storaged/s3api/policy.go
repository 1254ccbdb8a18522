package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/strata-storage/strata/internal/policy"
)

// maxPolicySize is the largest bucket policy S3 accepts: 20 KiB.
const maxPolicySize = 20 << 10

// policyStatus is GetBucketPolicyStatus's answer.
type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// putBucketPolicy is PutBucketPolicy: PUT /bucket?policy with a JSON
// policy document, stored as sent once it parses.
func (h *Handler) putBucketPolicy(w http.ResponseWriter, req *request) error {
	store, err := h.policyStore()
	if err != nil {
		return err
	}
	doc, err := h.readPolicy(req)
	if err != nil {
		return err
	}
	if _, err := parseBucketPolicy(doc, req.bucket); err != nil {
		return err
	}
	if err := store.PutBucketPolicy(req.r.Context(), req.bucket, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketPolicy is GetBucketPolicy: GET /bucket?policy returns the
// document as it was stored.
func (h *Handler) getBucketPolicy(w http.ResponseWriter, req *request) error {
	doc, err := h.storedPolicy(req)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
	return nil
}

// deleteBucketPolicy is DeleteBucketPolicy: DELETE /bucket?policy. Deleting
// a policy the bucket lacks succeeds, as in S3.
func (h *Handler) deleteBucketPolicy(w http.ResponseWriter, req *request) error {
	store, err := h.policyStore()
	if err != nil {
		return err
	}
	if err := store.PutBucketPolicy(req.r.Context(), req.bucket, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketPolicyStatus is GetBucketPolicyStatus: GET /bucket?policyStatus.
func (h *Handler) getBucketPolicyStatus(w http.ResponseWriter, req *request) error {
	doc, err := h.storedPolicy(req)
	if err != nil {
		return err
	}
	p, err := policy.ParseBucket(doc)
	if err != nil {
		e := newError("InternalError")
		e.cause = err
		return e
	}
	writeXML(w, http.StatusOK, policyStatus{Xmlns: s3Namespace, IsPublic: isPublic(p)})
	return nil
}

// storedPolicy returns the bucket's policy document, NoSuchBucket when
// the bucket does not exist, or NoSuchBucketPolicy when it has none.
func (h *Handler) storedPolicy(req *request) ([]byte, error) {
	store, err := h.policyStore()
	if err != nil {
		return nil, err
	}
	ctx := req.r.Context()
	if _, err := h.layer.HeadBucket(ctx, req.bucket); err != nil {
		return nil, err
	}
	doc, err := store.BucketPolicy(ctx, req.bucket)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, &apiError{status: http.StatusNotFound, code: "NoSuchBucketPolicy",
			message: "The bucket policy does not exist"}
	}
	return doc, nil
}

// readPolicy reads a policy body of at most maxPolicySize bytes.
func (h *Handler) readPolicy(req *request) ([]byte, error) {
	doc, err := h.readBodyUpTo(req, maxPolicySize)
	var ae *apiError
	if errors.As(err, &ae) && ae.code == "EntityTooLarge" {
		return nil, &apiError{status: http.StatusBadRequest, code: "PolicyTooLarge",
			message: "Policy exceeds the maximum allowed document size."}
	}
	return doc, err
}

// parseBucketPolicy parses a bucket policy and demands, as S3 does, that
// each statement names a principal and that every resource lies in the
// bucket. A refusal is MalformedPolicy with every problem in the message.
func parseBucketPolicy(doc []byte, bucket string) (*policy.Policy, error) {
	p, err := policy.ParseBucket(doc)
	if err != nil {
		return nil, malformedPolicy("%s", strings.TrimPrefix(err.Error(), "policy: "))
	}
	if out := p.ResourcesOutside(bucket); len(out) > 0 {
		return nil, malformedPolicy("Policy has invalid resource: %q is not in bucket %s",
			out[0], bucket)
	}
	return p, nil
}

func malformedPolicy(format string, args ...any) *apiError {
	e := errorf("InvalidArgument", format, args...)
	e.status, e.code = http.StatusBadRequest, "MalformedPolicy"
	return e
}
