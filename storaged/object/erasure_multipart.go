package object

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/strata-storage/strata/storaged/erasure"
)

// NewMultipartUpload records the upload with the metadata, tags and
// checksum choice the object will carry.
func (l *ErasureLayer) NewMultipartUpload(ctx context.Context, bucket, key string,
	opts UploadOptions) (UploadInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return UploadInfo{}, err
	}
	parity, err := l.parity(&opts.Metadata)
	if err != nil {
		return UploadInfo{}, err
	}
	md := map[string]string{}
	opts.Metadata.store(md)
	storePrefixed(md, metaTagPrefix, opts.Tags, nil)
	if opts.ChecksumAlgorithm != "" {
		md[metaUploadAlgorithm] = opts.ChecksumAlgorithm
		md[metaUploadChecksumType] = opts.ChecksumType
	}
	up, err := l.set.NewUpload(ctx, bucket, key,
		erasure.UploadOptions{Metadata: md, Parity: parity})
	if err != nil {
		return UploadInfo{}, mapErr(err)
	}
	return uploadInfo(up), nil
}

// uploadInfo turns what the erasure layer returns into an UploadInfo.
func uploadInfo(up erasure.UploadInfo) UploadInfo {
	md := up.Metadata
	return UploadInfo{
		Bucket:    up.Bucket,
		Key:       up.Key,
		UploadID:  up.UploadID,
		Initiated: up.Initiated,
		UploadOptions: UploadOptions{
			Metadata:          loadMetadata(md),
			Tags:              withPrefix(md, metaTagPrefix),
			ChecksumAlgorithm: md[metaUploadAlgorithm],
			ChecksumType:      md[metaUploadChecksumType],
		},
	}
}

// MultipartUpload returns the upload if it belongs to bucket/key.
func (l *ErasureLayer) MultipartUpload(ctx context.Context, bucket, key,
	uploadID string) (UploadInfo, error) {
	if err := checkNames(bucket, key); err != nil {
		return UploadInfo{}, err
	}
	up, err := l.set.Upload(ctx, bucket, uploadID)
	if err != nil {
		return UploadInfo{}, mapErr(err)
	}
	if up.Key != key {
		return UploadInfo{}, fmt.Errorf("%w: upload %s is of another key",
			ErrNoSuchUpload, uploadID)
	}
	return uploadInfo(up), nil
}

// PutObjectPart stores one part, erasure-coded and durable like an
// object, in the upload's folder.
func (l *ErasureLayer) PutObjectPart(ctx context.Context, bucket, key, uploadID string,
	number int, r io.Reader, size int64, opts PartOptions) (PartInfo, error) {
	if err := checkPartNumber(number); err != nil {
		return PartInfo{}, err
	}
	if size < -1 {
		return PartInfo{}, fmt.Errorf("object: invalid body size %d", size)
	}
	if _, err := l.MultipartUpload(ctx, bucket, key, uploadID); err != nil {
		return PartInfo{}, err
	}
	b := newBody(r, size)
	p, err := l.set.PutPart(ctx, bucket, uploadID, number, b, erasure.PutOptions{
		Metadata: func() (map[string]string, error) {
			md := map[string]string{metaETag: b.etag()}
			if opts.Checksums != nil {
				storePrefixed(md, metaSumPrefix, opts.Checksums(), nil)
			}
			return md, nil
		},
	})
	if err != nil {
		return PartInfo{}, mapErr(err)
	}
	return partInfo(p), nil
}

// CompleteMultipartUpload assembles the object from the listed parts
// under the upload's lock, so that a part uploaded again meanwhile either
// makes it in whole or not at all.
func (l *ErasureLayer) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string,
	parts []CompletePart, opts CompleteOptions) (ObjectInfo, error) {
	if _, err := l.MultipartUpload(ctx, bucket, key, uploadID); err != nil {
		return ObjectInfo{}, err
	}
	mode, err := l.mode(ctx, bucket)
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := l.set.CompleteUpload(ctx, bucket, uploadID, erasure.CompleteOptions{
		Mode: mode,
		Assemble: func(up erasure.UploadInfo, stored []erasure.PartInfo) ([]int,
			map[string]string, error) {
			return assemble(up, stored, parts, opts)
		},
		Precondition: precondition(opts.Precondition),
	})
	if err != nil {
		return ObjectInfo{}, mapErr(err)
	}
	return objectInfo(info), nil
}

// assemble picks the parts of a completion and builds the object's
// metadata: the upload's, the multipart ETag and the checksums.
func assemble(up erasure.UploadInfo, stored []erasure.PartInfo, requested []CompletePart,
	opts CompleteOptions) ([]int, map[string]string, error) {
	uploaded := make([]PartInfo, len(stored))
	for i, p := range stored {
		uploaded[i] = partInfo(p)
	}
	chosen, err := SelectParts(uploaded, requested)
	if err != nil {
		return nil, nil, err
	}
	md := maps.Clone(up.Metadata)
	if md == nil {
		md = map[string]string{}
	}
	maps.DeleteFunc(md, func(k, _ string) bool { return strings.HasPrefix(k, "upload-") })
	md[metaETag] = MultipartETag(chosen)
	if opts.Checksums != nil {
		sums, typ, err := opts.Checksums(uploadInfo(up), chosen)
		if err != nil {
			return nil, nil, err
		}
		if len(sums) > 0 {
			storePrefixed(md, metaSumPrefix, sums, nil)
			md[metaChecksumType] = typ
		}
	}
	numbers := make([]int, len(chosen))
	for i, p := range chosen {
		numbers[i] = p.Number
	}
	return numbers, md, nil
}

// AbortMultipartUpload removes the upload and its parts.
func (l *ErasureLayer) AbortMultipartUpload(ctx context.Context, bucket, key,
	uploadID string) error {
	if _, err := l.MultipartUpload(ctx, bucket, key, uploadID); err != nil {
		return err
	}
	return mapErr(l.set.AbortUpload(ctx, bucket, uploadID))
}

// ListParts returns one page of the upload's parts.
func (l *ErasureLayer) ListParts(ctx context.Context, bucket, key, uploadID string,
	opts ListPartsOptions) (ListPartsResult, error) {
	if err := checkNames(bucket, key); err != nil {
		return ListPartsResult{}, err
	}
	up, stored, err := l.set.Parts(ctx, bucket, uploadID)
	if err != nil {
		return ListPartsResult{}, mapErr(err)
	}
	if up.Key != key {
		return ListPartsResult{}, fmt.Errorf("%w: upload %s is of another key", ErrNoSuchUpload,
			uploadID)
	}
	parts := make([]PartInfo, len(stored))
	for i, p := range stored {
		parts[i] = partInfo(p)
	}
	res := ListPartsResult{Upload: uploadInfo(up)}
	res.Parts, res.IsTruncated, res.NextMarker = pageParts(parts, opts)
	return res, nil
}

// ListMultipartUploads returns one page of the bucket's uploads.
func (l *ErasureLayer) ListMultipartUploads(ctx context.Context, bucket string,
	opts ListUploadsOptions) (ListUploadsResult, error) {
	if err := checkBucketName(bucket); err != nil {
		return ListUploadsResult{}, err
	}
	// TODO: every page reads the record of every upload in the bucket; a walk from the marker
	// would read one page.
	stored, err := l.set.ListUploads(ctx, bucket)
	if err != nil {
		return ListUploadsResult{}, mapErr(err)
	}
	ups := make([]UploadInfo, len(stored))
	for i, u := range stored {
		ups[i] = uploadInfo(u)
	}
	return pageUploads(ups, opts), nil
}
