package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
)

// versioningConfiguration is PutBucketVersioning's body and
// GetBucketVersioning's answer.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// parseVersioningConfiguration decodes a PutBucketVersioning body and
// returns the state it asks for: Enabled or Suspended. MFA delete is not
// built.
func parseVersioningConfiguration(body []byte) (string, error) {
	var c versioningConfiguration
	if err := xml.Unmarshal(bytes.TrimSpace(body), &c); err != nil {
		return "", newError("MalformedXML")
	}
	switch c.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return "", errNotImplemented("MFA delete")
	default:
		return "", newError("MalformedXML")
	}
	if c.Status != object.VersioningEnabled && c.Status != object.VersioningSuspended {
		return "", newError("MalformedXML")
	}
	return c.Status, nil
}

// putBucketVersioning is PutBucketVersioning: PUT /bucket?versioning.
func (h *Handler) putBucketVersioning(w http.ResponseWriter, req *request) error {
	v, err := h.versioned()
	if err != nil {
		return err
	}
	if req.r.Header.Get("X-Amz-Mfa") != "" {
		return errNotImplemented("MFA delete")
	}
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	state, err := parseVersioningConfiguration(body)
	if err != nil {
		return err
	}
	if err := h.checkVersioningChange(req.r.Context(), req.bucket, state); err != nil {
		return err
	}
	if err := v.PutBucketVersioning(req.r.Context(), req.bucket, state); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketVersioning is GetBucketVersioning: GET /bucket?versioning. A
// bucket that never had versioning answers an empty configuration.
func (h *Handler) getBucketVersioning(w http.ResponseWriter, req *request) error {
	v, err := h.versioned()
	if err != nil {
		return err
	}
	state, err := v.BucketVersioning(req.r.Context(), req.bucket)
	if err != nil {
		return err
	}
	writeXML(w, http.StatusOK, versioningConfiguration{Xmlns: s3Namespace, Status: state})
	return nil
}

// setVersionHeader sets header name to a version ID, except the null
// version's, which S3 leaves out.
func setVersionHeader(hdr http.Header, name, id string) {
	if id != "" && id != object.NullVersion {
		hdr.Set(name, id)
	}
}

// versionArg returns the versionId argument of a request, if any.
func versionArg(req *request) (string, bool) {
	if !req.query.Has("versionId") {
		return "", false
	}
	return req.query.Get("versionId"), true
}

// headAt describes the object or, with versionId, the version the request
// names. The null version of a layer without versioning is the object.
func (h *Handler) headAt(ctx context.Context, req *request) (object.ObjectInfo, error) {
	id, ok := versionArg(req)
	if !ok || id == object.NullVersion && !h.canVersion() {
		return h.layer.HeadObject(ctx, req.bucket, req.key)
	}
	v, err := h.versioned()
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return v.HeadObjectVersion(ctx, req.bucket, req.key, id)
}

// getAt is headAt for a read of rng.
func (h *Handler) getAt(ctx context.Context, req *request,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	return h.getVersion(ctx, req.bucket, req.key, req.query.Get("versionId"),
		req.query.Has("versionId"), rng)
}

// getVersion reads bucket/key, or its version id when named.
func (h *Handler) getVersion(ctx context.Context, bucket, key, id string, named bool,
	rng *object.Range) (object.ObjectInfo, io.ReadCloser, error) {
	if !named || id == object.NullVersion && !h.canVersion() {
		return h.layer.GetObject(ctx, bucket, key, rng)
	}
	v, err := h.versioned()
	if err != nil {
		return object.ObjectInfo{}, nil, err
	}
	return v.GetObjectVersion(ctx, bucket, key, id, rng)
}

// headVersion describes bucket/key, or its version id when named.
func (h *Handler) headVersion(ctx context.Context, bucket, key, id string,
	named bool) (object.ObjectInfo, error) {
	if !named || id == object.NullVersion && !h.canVersion() {
		return h.layer.HeadObject(ctx, bucket, key)
	}
	v, err := h.versioned()
	if err != nil {
		return object.ObjectInfo{}, err
	}
	return v.HeadObjectVersion(ctx, bucket, key, id)
}

// canVersion reports whether the layer keeps versions.
func (h *Handler) canVersion() bool {
	_, ok := h.layer.(object.Versioned)
	return ok
}

// deleteAt deletes the object as the request asks: the version it names,
// or the key as the bucket's versioning says.
func (h *Handler) deleteAt(ctx context.Context, bucket, key,
	id string) (object.DeleteResult, error) {
	v, ok := h.layer.(object.Versioned)
	switch {
	case ok:
		return v.DeleteObjectVersion(ctx, bucket, key, id)
	case id == "" || id == object.NullVersion:
		return object.DeleteResult{}, h.layer.DeleteObject(ctx, bucket, key)
	}
	return object.DeleteResult{}, errNotImplemented("Deleting an object version on this " +
		"node's object layer")
}
