package object

import (
	"context"
	"fmt"
	"io"

	"github.com/strata-storage/strata/storaged/erasure"
)

// VersionRestorer is a Layer that can store a version exactly as another
// layer holds it, to move objects between layers without changing them
// (draining a pool of a tenant). Callers order restores of a key with
// its other changes.
type VersionRestorer interface {
	// RestoreVersion stores r, info.Size bytes, as version info.VersionID
	// of bucket/key with info's modification time, ETag, metadata, lock
	// settings, tags and checksums, among the key's versions by its
	// modification time; it is the current version only if it is the
	// newest. A version of the same ID is replaced, so a restore can be
	// repeated. A delete marker (info.DeleteMarker) has no body. With
	// info.Parts, r is the parts' bytes in order and the version keeps
	// them as parts, each with its ETag and checksums.
	RestoreVersion(ctx context.Context, bucket, key string, r io.Reader,
		info ObjectInfo) (ObjectInfo, error)
}

var _ VersionRestorer = (*ErasureLayer)(nil)

// RestoreVersion implements VersionRestorer.
func (l *ErasureLayer) RestoreVersion(ctx context.Context, bucket, key string, r io.Reader,
	info ObjectInfo) (ObjectInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := checkVersionID(info.VersionID); err != nil {
		return ObjectInfo{}, err
	}
	if info.DeleteMarker && info.Size != 0 {
		return ObjectInfo{}, fmt.Errorf("object: restoring %s/%s: a delete marker of %d bytes",
			bucket, key, info.Size)
	}
	opts := erasure.RestoreOptions{VersionID: versionIn(info.VersionID), ModTime: info.ModTime,
		DeleteMarker: info.DeleteMarker}
	if !info.DeleteMarker {
		// The version keeps its storage class, so it is coded with the
		// parity this layer gives that class.
		parity, err := l.parity(&info.Metadata)
		if err != nil {
			return ObjectInfo{}, err
		}
		opts.Metadata = restoredMetadata(info)
		opts.Parts = restoredParts(info.Parts)
		opts.Parity = parity
	}
	stored, err := l.set.PutVersion(ctx, bucket, key, r, info.Size, opts)
	if err != nil {
		return ObjectInfo{}, mapErr(err)
	}
	return objectInfo(stored), nil
}

// restoredMetadata is the metadata map that objectInfo reads info from.
func restoredMetadata(info ObjectInfo) map[string]string {
	md := map[string]string{metaETag: info.ETag}
	info.Metadata.store(md)
	storePrefixed(md, metaTagPrefix, info.Tags, nil)
	storePrefixed(md, metaSumPrefix, info.Checksums, nil)
	if len(info.Checksums) > 0 && info.ChecksumType != "" {
		md[metaChecksumType] = info.ChecksumType
	}
	return md
}

// restoredParts turns an object's parts back into the erasure layer's.
func restoredParts(parts []PartInfo) []erasure.PartInfo {
	var out []erasure.PartInfo
	for _, p := range parts {
		md := map[string]string{metaETag: p.ETag}
		storePrefixed(md, metaSumPrefix, p.Checksums, nil)
		out = append(out, erasure.PartInfo{Number: p.Number, Size: p.Size, Metadata: md})
	}
	return out
}
