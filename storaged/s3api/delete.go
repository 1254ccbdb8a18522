package s3api

import (
	"encoding/xml"
	"net/http"
)

// maxDeleteKeys is the most keys one DeleteObjects request may name.
const maxDeleteKeys = 1000

// deleteRequest is DeleteObjects' body.
type deleteRequest struct {
	XMLName xml.Name         `xml:"Delete"`
	Quiet   bool             `xml:"Quiet"`
	Objects []deleteObjectID `xml:"Object"`
}

type deleteObjectID struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId"`
}

// deleteResult is DeleteObjects' answer.
type deleteResult struct {
	XMLName xml.Name       `xml:"DeleteResult"`
	Xmlns   string         `xml:"xmlns,attr"`
	Deleted []deletedEntry `xml:"Deleted"`
	Errors  []deleteError  `xml:"Error"`
}

type deletedEntry struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// deleteObject is DeleteObject: DELETE /bucket/key. A missing key in an
// existing bucket is deleted successfully, as in S3.
func (h *Handler) deleteObject(w http.ResponseWriter, req *request) error {
	if err := h.layer.DeleteObject(req.r.Context(), req.bucket, req.key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObjects is DeleteObjects: POST /bucket?delete with up to 1000 keys.
func (h *Handler) deleteObjects(w http.ResponseWriter, req *request) error {
	body, err := h.readSmallBody(req)
	if err != nil {
		return err
	}
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil || len(d.Objects) == 0 ||
		len(d.Objects) > maxDeleteKeys {
		return newError("MalformedXML")
	}
	ctx := req.r.Context()
	if _, err := h.layer.HeadBucket(ctx, req.bucket); err != nil {
		return err
	}
	res := deleteResult{Xmlns: s3Namespace}
	for _, o := range d.Objects {
		if err := h.deleteOne(req, o); err != nil {
			e := toAPIError(err)
			if e.code == "InternalError" {
				h.log.Error("delete in DeleteObjects failed", "id", req.id, "error", e.cause)
			}
			res.Errors = append(res.Errors, deleteError{o.Key, e.code, e.message})
		} else if !d.Quiet {
			res.Deleted = append(res.Deleted, deletedEntry{o.Key})
		}
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

func (h *Handler) deleteOne(req *request, o deleteObjectID) error {
	switch {
	case o.VersionID != "" && o.VersionID != "null":
		return errNotImplemented("Deleting an object version")
	case len(o.Key) > maxKeyLength:
		return newError("KeyTooLongError")
	}
	return h.layer.DeleteObject(req.r.Context(), req.bucket, o.Key)
}
