package object

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/erasure"
)

// page is what a listing page returned, in a comparable form.
type page struct {
	keys     []string
	prefixes []string
	next     string
}

func (p page) String() string {
	return fmt.Sprintf("keys %q prefixes %q next %q", p.keys, p.prefixes, p.next)
}

// pageOf flattens a ListResult.
func pageOf(r ListResult) page {
	p := page{prefixes: r.CommonPrefixes}
	for _, o := range r.Objects {
		p.keys = append(p.keys, o.Key)
	}
	if r.IsTruncated {
		p.next = r.NextMarker
	}
	return p
}

// listAll follows NextMarker from opts to the last page.
func listAll(t *testing.T, list func(ListOptions) (ListResult, error), opts ListOptions) []page {
	t.Helper()
	var pages []page
	for range 100 {
		r, err := list(opts)
		if err != nil {
			t.Fatalf("listing: %v", err)
		}
		if r.IsTruncated && r.NextMarker == "" {
			t.Fatalf("got a truncated page without NextMarker")
		}
		pages = append(pages, pageOf(r))
		if !r.IsTruncated {
			return pages
		}
		opts.Marker = r.NextMarker
	}
	t.Fatalf("listing did not end after 100 pages")
	return nil
}

// sortedObjects makes the erasure layer's sorted object list from keys.
func sortedObjects(keys ...string) []erasure.ObjectInfo {
	slices.Sort(keys)
	out := make([]erasure.ObjectInfo, len(keys))
	for i, k := range keys {
		out[i] = erasure.ObjectInfo{Key: k}
	}
	return out
}

// paginationCases are listings run both on paginate alone and through a
// whole layer.
var paginationCases = []struct {
	name  string
	keys  []string
	opts  ListOptions
	pages []page
}{
	{
		name: "pages of two after marker 0 cover a1 to a4 once",
		keys: []string{"a1", "a2", "a3", "a4"},
		opts: ListOptions{Marker: "0", MaxKeys: 2},
		pages: []page{
			{keys: []string{"a1", "a2"}, next: "a2"},
			{keys: []string{"a3", "a4"}},
		},
	},
	{
		name: "pages of one under prefix data/a list every key once",
		keys: []string{"data/a/1", "data/a/2", "data/ab/3"},
		opts: ListOptions{Prefix: "data/a", MaxKeys: 1},
		pages: []page{
			{keys: []string{"data/a/1"}, next: "data/a/1"},
			{keys: []string{"data/a/2"}, next: "data/a/2"},
			{keys: []string{"data/ab/3"}},
		},
	},
	{
		name: "pages of one under prefix data/a with a slash delimiter list each group once",
		keys: []string{"data/a/1", "data/a/2", "data/ab/3"},
		opts: ListOptions{Prefix: "data/a", Delimiter: "/", MaxKeys: 1},
		pages: []page{
			{prefixes: []string{"data/a/"}, next: "data/a/"},
			{prefixes: []string{"data/ab/"}},
		},
	},
	{
		name: "a group counts once against MaxKeys and keys beside it follow",
		keys: []string{"a/1", "a/2", "a/3", "b", "c/1"},
		opts: ListOptions{Delimiter: "/", MaxKeys: 2},
		pages: []page{
			{keys: []string{"b"}, prefixes: []string{"a/"}, next: "b"},
			{prefixes: []string{"c/"}},
		},
	},
	{
		name: "a delimiter of several characters groups on the whole string",
		keys: []string{"x--1", "x--2", "x-3", "y"},
		opts: ListOptions{Delimiter: "--"},
		pages: []page{
			{keys: []string{"x-3", "y"}, prefixes: []string{"x--"}},
		},
	},
	{
		name: "a marker inside a group skips the group",
		keys: []string{"a/1", "a/2", "b"},
		opts: ListOptions{Delimiter: "/", Marker: "a/1"},
		pages: []page{
			{keys: []string{"b"}},
		},
	},
	{
		name: "keys sort in UTF-8 byte order",
		keys: []string{"é", "z", "Z", "a+b", "a/b", "a b"},
		opts: ListOptions{MaxKeys: 4},
		pages: []page{
			{keys: []string{"Z", "a b", "a+b", "a/b"}, next: "a/b"},
			{keys: []string{"z", "é"}},
		},
	},
	{
		name:  "an exact fit is not truncated",
		keys:  []string{"a", "b"},
		opts:  ListOptions{MaxKeys: 2},
		pages: []page{{keys: []string{"a", "b"}}},
	},
	{
		name:  "a prefix that matches nothing gives one empty page",
		keys:  []string{"a", "b"},
		opts:  ListOptions{Prefix: "c"},
		pages: []page{{}},
	},
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	for _, tt := range paginationCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objects := sortedObjects(tt.keys...)
			got := listAll(t, func(o ListOptions) (ListResult, error) {
				return paginate(objects, o), nil
			}, tt.opts)
			checkPages(t, got, tt.pages)
		})
	}
}

func TestListObjectsPagesThroughALayer(t *testing.T) {
	t.Parallel()
	for _, tt := range paginationCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLayerWithBucket(t)
			for _, k := range tt.keys {
				l.put(t, k, k)
			}
			got := listAll(t, func(o ListOptions) (ListResult, error) {
				return l.ListObjects(context.Background(), "bkt", o)
			}, tt.opts)
			checkPages(t, got, tt.pages)
		})
	}
}

func checkPages(t *testing.T, got, want []page) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d pages %v, want %d pages %v", len(got), got, len(want), want)
	}
	for i := range want {
		if !slices.Equal(got[i].keys, want[i].keys) ||
			!slices.Equal(got[i].prefixes, want[i].prefixes) || got[i].next != want[i].next {
			t.Errorf("page %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestMaxKeysDefaultsAndCapsAtOneThousand(t *testing.T) {
	t.Parallel()
	keys := make([]string, 1500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%04d", i)
	}
	objects := sortedObjects(keys...)
	for _, maxKeys := range []int{0, -1, 5000} {
		t.Run(fmt.Sprintf("MaxKeys %d gives pages of 1000", maxKeys), func(t *testing.T) {
			t.Parallel()
			r := paginate(objects, ListOptions{MaxKeys: maxKeys})
			if len(r.Objects) != 1000 || !r.IsTruncated || r.NextMarker != "k0999" {
				t.Errorf("got %d keys, truncated %v, next %q, want 1000, true, k0999",
					len(r.Objects), r.IsTruncated, r.NextMarker)
			}
		})
	}
}

func TestListedObjectsCarryTheirInfo(t *testing.T) {
	t.Parallel()
	l := newLayerWithBucket(t)
	put := l.put(t, "k", "hello")
	r, err := l.ListObjects(context.Background(), "bkt", ListOptions{})
	if err != nil || len(r.Objects) != 1 {
		t.Fatalf("got %+v, %v, want one object", r, err)
	}
	o := r.Objects[0]
	if o.Bucket != "bkt" || o.Size != 5 || o.ETag != put.ETag || !o.ModTime.Equal(put.ModTime) {
		t.Errorf("got %+v, want bucket, size, ETag and time of %+v", o, put)
	}
	if strings.Contains(o.ETag, `"`) {
		t.Errorf("got ETag %s, want it without quotes", o.ETag)
	}
}
