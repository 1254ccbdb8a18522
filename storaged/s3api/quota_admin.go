package s3api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
)

// maxQuotaBody bounds the JSON body of PUT /strata/admin/quota.
const maxQuotaBody = 4 << 10

// QuotaRequest is the JSON body of PUT /strata/admin/quota?bucket=B. It
// replaces the bucket's quota: a limit it leaves out or sets to 0 is
// removed. At least one limit must be positive; DELETE removes a quota.
type QuotaRequest struct {
	// HardBytes is the most bytes the bucket may hold.
	HardBytes int64 `json:"hardBytes,omitempty"`
	// HardObjects is the most object versions the bucket may hold.
	HardObjects int64 `json:"hardObjects,omitempty"`
}

// QuotaStatus is the JSON answer of GET and PUT /strata/admin/quota: the
// bucket's limits (0 for none) and its usage as this node counts it now.
type QuotaStatus struct {
	Bucket      string `json:"bucket"`
	HardBytes   int64  `json:"hardBytes"`
	HardObjects int64  `json:"hardObjects"`
	UsedBytes   int64  `json:"usedBytes"`
	UsedObjects int64  `json:"usedObjects"`
}

// serveQuota answers GET, PUT and DELETE of the quota endpoint, for
// requests signed with the root key.
func (a *Admin) serveQuota(w http.ResponseWriter, req *request) {
	r := req.r
	w.Header().Set("X-Amz-Request-Id", req.id)
	if err := a.s3.authenticateRoot(req); err != nil {
		writeAPIError(w, req, toAPIError(err))
		return
	}
	bucket := req.query.Get("bucket")
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		writeAPIError(w, req, newError("MethodNotAllowed"))
		return
	}
	switch {
	case a.quotas == nil:
		writeJSON(w, http.StatusNotImplemented,
			adminError{"this node's object layer keeps no bucket quotas"})
	case bucket == "":
		writeJSON(w, http.StatusBadRequest,
			adminError{"name the bucket in the query: ?bucket=NAME"})
	default:
		a.quotaMethod(w, req, bucket)
	}
}

// quotaMethod runs the request's method on the bucket's quota.
func (a *Admin) quotaMethod(w http.ResponseWriter, req *request, bucket string) {
	ctx := req.r.Context()
	var err error
	switch req.r.Method {
	case http.MethodPut:
		err = a.putQuota(req, bucket)
	case http.MethodDelete:
		if err = a.quotas.store.PutBucketQuota(ctx, bucket, object.Quota{}); err == nil {
			a.quotas.set(bucket, object.Quota{})
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if err != nil {
		a.writeQuotaError(w, req, err)
		return
	}
	st, err := a.quotaStatus(req, bucket)
	if err != nil {
		a.writeQuotaError(w, req, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// putQuota reads the request's QuotaRequest and stores it.
func (a *Admin) putQuota(req *request, bucket string) error {
	body, err := a.s3.readBodyUpTo(req, maxQuotaBody)
	if err != nil {
		return err
	}
	q, err := decodeQuota(body)
	if err != nil {
		return err
	}
	if err := a.quotas.store.PutBucketQuota(req.r.Context(), bucket, q); err != nil {
		return err
	}
	a.quotas.set(bucket, q)
	return nil
}

// decodeQuota reads a QuotaRequest and checks its limits.
func decodeQuota(body []byte) (object.Quota, error) {
	var q QuotaRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return object.Quota{}, &badQuota{fmt.Sprintf("the body must be JSON "+
			"{\"hardBytes\": N, \"hardObjects\": M}: %v", err)}
	}
	switch {
	case q.HardBytes < 0 || q.HardObjects < 0:
		return object.Quota{}, &badQuota{fmt.Sprintf("hardBytes (%d) and hardObjects (%d) "+
			"must not be negative", q.HardBytes, q.HardObjects)}
	case q.HardBytes == 0 && q.HardObjects == 0:
		return object.Quota{}, &badQuota{"set hardBytes, hardObjects or both to a positive " +
			"limit; DELETE removes a quota"}
	}
	return object.Quota{Bytes: q.HardBytes, Objects: q.HardObjects}, nil
}

// quotaStatus reads the bucket's quota and usage.
func (a *Admin) quotaStatus(req *request, bucket string) (QuotaStatus, error) {
	ctx := req.r.Context()
	hard, err := a.quotas.store.BucketQuota(ctx, bucket)
	if err != nil {
		return QuotaStatus{}, err
	}
	used, err := a.quotas.usage(ctx, bucket)
	if err != nil {
		return QuotaStatus{}, err
	}
	return QuotaStatus{Bucket: bucket, HardBytes: hard.Bytes, HardObjects: hard.Objects,
		UsedBytes: used.bytes, UsedObjects: used.objects}, nil
}

// badQuota is a quota request the endpoint refuses with 400.
type badQuota struct{ msg string }

func (e *badQuota) Error() string { return e.msg }

// writeQuotaError answers a failed quota request as JSON.
func (a *Admin) writeQuotaError(w http.ResponseWriter, req *request, err error) {
	var bad *badQuota
	var ae *apiError
	switch {
	case errors.As(err, &bad), errors.Is(err, object.ErrInvalidQuota):
		writeJSON(w, http.StatusBadRequest, adminError{err.Error()})
	case errors.Is(err, object.ErrBucketNotFound), errors.Is(err, object.ErrInvalidBucketName):
		writeJSON(w, http.StatusNotFound, adminError{"bucket " + req.query.Get("bucket") +
			" does not exist"})
	case errors.As(err, &ae):
		writeAPIError(w, req, ae)
	default:
		a.s3.log.Error("a bucket quota request failed", "error", err)
		writeJSON(w, http.StatusInternalServerError, adminError{err.Error()})
	}
}
