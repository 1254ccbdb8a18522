package object

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidPartNumber means a part number lies outside 1 to MaxPartNumber
// (InvalidArgument).
var ErrInvalidPartNumber = fmt.Errorf("object: part number outside 1 to %d", MaxPartNumber)

// checkPartNumber refuses part numbers outside 1 to MaxPartNumber.
func checkPartNumber(n int) error {
	if n < 1 || n > MaxPartNumber {
		return fmt.Errorf("%w: %d", ErrInvalidPartNumber, n)
	}
	return nil
}

// SelectParts checks the part list of a CompleteMultipartUpload against the
// uploaded parts, which must be in part order, and returns the uploaded
// parts it names, in its order. The list must be ascending
// (ErrInvalidPartOrder) and name uploaded parts by their ETags and, where
// given, checksums (ErrInvalidPart); every part but the last must hold at
// least MinPartSize bytes (ErrEntityTooSmall).
func SelectParts(uploaded []PartInfo, requested []CompletePart) ([]PartInfo, error) {
	if len(requested) == 0 {
		return nil, fmt.Errorf("%w: the part list is empty", ErrInvalidPart)
	}
	for i := 1; i < len(requested); i++ {
		if requested[i].Number <= requested[i-1].Number {
			return nil, fmt.Errorf("%w: part %d follows part %d", ErrInvalidPartOrder,
				requested[i].Number, requested[i-1].Number)
		}
	}
	byNumber := make(map[int]PartInfo, len(uploaded))
	for _, p := range uploaded {
		byNumber[p.Number] = p
	}
	out := make([]PartInfo, len(requested))
	for i, want := range requested {
		p, ok := byNumber[want.Number]
		if err := matchPart(p, ok, want); err != nil {
			return nil, err
		}
		out[i] = p
	}
	for _, p := range out[:len(out)-1] {
		if p.Size < MinPartSize {
			return nil, fmt.Errorf("%w: part %d holds %d bytes, the minimum is %d",
				ErrEntityTooSmall,
				p.Number, p.Size, MinPartSize)
		}
	}
	return out, nil
}

// matchPart checks one requested part against the uploaded one, if any.
func matchPart(p PartInfo, uploaded bool, want CompletePart) error {
	if !uploaded {
		return fmt.Errorf("%w: part %d was not uploaded", ErrInvalidPart, want.Number)
	}
	if !strings.EqualFold(strings.Trim(strings.TrimSpace(want.ETag), `"`), p.ETag) {
		return fmt.Errorf("%w: part %d has ETag %q, not %q", ErrInvalidPart, want.Number, p.ETag,
			want.ETag)
	}
	for alg, v := range want.Checksums {
		if got, ok := p.Checksums[alg]; ok && got != v {
			return fmt.Errorf("%w: part %d has %s %s, not %s", ErrInvalidPart, want.Number, alg,
				got, v)
		}
	}
	return nil
}

// MultipartETag returns the ETag S3 gives an object made of parts: the hex
// MD5 of the concatenated binary MD5s of the parts, "-", and the number of
// parts.
func MultipartETag(parts []PartInfo) string {
	h := md5.New()
	for _, p := range parts {
		b, _ := hex.DecodeString(p.ETag)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

// pageParts cuts one page of parts, which must be in part order.
func pageParts(parts []PartInfo, opts ListPartsOptions) ([]PartInfo, bool, int) {
	limit := opts.MaxParts
	if limit <= 0 || limit > DefaultMaxKeys {
		limit = DefaultMaxKeys
	}
	var out []PartInfo
	for _, p := range parts {
		if p.Number <= opts.Marker {
			continue
		}
		if len(out) == limit {
			return out, true, out[len(out)-1].Number
		}
		out = append(out, p)
	}
	return out, false, 0
}

// pageUploads cuts one page of uploads, which must be sorted by key, then
// initiation time. Delimiter grouping works as in paginate.
func pageUploads(ups []UploadInfo, opts ListUploadsOptions) ListUploadsResult {
	page := pageKeyed(ups, func(u UploadInfo) (string, string) { return u.Key, u.UploadID },
		keyedOptions{prefix: opts.Prefix, delimiter: opts.Delimiter, keyMarker: opts.KeyMarker,
			idMarker: opts.UploadIDMarker, limit: opts.MaxUploads})
	return ListUploadsResult{Uploads: page.items, CommonPrefixes: page.prefixes,
		IsTruncated: page.truncated, NextKeyMarker: page.nextKey, NextUploadIDMarker: page.nextID}
}

// keyedOptions are the inputs of pageKeyed.
type keyedOptions struct {
	prefix, delimiter   string
	keyMarker, idMarker string
	limit               int
}

// keyedPage is one page of a listing of things with a key and an ID.
type keyedPage[T any] struct {
	items           []T
	prefixes        []string
	truncated       bool
	nextKey, nextID string
}

// pageKeyed cuts one page of items (uploads, versions) that are sorted by
// key and have IDs within a key. Delimiter grouping works as in paginate;
// the markers work as ListUploadsOptions describes.
func pageKeyed[T any](items []T, ids func(T) (string, string), opts keyedOptions) keyedPage[T] {
	limit := opts.limit
	if limit <= 0 || limit > DefaultMaxKeys {
		limit = DefaultMaxKeys
	}
	var page keyedPage[T]
	var last string
	count := 0
	for i, it := range items {
		key, id := ids(it)
		if !strings.HasPrefix(key, opts.prefix) {
			continue
		}
		entry, grouped := listEntry(key, opts.prefix, opts.delimiter)
		if beforeMarker(items, ids, i, entry, grouped, opts) ||
			grouped && count > 0 && entry == last {
			continue
		}
		if count == limit {
			page.truncated = true
			break
		}
		count++
		last = entry
		page.nextKey, page.nextID = entry, ""
		if grouped {
			page.prefixes = append(page.prefixes, entry)
		} else {
			page.items = append(page.items, it)
			page.nextID = id
		}
	}
	if !page.truncated {
		page.nextKey, page.nextID = "", ""
	}
	return page
}

// beforeMarker reports whether item i, listed as entry, comes at or before
// the markers. Within the marker's key, items up to the marker item are
// skipped; when that item is gone, those whose IDs sort after the marker
// are kept, as S3 describes it for uploads.
func beforeMarker[T any](items []T, ids func(T) (string, string), i int, entry string,
	grouped bool, opts keyedOptions) bool {
	key, id := ids(items[i])
	switch {
	case opts.keyMarker == "":
		return false
	case grouped || key != opts.keyMarker:
		return entry <= opts.keyMarker
	case opts.idMarker == "" || id == opts.idMarker:
		return true
	}
	for j := i - 1; j >= 0; j-- {
		k, other := ids(items[j])
		if k != key {
			break
		}
		if other == opts.idMarker {
			return false // the marker comes before this item
		}
	}
	for j := i + 1; j < len(items); j++ {
		k, other := ids(items[j])
		if k != key {
			break
		}
		if other == opts.idMarker {
			return true // the marker comes after this item: it was listed
		}
	}
	return id <= opts.idMarker
}
