package sets

import (
	"context"
	"errors"
	"sort"

	"github.com/strata-storage/strata/storaged/object"
)

// item is one entry of a listing: a value (an object, an upload), or a
// common prefix when val is nil.
type item[T any] struct {
	name string
	val  *T
}

// page is one set's page of a listing, its items in the set's order.
type page[T any] struct {
	items     []item[T]
	truncated bool
	last      string // the name of the last item, when truncated
}

// mergePages merges pages of the same listing from every set into one page
// of at most max items. The items keep name order (and, for equal names,
// the order of their set: all uploads of a key live on one set), a common
// prefix appears once, and the page never runs past the last item of a
// set whose page was cut short, so that the next page, which starts after
// the last item returned, skips nothing.
func mergePages[T any](pages []page[T], max int) (items []item[T], truncated bool) {
	var all []item[T]
	seen := map[string]bool{}
	var bound string
	cut := false
	for _, p := range pages {
		for _, it := range p.items {
			if it.val == nil && seen[it.name] {
				continue
			}
			seen[it.name] = it.val == nil
			all = append(all, it)
		}
		if p.truncated && (!cut || p.last < bound) {
			bound, cut = p.last, true
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].name < all[j].name })
	for _, it := range all {
		if cut && it.name > bound {
			break
		}
		if len(items) == max {
			return items, true
		}
		items = append(items, it)
	}
	return items, cut
}

// ListObjects merges the same page of every set into one page.
func (l *Layers) ListObjects(ctx context.Context, bucket string,
	opts object.ListOptions) (object.ListResult, error) {
	results := make([]object.ListResult, len(l.sets))
	errs := l.each(0, func(i int, s object.Layer) error {
		var err error
		results[i], err = s.ListObjects(ctx, bucket, opts)
		return err
	})
	if err := firstError(errs); err != nil {
		return object.ListResult{}, err
	}
	pages := make([]page[object.ObjectInfo], len(results))
	for i, r := range results {
		pages[i] = objectPage(r)
	}
	items, truncated := mergePages(pages, maxKeys(opts.MaxKeys))
	res := object.ListResult{IsTruncated: truncated}
	for _, it := range items {
		if it.val == nil {
			res.CommonPrefixes = append(res.CommonPrefixes, it.name)
		} else {
			res.Objects = append(res.Objects, *it.val)
		}
	}
	if truncated {
		res.NextMarker = items[len(items)-1].name
	}
	return res, nil
}

// objectPage turns a set's listing into a page.
func objectPage(r object.ListResult) page[object.ObjectInfo] {
	p := page[object.ObjectInfo]{truncated: r.IsTruncated, last: r.NextMarker}
	for i := range r.Objects {
		p.items = append(p.items,
			item[object.ObjectInfo]{name: r.Objects[i].Key, val: &r.Objects[i]})
	}
	for _, cp := range r.CommonPrefixes {
		p.items = append(p.items, item[object.ObjectInfo]{name: cp})
	}
	return p
}

// firstError returns the first error of errs, preferring a missing bucket,
// which all sets report alike.
func firstError(errs []error) error {
	for _, err := range errs {
		if errors.Is(err, object.ErrBucketNotFound) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// maxKeys applies the object layer's page size rules.
func maxKeys(n int) int {
	if n <= 0 || n > object.MaxMaxKeys {
		return object.DefaultMaxKeys
	}
	return n
}
