package pools

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/strata-storage/strata/storaged/object"
)

// entry is one entry of a listing: a value (an object, a version, an
// upload), or a common prefix when val is nil.
type entry[T any] struct {
	name string
	val  *T
}

// page is one pool's page of a listing, its entries in the pool's order.
type page[T any] struct {
	entries   []entry[T]
	truncated bool
	last      string // the name of the last entry, when truncated
}

// merging says how a listing's values merge: before orders two values of
// one name, and same tells a value listed by two pools (a move cut
// short), of which the first in order is kept.
type merging[T any] struct {
	before func(a, b *T) bool
	same   func(a, b *T) bool
}

// merge merges the pools' pages of one listing into one page of at most
// max entries, in name order, each common prefix and each value once. It
// never runs past the last entry of a pool whose page was cut short, so
// that the next page, which starts after the last entry returned, skips
// nothing; and the entries of that name stay whole on this page.
func merge[T any](pages []page[T], max int, m merging[T]) ([]entry[T], bool) {
	var all []entry[T]
	var bound string
	cut := false
	for _, p := range pages {
		all = append(all, p.entries...)
		if p.truncated && (!cut || p.last < bound) {
			bound, cut = p.last, true
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.name != b.name {
			return a.name < b.name
		}
		return a.val != nil && b.val != nil && m.before(a.val, b.val)
	})
	var out []entry[T]
	for _, e := range all {
		if cut && e.name > bound {
			break
		}
		if dup(out, e, m) {
			continue
		}
		if len(out) == max {
			return out, true
		}
		out = append(out, e)
	}
	return out, cut
}

// dup reports whether e repeats an entry already at the end of out.
func dup[T any](out []entry[T], e entry[T], m merging[T]) bool {
	for i := len(out) - 1; i >= 0 && out[i].name == e.name; i-- {
		switch {
		case e.val == nil && out[i].val == nil:
			return true
		case e.val != nil && out[i].val != nil && m.same(out[i].val, e.val):
			return true
		}
	}
	return false
}

// listAll runs list on every pool in parallel. A pool other than the
// record pool that lacks the bucket lists nothing.
func listAll[R any](l *Layers, list func(p object.Layer) (R, error)) ([]R, error) {
	results := make([]R, len(l.pools))
	errs := l.each(func(i int, p object.Layer) error {
		var err error
		results[i], err = list(p)
		if i != l.record && errors.Is(err, object.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	if errs[l.record] != nil {
		return nil, errs[l.record]
	}
	return results, errors.Join(errs...)
}

// objectMerging keeps the newest of a key that two pools list.
var objectMerging = merging[object.ObjectInfo]{
	before: func(a, b *object.ObjectInfo) bool { return a.ModTime.After(b.ModTime) },
	same:   func(a, b *object.ObjectInfo) bool { return a.Key == b.Key },
}

// ListObjects merges the same page of every pool into one page.
func (l *Layers) ListObjects(ctx context.Context, bucket string,
	opts object.ListOptions) (object.ListResult, error) {
	if s := l.single(); s != nil {
		return s.ListObjects(ctx, bucket, opts)
	}
	results, err := listAll(l, func(p object.Layer) (object.ListResult, error) {
		return p.ListObjects(ctx, bucket, opts)
	})
	if err != nil {
		return object.ListResult{}, err
	}
	pages := make([]page[object.ObjectInfo], len(results))
	for i, r := range results {
		pages[i] = page[object.ObjectInfo]{truncated: r.IsTruncated, last: r.NextMarker,
			entries: entries(r.Objects, func(o object.ObjectInfo) string { return o.Key },
				r.CommonPrefixes)}
	}
	out, truncated := merge(pages, maxKeys(opts.MaxKeys), objectMerging)
	res := object.ListResult{IsTruncated: truncated}
	res.Objects, res.CommonPrefixes = split(out)
	if truncated {
		res.NextMarker = out[len(out)-1].name
	}
	return res, nil
}

// entries turns a pool's values and common prefixes into entries.
func entries[T any](vals []T, name func(T) string, prefixes []string) []entry[T] {
	out := make([]entry[T], 0, len(vals)+len(prefixes))
	for i := range vals {
		out = append(out, entry[T]{name: name(vals[i]), val: &vals[i]})
	}
	for _, p := range prefixes {
		out = append(out, entry[T]{name: p})
	}
	return out
}

// split turns merged entries back into values and common prefixes.
func split[T any](es []entry[T]) ([]T, []string) {
	var vals []T
	var prefixes []string
	for _, e := range es {
		if e.val == nil {
			prefixes = append(prefixes, e.name)
		} else {
			vals = append(vals, *e.val)
		}
	}
	return vals, prefixes
}

// maxKeys applies the object layer's page size rules.
func maxKeys(n int) int {
	if n <= 0 || n > object.MaxMaxKeys {
		return object.DefaultMaxKeys
	}
	return n
}

// versionMerging orders a key's versions newest first and lists a
// version that two pools hold once.
var versionMerging = merging[object.ObjectInfo]{
	before: func(a, b *object.ObjectInfo) bool { return a.ModTime.After(b.ModTime) },
	same:   func(a, b *object.ObjectInfo) bool { return a.VersionID == b.VersionID },
}

// ListObjectVersions merges the same page of every pool's versions. Every
// pool gets the same key marker: a pool without the marker's key lists
// the keys after it.
//
// A version ID marker means something only to the pool that holds that
// version, and a key's versions may sit on two pools while a move of it
// is in flight. So a page ends between keys unless one key fills it, and a
// page that starts inside a key reads that key's versions from every pool
// (its meta files alone), merged newest first, and goes on after the
// marker's version; if that version is gone meanwhile, the rest of the
// key is skipped.
func (l *Layers) ListObjectVersions(ctx context.Context, bucket string,
	opts object.ListVersionsOptions) (object.ListVersionsResult, error) {
	if l.single() != nil {
		v, err := l.versioned()
		if err != nil {
			return object.ListVersionsResult{}, err
		}
		return v.ListObjectVersions(ctx, bucket, opts)
	}
	max := maxKeys(opts.MaxKeys)
	var head []object.ObjectInfo
	if opts.VersionIDMarker != "" {
		rest, err := l.versionsAfter(ctx, bucket, opts.KeyMarker, opts.VersionIDMarker)
		if err != nil {
			return object.ListVersionsResult{}, err
		}
		if len(rest) > max {
			return object.ListVersionsResult{Versions: rest[:max], IsTruncated: true,
				NextKeyMarker: opts.KeyMarker, NextVersionIDMarker: rest[max-1].VersionID}, nil
		}
		head, opts.VersionIDMarker = rest, ""
		if len(head) == max {
			return object.ListVersionsResult{Versions: head, IsTruncated: true,
				NextKeyMarker: opts.KeyMarker}, nil
		}
	}
	opts.MaxKeys = max - len(head)
	results, err := listAll(l, func(p object.Layer) (object.ListVersionsResult, error) {
		v, err := capability[object.Versioned](p)
		if err != nil {
			return object.ListVersionsResult{}, err
		}
		return v.ListObjectVersions(ctx, bucket, opts)
	})
	if err != nil {
		return object.ListVersionsResult{}, err
	}
	pages := make([]page[object.ObjectInfo], len(results))
	for i, r := range results {
		pages[i] = page[object.ObjectInfo]{truncated: r.IsTruncated, last: r.NextKeyMarker,
			entries: entries(r.Versions, func(o object.ObjectInfo) string { return o.Key },
				r.CommonPrefixes)}
	}
	out, truncated := merge(pages, opts.MaxKeys, versionMerging)
	out = append(entries(head, func(o object.ObjectInfo) string { return o.Key }, nil), out...)
	inside := false
	if truncated {
		out, inside = endBetweenKeys(out)
	}
	res := object.ListVersionsResult{IsTruncated: truncated}
	res.Versions, res.CommonPrefixes = split(out)
	markLatest(res.Versions)
	if truncated {
		last := out[len(out)-1]
		res.NextKeyMarker = last.name
		if inside {
			res.NextVersionIDMarker = last.val.VersionID
		}
	}
	return res, nil
}

// versionsAfter returns the versions of bucket/key that every pool holds,
// newest first and each once, that come after version marker; none when
// no pool holds marker. None of them is the key's latest.
func (l *Layers) versionsAfter(ctx context.Context, bucket, key,
	marker string) ([]object.ObjectInfo, error) {
	held := make([][]object.ObjectInfo, len(l.pools))
	err := errors.Join(l.each(func(i int, p object.Layer) error {
		var err error
		held[i], err = keyVersions(ctx, p, bucket, key)
		return err
	})...)
	if err != nil {
		return nil, err
	}
	var all []object.ObjectInfo
	for _, vs := range held {
		for _, v := range vs {
			if !slices.ContainsFunc(all, func(o object.ObjectInfo) bool {
				return o.VersionID == v.VersionID
			}) {
				all = append(all, v)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].ModTime.After(all[j].ModTime) })
	i := slices.IndexFunc(all, func(o object.ObjectInfo) bool { return o.VersionID == marker })
	if i < 0 {
		return nil, nil
	}
	rest := all[i+1:]
	for j := range rest {
		rest[j].IsLatest = false
	}
	return rest, nil
}

// endBetweenKeys drops the versions of the page's last key when an earlier
// entry has another name, so that the next page, which starts after the
// key marker alone, lists that key whole. It reports whether the page
// still ends inside a key: one key's versions fill it.
func endBetweenKeys[T any](out []entry[T]) ([]entry[T], bool) {
	last := out[len(out)-1]
	if last.val == nil {
		return out, false
	}
	n := len(out)
	for n > 0 && out[n-1].name == last.name {
		n--
	}
	if n == 0 {
		return out, true
	}
	return out[:n], false
}

// markLatest leaves IsLatest on the first version of each key only,
// where it was set: two pools may each call their newest the latest.
func markLatest(vs []object.ObjectInfo) {
	for i := range vs {
		if i > 0 && vs[i-1].Key == vs[i].Key {
			vs[i].IsLatest = false
		}
	}
}

// uploadMerging keeps a key's uploads in the order they started.
var uploadMerging = merging[object.UploadInfo]{
	before: func(a, b *object.UploadInfo) bool { return a.Initiated.Before(b.Initiated) },
	same:   func(a, b *object.UploadInfo) bool { return a.UploadID == b.UploadID },
}

// ListMultipartUploads merges the same page of every pool's uploads.
func (l *Layers) ListMultipartUploads(ctx context.Context, bucket string,
	opts object.ListUploadsOptions) (object.ListUploadsResult, error) {
	if l.single() != nil {
		m, err := l.multipartOf(0)
		if err != nil {
			return object.ListUploadsResult{}, err
		}
		return m.ListMultipartUploads(ctx, bucket, opts)
	}
	results, err := listAll(l, func(p object.Layer) (object.ListUploadsResult, error) {
		m, err := capability[object.Multipart](p)
		if err != nil {
			return object.ListUploadsResult{}, err
		}
		return m.ListMultipartUploads(ctx, bucket, opts)
	})
	if err != nil {
		return object.ListUploadsResult{}, err
	}
	pages := make([]page[object.UploadInfo], len(results))
	for i, r := range results {
		pages[i] = page[object.UploadInfo]{truncated: r.IsTruncated, last: r.NextKeyMarker,
			entries: entries(r.Uploads, func(u object.UploadInfo) string { return u.Key },
				r.CommonPrefixes)}
	}
	out, truncated := merge(pages, maxKeys(opts.MaxUploads), uploadMerging)
	res := object.ListUploadsResult{IsTruncated: truncated}
	res.Uploads, res.CommonPrefixes = split(out)
	if truncated {
		last := out[len(out)-1]
		res.NextKeyMarker = last.name
		if last.val != nil {
			res.NextUploadIDMarker = last.val.UploadID
		}
	}
	return res, nil
}
