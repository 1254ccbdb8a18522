package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// objectAttributes is the answer of GetObjectAttributes. Only the
// attributes the request names are set.
type objectAttributes struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	Xmlns        string              `xml:"xmlns,attr"`
	ETag         string              `xml:"ETag,omitempty"`
	Checksum     *attributesChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributesParts    `xml:"ObjectParts,omitempty"`
	StorageClass string              `xml:"StorageClass,omitempty"`
	ObjectSize   *int64              `xml:"ObjectSize,omitempty"`
}

type attributesChecksum struct {
	checksumFields
	Type string `xml:"ChecksumType,omitempty"`
}

type attributesParts struct {
	PartsCount           int              `xml:"PartsCount"`
	PartNumberMarker     int              `xml:"PartNumberMarker"`
	NextPartNumberMarker int              `xml:"NextPartNumberMarker"`
	MaxParts             int              `xml:"MaxParts"`
	IsTruncated          bool             `xml:"IsTruncated"`
	Parts                []attributesPart `xml:"Part"`
}

type attributesPart struct {
	checksumFields
	PartNumber int   `xml:"PartNumber"`
	Size       int64 `xml:"Size"`
}

// The attributes GetObjectAttributes may ask for.
const (
	attrETag         = "ETag"
	attrChecksum     = "Checksum"
	attrObjectParts  = "ObjectParts"
	attrStorageClass = "StorageClass"
	attrObjectSize   = "ObjectSize"
)

// getObjectAttributes is GetObjectAttributes: GET /bucket/key?attributes,
// answered from the object's info alone.
func (h *Handler) getObjectAttributes(w http.ResponseWriter, req *request) error {
	want, err := requestedAttributes(req.r.Header)
	if err != nil {
		return err
	}
	page, err := partsPage(req.r.Header)
	if err != nil {
		return err
	}
	info, err := h.headAt(req.r.Context(), req)
	if err != nil {
		return err
	}
	hdr := w.Header()
	hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	setVersionHeader(hdr, "X-Amz-Version-Id", info.VersionID)
	writeXML(w, http.StatusOK, buildAttributes(info, want, page))
	return nil
}

// requestedAttributes reads x-amz-object-attributes: a comma-separated
// list of attribute names, at least one.
func requestedAttributes(hdr http.Header) (map[string]bool, error) {
	want := map[string]bool{}
	for _, v := range hdr.Values("X-Amz-Object-Attributes") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			switch name {
			case attrETag, attrChecksum, attrObjectParts, attrStorageClass, attrObjectSize:
				want[name] = true
			case "":
			default:
				return nil, invalidArgument("x-amz-object-attributes", truncateValue(name),
					"Invalid attribute name specified.")
			}
		}
	}
	if len(want) == 0 {
		return nil, errorf("InvalidRequest",
			"Missing required header for this request: x-amz-object-attributes")
	}
	return want, nil
}

// partsWindow is the page of parts ObjectParts lists.
type partsWindow struct {
	max, marker int
}

// partsPage reads x-amz-max-parts (default and cap 1000) and
// x-amz-part-number-marker.
func partsPage(hdr http.Header) (partsWindow, error) {
	args := map[string][]string{}
	for _, name := range []string{"x-amz-max-parts", "x-amz-part-number-marker"} {
		if v := hdr.Values(name); len(v) > 0 {
			args[name] = v
		}
	}
	max, err := countArg(args, "x-amz-max-parts", maxListKeys, maxListKeys)
	if err != nil {
		return partsWindow{}, err
	}
	marker, err := countArg(args, "x-amz-part-number-marker", 0, object.MaxPartNumber)
	return partsWindow{max: max, marker: marker}, err
}

// buildAttributes fills in the attributes asked for.
func buildAttributes(info object.ObjectInfo, want map[string]bool,
	page partsWindow) objectAttributes {
	a := objectAttributes{Xmlns: s3Namespace}
	if want[attrETag] {
		a.ETag = strings.Trim(info.ETag, `"`)
	}
	if want[attrChecksum] && len(info.Checksums) > 0 {
		a.Checksum = &attributesChecksum{checksumFields: checksumXML(info.Checksums),
			Type: info.ChecksumType}
	}
	if want[attrObjectParts] && len(info.Parts) > 0 {
		a.ObjectParts = partsXML(info.Parts, page)
	}
	if want[attrStorageClass] {
		a.StorageClass = info.Class()
	}
	if want[attrObjectSize] {
		size := info.Size
		a.ObjectSize = &size
	}
	return a
}

// checksumXML places each recorded checksum in its element. A composite
// checksum loses its "-N" part count, which ObjectParts carries.
func checksumXML(sums map[string]string) checksumFields {
	bare := make(map[string]string, len(sums))
	for alg, v := range sums {
		if i := strings.LastIndexByte(v, '-'); i > 0 {
			v = v[:i]
		}
		bare[alg] = v
	}
	return newChecksumFields(bare)
}

// partsXML lists up to page.max parts numbered above page.marker.
func partsXML(parts []object.PartInfo, page partsWindow) *attributesParts {
	out := &attributesParts{PartsCount: len(parts), PartNumberMarker: page.marker,
		MaxParts: page.max}
	for _, p := range parts {
		if p.Number <= page.marker {
			continue
		}
		if len(out.Parts) == page.max {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, attributesPart{checksumFields: checksumXML(p.Checksums),
			PartNumber: p.Number, Size: p.Size})
		out.NextPartNumberMarker = p.Number
	}
	return out
}
