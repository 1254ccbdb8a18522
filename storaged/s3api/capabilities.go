package s3api

import "github.com/strata-storage/strata/storaged/object"

// multipart returns the layer's multipart capability, or NotImplemented
// when the layer has none.
func (h *Handler) multipart() (object.Multipart, error) {
	if m, ok := h.layer.(object.Multipart); ok {
		return m, nil
	}
	return nil, errNotImplemented("Multipart upload on this node's object layer")
}

// objectTagger returns the layer's capability to change object tags.
func (h *Handler) objectTagger() (object.ObjectTagger, error) {
	if t, ok := h.layer.(object.ObjectTagger); ok {
		return t, nil
	}
	return nil, errNotImplemented("Changing object tags on this node's object layer")
}

// bucketTagger returns the layer's bucket tag capability.
func (h *Handler) bucketTagger() (object.BucketTagger, error) {
	if t, ok := h.layer.(object.BucketTagger); ok {
		return t, nil
	}
	return nil, errNotImplemented("Bucket tags on this node's object layer")
}

// versioned returns the layer's versioning capability.
func (h *Handler) versioned() (object.Versioned, error) {
	if v, ok := h.layer.(object.Versioned); ok {
		return v, nil
	}
	return nil, errNotImplemented("Versioning on this node's object layer")
}

// policyStore returns the layer's bucket policy capability.
func (h *Handler) policyStore() (object.BucketPolicyStore, error) {
	if s, ok := h.layer.(object.BucketPolicyStore); ok {
		return s, nil
	}
	return nil, errNotImplemented("Bucket policies on this node's object layer")
}
