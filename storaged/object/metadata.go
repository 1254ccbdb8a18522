package object

import (
	"maps"
	"strings"

	"github.com/strata-storage/strata/storaged/erasure"
)

// Names under which ObjectInfo's fields are stored in the erasure layer's
// metadata map. Prefixed names hold one entry per map key.
const (
	metaETag               = "etag"
	metaContentType        = "content-type"
	metaContentEncoding    = "content-encoding"
	metaContentDisposition = "content-disposition"
	metaContentLanguage    = "content-language"
	metaCacheControl       = "cache-control"
	metaExpires            = "expires"
	metaStorageClass       = "storage-class"
	metaChecksumType       = "checksum-type"
	metaUploadAlgorithm    = "upload-checksum-algorithm"
	metaUploadChecksumType = "upload-checksum-type"
	metaUserPrefix         = "x-amz-meta-"
	metaSumPrefix          = "x-amz-checksum-"
	metaTagPrefix          = "tag/"
)

// Checksum types, as S3 names them in x-amz-checksum-type.
const (
	ChecksumFullObject = "FULL_OBJECT"
	ChecksumComposite  = "COMPOSITE"
)

// headerFields pairs each stored standard header, and the storage class,
// with its field.
func (m *Metadata) headerFields() []struct {
	name  string
	value *string
} {
	return []struct {
		name  string
		value *string
	}{
		{metaContentType, &m.ContentType},
		{metaContentEncoding, &m.ContentEncoding},
		{metaContentDisposition, &m.ContentDisposition},
		{metaContentLanguage, &m.ContentLanguage},
		{metaCacheControl, &m.CacheControl},
		{metaExpires, &m.Expires},
		{metaStorageClass, &m.StorageClass},
	}
}

// store adds the metadata to md.
func (m Metadata) store(md map[string]string) {
	for _, f := range m.headerFields() {
		if *f.value != "" {
			md[f.name] = *f.value
		}
	}
	storePrefixed(md, metaUserPrefix, m.UserMetadata, strings.ToLower)
	m.Lock.store(md)
}

// loadMetadata reads the metadata stored in md.
func loadMetadata(md map[string]string) Metadata {
	var m Metadata
	for _, f := range m.headerFields() {
		*f.value = md[f.name]
	}
	m.UserMetadata = withPrefix(md, metaUserPrefix)
	m.Lock = loadLock(md)
	return m
}

// storePrefixed adds each entry of values to md under prefix and the
// entry's key, changed by name when it is not nil.
func storePrefixed(md map[string]string, prefix string, values map[string]string,
	name func(string) string) {
	for k, v := range values {
		if name != nil {
			k = name(k)
		}
		md[prefix+k] = v
	}
}

// storedMetadata builds the metadata stored with an object once its body
// has been read.
func storedMetadata(opts PutOptions, etag string) map[string]string {
	md := map[string]string{metaETag: etag}
	opts.Metadata.store(md)
	storePrefixed(md, metaTagPrefix, opts.Tags, nil)
	if opts.Checksums != nil {
		storePrefixed(md, metaSumPrefix, opts.Checksums(), nil)
	}
	return md
}

// withTags returns a copy of md whose tags are replaced by tags.
func withTags(md map[string]string, tags map[string]string) map[string]string {
	out := maps.Clone(md)
	if out == nil {
		out = map[string]string{}
	}
	maps.DeleteFunc(out, func(k, _ string) bool { return strings.HasPrefix(k, metaTagPrefix) })
	storePrefixed(out, metaTagPrefix, tags, nil)
	return out
}

// objectInfo turns what the erasure layer returns into an ObjectInfo.
func objectInfo(info erasure.ObjectInfo) ObjectInfo {
	md := info.Metadata
	oi := ObjectInfo{
		Bucket:       info.Bucket,
		Key:          info.Key,
		Size:         info.Size,
		ModTime:      info.ModTime,
		ETag:         md[metaETag],
		Metadata:     loadMetadata(md),
		Tags:         withPrefix(md, metaTagPrefix),
		Checksums:    withPrefix(md, metaSumPrefix),
		VersionID:    versionOut(info.VersionID),
		IsLatest:     info.IsLatest,
		DeleteMarker: info.DeleteMarker,
	}
	if oi.Checksums != nil {
		oi.ChecksumType = md[metaChecksumType]
		if oi.ChecksumType == "" {
			oi.ChecksumType = ChecksumFullObject
		}
	}
	for _, p := range info.Parts {
		oi.Parts = append(oi.Parts, partInfo(p))
	}
	return oi
}

// partInfo turns an erasure part into a PartInfo.
func partInfo(p erasure.PartInfo) PartInfo {
	return PartInfo{
		Number:    p.Number,
		Size:      p.Size,
		ETag:      p.Metadata[metaETag],
		ModTime:   p.ModTime,
		Checksums: withPrefix(p.Metadata, metaSumPrefix),
	}
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
