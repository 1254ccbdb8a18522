package object

import (
	"strings"

	"github.com/strata-storage/strata/storaged/erasure"
)

// Names under which ObjectInfo's fields are stored in the erasure layer's
// metadata map.
const (
	metaETag        = "etag"
	metaContentType = "content-type"
	metaUserPrefix  = "x-amz-meta-"
	metaSumPrefix   = "x-amz-checksum-"
)

// storedMetadata builds the metadata stored with an object once its body
// has been read.
func storedMetadata(opts PutOptions, etag string) map[string]string {
	md := map[string]string{metaETag: etag}
	if opts.ContentType != "" {
		md[metaContentType] = opts.ContentType
	}
	for k, v := range opts.UserMetadata {
		md[metaUserPrefix+strings.ToLower(k)] = v
	}
	if opts.Checksums != nil {
		for alg, v := range opts.Checksums() {
			md[metaSumPrefix+alg] = v
		}
	}
	return md
}

// objectInfo turns what the erasure layer returns into an ObjectInfo.
func objectInfo(info erasure.ObjectInfo) ObjectInfo {
	oi := ObjectInfo{
		Bucket:      info.Bucket,
		Key:         info.Key,
		Size:        info.Size,
		ModTime:     info.ModTime,
		ETag:        info.Metadata[metaETag],
		ContentType: info.Metadata[metaContentType],
	}
	oi.UserMetadata = withPrefix(info.Metadata, metaUserPrefix)
	oi.Checksums = withPrefix(info.Metadata, metaSumPrefix)
	return oi
}

// withPrefix returns the entries of md whose names start with prefix, with
// the prefix removed, or nil when there are none.
func withPrefix(md map[string]string, prefix string) map[string]string {
	var out map[string]string
	for k, v := range md {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}
