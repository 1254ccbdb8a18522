package object

import (
	"strings"

	"github.com/strata-storage/strata/storaged/erasure"
)

// Listing page sizes.
const (
	// DefaultMaxKeys is the page size when ListOptions.MaxKeys is zero or
	// negative.
	DefaultMaxKeys = 1000
	// MaxMaxKeys caps ListOptions.MaxKeys.
	MaxMaxKeys = 1000
)

// paginate cuts one page out of a bucket's objects, which must be sorted by
// key in byte order (which is UTF-8 binary order).
//
// Each key becomes an entry: itself, or, when the delimiter occurs after the
// prefix, the common prefix up to and including the delimiter. A common
// prefix sorts no later than any key under it and the keys under it are
// contiguous, so entries come out sorted and each common prefix in one run.
// An entry is returned only if it sorts after the marker, so a page that
// ended on a common prefix resumes after every key under it, and pages
// never repeat or skip an entry.
func paginate(objects []erasure.ObjectInfo, opts ListOptions) ListResult {
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 || maxKeys > MaxMaxKeys {
		maxKeys = DefaultMaxKeys
	}

	var res ListResult
	var last string // the last entry returned
	count := 0
	for _, o := range objects {
		if !strings.HasPrefix(o.Key, opts.Prefix) {
			continue
		}
		entry, grouped := listEntry(o.Key, opts.Prefix, opts.Delimiter)
		if entry <= opts.Marker || count > 0 && entry == last {
			continue
		}
		if count == maxKeys {
			res.IsTruncated, res.NextMarker = true, last
			break
		}
		if grouped {
			res.CommonPrefixes = append(res.CommonPrefixes, entry)
		} else {
			res.Objects = append(res.Objects, objectInfo(o))
		}
		last = entry
		count++
	}
	return res
}

// listEntry returns the entry a key lists as: its common prefix (grouped is
// true) when delim occurs in the key after prefix, else the key itself.
func listEntry(key, prefix, delim string) (entry string, grouped bool) {
	if delim == "" {
		return key, false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return key, false
	}
	return key[:len(prefix)+i+len(delim)], true
}
