package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
)

// listPartsResult is ListParts' answer.
type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	Xmlns                string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	Parts                []partEntry `xml:"Part"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string      `xml:"ChecksumType,omitempty"`
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

// listMultipartUploadsResult is ListMultipartUploads' answer.
type listMultipartUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	Xmlns              string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	Prefix             string         `xml:"Prefix"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type uploadEntry struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

// countArg reads a non-negative count argument, def when absent, capped
// at max.
func countArg(q map[string][]string, name string, def, max int) (int, error) {
	n, err := intArg(q, name, def, max)
	if err != nil || n < 0 {
		v := ""
		if vs := q[name]; len(vs) > 0 {
			v = vs[0]
		}
		return 0, invalidArgument(name, v, name+" must be a non-negative integer")
	}
	return n, nil
}

// listParts is ListParts: GET /bucket/key?uploadId=ID.
func (h *Handler) listParts(w http.ResponseWriter, req *request) error {
	m, err := h.multipart()
	if err != nil {
		return err
	}
	q := req.query
	maxParts, err := countArg(q, "max-parts", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	marker, err := countArg(q, "part-number-marker", 0, object.MaxPartNumber)
	if err != nil {
		return err
	}
	res, err := m.ListParts(req.r.Context(), req.bucket, req.key, q.Get("uploadId"),
		object.ListPartsOptions{Marker: marker, MaxParts: max(maxParts, 1)})
	if maxParts == 0 {
		// A page of no parts: say only whether parts follow the marker.
		res.IsTruncated, res.NextMarker = len(res.Parts) > 0, marker
		res.Parts = nil
	}
	if err != nil {
		return err
	}
	out := listPartsResult{Xmlns: s3Namespace, Bucket: req.bucket, Key: req.key,
		UploadID: res.Upload.UploadID, PartNumberMarker: marker, MaxParts: maxParts,
		IsTruncated: res.IsTruncated, NextPartNumberMarker: res.NextMarker,
		Initiator: owner{ID: h.ownerID}, Owner: owner{ID: h.ownerID},
		StorageClass: res.Upload.Class(), ChecksumAlgorithm: res.Upload.ChecksumAlgorithm,
		ChecksumType: res.Upload.ChecksumType}
	for _, p := range res.Parts {
		out.Parts = append(out.Parts, partEntry{PartNumber: p.Number,
			LastModified: formatXMLTime(p.ModTime), ETag: quoteETag(p.ETag), Size: p.Size,
			checksumFields: newChecksumFields(p.Checksums)})
	}
	if !out.IsTruncated && len(res.Parts) > 0 {
		out.NextPartNumberMarker = res.Parts[len(res.Parts)-1].Number
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

// listMultipartUploads is ListMultipartUploads: GET /bucket?uploads.
func (h *Handler) listMultipartUploads(w http.ResponseWriter, req *request) error {
	q := req.query
	p, err := parseListParams(q)
	if err != nil {
		return err
	}
	maxUploads, err := countArg(q, "max-uploads", maxListKeys, maxListKeys)
	if err != nil {
		return err
	}
	opts := object.ListUploadsOptions{Prefix: p.prefix, Delimiter: p.delimiter,
		KeyMarker: q.Get("key-marker"), MaxUploads: maxUploads}
	if opts.KeyMarker != "" {
		opts.UploadIDMarker = q.Get("upload-id-marker")
	}
	res, err := h.listUploads(req, opts)
	if err != nil {
		return err
	}
	out := listMultipartUploadsResult{Xmlns: s3Namespace, Bucket: req.bucket,
		KeyMarker: p.encode(opts.KeyMarker), UploadIDMarker: opts.UploadIDMarker,
		NextKeyMarker: p.encode(res.NextKeyMarker), NextUploadIDMarker: res.NextUploadIDMarker,
		Delimiter: p.encode(p.delimiter), Prefix: p.encode(p.prefix),
		EncodingType: p.encodingType(), MaxUploads: maxUploads, IsTruncated: res.IsTruncated,
		CommonPrefixes: prefixes(res.CommonPrefixes, p)}
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, uploadEntry{Key: p.encode(u.Key), UploadID: u.UploadID,
			Initiator: owner{ID: h.ownerID}, Owner: owner{ID: h.ownerID}, StorageClass: u.Class(),
			Initiated: formatXMLTime(u.Initiated), ChecksumAlgorithm: u.ChecksumAlgorithm,
			ChecksumType: u.ChecksumType})
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

// listUploads fetches one page; a page of zero uploads only checks the
// bucket.
func (h *Handler) listUploads(req *request,
	opts object.ListUploadsOptions) (object.ListUploadsResult, error) {
	m, err := h.multipart()
	if err != nil {
		return object.ListUploadsResult{}, err
	}
	ctx := req.r.Context()
	if opts.MaxUploads == 0 {
		_, err := h.layer.HeadBucket(ctx, req.bucket)
		return object.ListUploadsResult{}, err
	}
	return m.ListMultipartUploads(ctx, req.bucket, opts)
}
