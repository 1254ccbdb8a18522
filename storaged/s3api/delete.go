package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
	"github.com/strata-storage/strata/storaged/telemetry"
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
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// deleteObject is DeleteObject: DELETE /bucket/key. A missing key in an
// existing bucket is deleted successfully, as in S3.
func (h *Handler) deleteObject(w http.ResponseWriter, req *request) error {
	res, err := h.deleteChecked(req.r.Context(), req, req.key, req.query.Get("versionId"))
	if err != nil {
		return err
	}
	setVersionHeader(w.Header(), "X-Amz-Version-Id", res.VersionID)
	if res.DeleteMarker {
		w.Header().Set("X-Amz-Delete-Marker", "true")
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
	d, err := parseDelete(body)
	if err != nil {
		return err
	}
	ctx := req.r.Context()
	if _, err := h.layer.HeadBucket(ctx, req.bucket); err != nil {
		return err
	}
	res := deleteResult{Xmlns: s3Namespace}
	for _, o := range d.Objects {
		done, err := h.deleteOne(req, o)
		if err != nil {
			e := toAPIError(err)
			if e.code == "InternalError" {
				h.log.Error("delete in DeleteObjects failed", "id", req.id, "error", e.cause)
			}
			res.Errors = append(res.Errors, deleteError{o.Key, o.VersionID, e.code, e.message})
			continue
		}
		req.deleted = append(req.deleted, telemetry.DeletedObject{Key: o.Key,
			VersionID: o.VersionID})
		if !d.Quiet {
			res.Deleted = append(res.Deleted, deletedOf(o, done))
		}
	}
	writeXML(w, http.StatusOK, res)
	return nil
}

// parseDelete decodes a DeleteObjects body of 1 to maxDeleteKeys keys.
func parseDelete(body []byte) (deleteRequest, error) {
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil || len(d.Objects) == 0 ||
		len(d.Objects) > maxDeleteKeys {
		return deleteRequest{}, newError("MalformedXML")
	}
	return d, nil
}

func (h *Handler) deleteOne(req *request, o deleteObjectID) (object.DeleteResult, error) {
	if len(o.Key) > maxKeyLength {
		return object.DeleteResult{}, newError("KeyTooLongError")
	}
	if err := h.authorizeDelete(req, o.Key, o.VersionID); err != nil {
		return object.DeleteResult{}, err
	}
	return h.deleteChecked(req.r.Context(), req, o.Key, o.VersionID)
}

// deletedOf reports one deleted key as S3 does: the version named, and
// the delete marker removed or added.
func deletedOf(o deleteObjectID, res object.DeleteResult) deletedEntry {
	e := deletedEntry{Key: o.Key, VersionID: o.VersionID, DeleteMarker: res.DeleteMarker}
	if res.DeleteMarker {
		e.DeleteMarkerVersionID = res.VersionID
	}
	return e
}
