package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/strata-storage/strata/storaged/object"
)

// listVersionsResult is ListObjectVersions' answer. Versions and delete
// markers come in one run, in listing order, each under its own element
// name.
type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry `xml:",any"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// versionEntry is a Version or a DeleteMarker element.
type versionEntry struct {
	XMLName           xml.Name
	Key               string   `xml:"Key"`
	VersionID         string   `xml:"VersionId"`
	IsLatest          bool     `xml:"IsLatest"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag,omitempty"`
	Size              *int64   `xml:"Size,omitempty"`
	StorageClass      string   `xml:"StorageClass,omitempty"`
	Owner             owner    `xml:"Owner"`
	ChecksumAlgorithm []string `xml:"ChecksumAlgorithm,omitempty"`
}

// listObjectVersions is ListObjectVersions: GET /bucket?versions.
func (h *Handler) listObjectVersions(w http.ResponseWriter, req *request) error {
	v, err := h.versioned()
	if err != nil {
		return err
	}
	q := req.query
	p, err := parseListParams(q)
	if err != nil {
		return err
	}
	opts := object.ListVersionsOptions{Prefix: p.prefix, Delimiter: p.delimiter,
		KeyMarker: q.Get("key-marker"), VersionIDMarker: q.Get("version-id-marker"),
		MaxKeys: p.maxKeys}
	if opts.VersionIDMarker != "" && opts.KeyMarker == "" {
		return invalidArgument("version-id-marker", opts.VersionIDMarker,
			"A version-id marker cannot be specified without a key marker.")
	}
	var res object.ListVersionsResult
	if p.maxKeys > 0 {
		res, err = v.ListObjectVersions(req.r.Context(), req.bucket, opts)
	} else {
		_, err = h.layer.HeadBucket(req.r.Context(), req.bucket)
	}
	if err != nil {
		return err
	}
	out := listVersionsResult{Xmlns: s3Namespace, Name: req.bucket, Prefix: p.encode(p.prefix),
		KeyMarker: p.encode(opts.KeyMarker), VersionIDMarker: opts.VersionIDMarker,
		NextKeyMarker: p.encode(res.NextKeyMarker), NextVersionIDMarker: res.NextVersionIDMarker,
		MaxKeys: p.maxKeys, Delimiter: p.encode(p.delimiter), EncodingType: p.encodingType(),
		IsTruncated: res.IsTruncated, CommonPrefixes: prefixes(res.CommonPrefixes, p)}
	for _, o := range res.Versions {
		out.Entries = append(out.Entries, h.versionEntry(o, p))
	}
	writeXML(w, http.StatusOK, out)
	return nil
}

// versionEntry renders one version of a listing.
func (h *Handler) versionEntry(o object.ObjectInfo, p listParams) versionEntry {
	e := versionEntry{XMLName: xml.Name{Local: "Version"}, Key: p.encode(o.Key),
		VersionID: o.VersionID, IsLatest: o.IsLatest, LastModified: formatXMLTime(o.ModTime),
		Owner: owner{ID: h.ownerID}}
	if o.DeleteMarker {
		e.XMLName.Local = "DeleteMarker"
		return e
	}
	size := o.Size
	e.ETag, e.Size, e.StorageClass = quoteETag(o.ETag), &size, o.Class()
	for alg := range o.Checksums {
		e.ChecksumAlgorithm = append(e.ChecksumAlgorithm, alg)
	}
	return e
}
