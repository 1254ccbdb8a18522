package s3api

import (
	"errors"
	"net/http"

	"github.com/strata-storage/strata/storaged/lifecycle"
	"github.com/strata-storage/strata/storaged/object"
)

// lifecycleStore returns the layer's lifecycle capability.
func (h *Handler) lifecycleStore() (object.BucketLifecycleStore, error) {
	if s, ok := h.layer.(object.BucketLifecycleStore); ok {
		return s, nil
	}
	return nil, errNotImplemented("Bucket lifecycle on this node's object layer")
}

// putBucketLifecycle is PutBucketLifecycleConfiguration: PUT
// /bucket?lifecycle (authorized as s3:PutLifecycleConfiguration).
func (h *Handler) putBucketLifecycle(w http.ResponseWriter, req *request) error {
	store, err := h.lifecycleStore()
	if err != nil {
		return err
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	c, err := parseLifecycle(body)
	if err != nil {
		return err
	}
	doc, err := c.Marshal()
	if err != nil {
		return err
	}
	if err := store.PutBucketLifecycle(req.r.Context(), req.bucket, doc); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketLifecycle is GetBucketLifecycleConfiguration: GET
// /bucket?lifecycle.
func (h *Handler) getBucketLifecycle(w http.ResponseWriter, req *request) error {
	store, err := h.lifecycleStore()
	if err != nil {
		return err
	}
	doc, err := store.BucketLifecycle(req.r.Context(), req.bucket)
	if err != nil {
		return err
	}
	if doc == nil {
		if _, err := h.layer.HeadBucket(req.r.Context(), req.bucket); err != nil {
			return err
		}
		return errNoSuchLifecycleConfiguration()
	}
	c, err := parseLifecycle(doc)
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, c)
	return nil
}

// deleteBucketLifecycle is DeleteBucketLifecycle: DELETE
// /bucket?lifecycle. Deleting a configuration the bucket lacks succeeds.
func (h *Handler) deleteBucketLifecycle(w http.ResponseWriter, req *request) error {
	store, err := h.lifecycleStore()
	if err != nil {
		return err
	}
	if err := store.PutBucketLifecycle(req.r.Context(), req.bucket, nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// parseLifecycle parses a LifecycleConfiguration and turns a refusal into
// the S3 error it is.
func parseLifecycle(doc []byte) (*lifecycle.Configuration, error) {
	c, err := lifecycle.Parse(doc)
	var le *lifecycle.Error
	if errors.As(err, &le) {
		return nil, errorf(le.Code, "%s", le.Message)
	}
	return c, err
}

// errNoSuchLifecycleConfiguration is S3's answer for a bucket without a
// lifecycle configuration.
func errNoSuchLifecycleConfiguration() *apiError {
	return &apiError{status: http.StatusNotFound, code: "NoSuchLifecycleConfiguration",
		message: "The lifecycle configuration does not exist"}
}
