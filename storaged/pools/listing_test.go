package pools

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/strata-storage/strata/storaged/object"
)

// listed is one entry of a listing: its name (the key or common prefix)
// and how it prints.
type listed struct{ name, text string }

// expected merges the whole listings of every pool, as one pool holding
// every key would list them: by name, each common prefix once, a key's
// entries in its pool's order.
func expected(all [][]listed) []string {
	var flat []listed
	for _, l := range all {
		flat = append(flat, l...)
	}
	sort.SliceStable(flat, func(i, j int) bool { return flat[i].name < flat[j].name })
	var out []string
	for _, e := range flat {
		if len(out) > 0 && strings.HasSuffix(e.text, "/") && out[len(out)-1] == e.text {
			continue
		}
		out = append(out, e.text)
	}
	return out
}

// listPage is one page of a listing: its entries, its common prefixes, and
// whether another page follows.
type listPage struct {
	entries  []listed
	prefixes []string
	more     bool
}

// collect calls next until it returns the last page, and returns every
// page's entries and common prefixes, each page in name order.
func collect(t *testing.T, next func() (listPage, error)) []listed {
	t.Helper()
	var out []listed
	for {
		p, err := next()
		if err != nil {
			t.Fatal(err)
		}
		for _, prefix := range p.prefixes {
			p.entries = append(p.entries, listed{prefix, prefix})
		}
		sort.SliceStable(p.entries, func(i, j int) bool {
			return p.entries[i].name < p.entries[j].name
		})
		out = append(out, p.entries...)
		if !p.more {
			return out
		}
	}
}

// listObjects lists every page of a bucket with pages of max entries.
func listObjects(t *testing.T, l object.Layer, delim string, max int) []listed {
	t.Helper()
	opts := object.ListOptions{Delimiter: delim, MaxKeys: max}
	return collect(t, func() (listPage, error) {
		res, err := l.ListObjects(context.Background(), "bkt", opts)
		p := listPage{prefixes: res.CommonPrefixes, more: res.IsTruncated}
		for _, o := range res.Objects {
			p.entries = append(p.entries, listed{o.Key, o.Key})
		}
		opts.Marker = res.NextMarker
		return p, err
	})
}

// listVersions lists every page of a bucket's versions.
func listVersions(t *testing.T, l object.Versioned, delim string, max int) []listed {
	t.Helper()
	opts := object.ListVersionsOptions{Delimiter: delim, MaxKeys: max}
	return collect(t, func() (listPage, error) {
		res, err := l.ListObjectVersions(context.Background(), "bkt", opts)
		p := listPage{prefixes: res.CommonPrefixes, more: res.IsTruncated}
		for _, v := range res.Versions {
			p.entries = append(p.entries, listed{v.Key, v.Key + "@" + v.VersionID})
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
		return p, err
	})
}

// listUploads lists every page of a bucket's uploads.
func listUploads(t *testing.T, l object.Multipart, delim string, max int) []listed {
	t.Helper()
	opts := object.ListUploadsOptions{Delimiter: delim, MaxUploads: max}
	return collect(t, func() (listPage, error) {
		res, err := l.ListMultipartUploads(context.Background(), "bkt", opts)
		p := listPage{prefixes: res.CommonPrefixes, more: res.IsTruncated}
		for _, u := range res.Uploads {
			p.entries = append(p.entries, listed{u.Key, u.Key + "#" + u.UploadID})
		}
		opts.KeyMarker, opts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
		return p, err
	})
}

func texts(ls []listed) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

func TestListingsMergePoolsWithoutSkippingOrRepeating(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	layers := []*object.ErasureLayer{newErasure(t), newErasure(t), newErasure(t)}
	keys := []string{"a", "a/1", "a/2", "a/3/x", "b", "b/1", "c", "c/d/e", "d/1", "d/2",
		"e", "f/1", "f/2", "f/3", "g", "h/1", "zz"}
	for _, p := range layers {
		mkBucket(t, p, "bkt", true)
	}
	for i, k := range keys {
		p := layers[(i*7)%3]
		for v := range 1 + i%3 {
			put(t, p, "bkt", k, fmt.Sprintf("%s v%d", k, v))
		}
		if i%4 == 0 {
			if _, err := p.NewMultipartUpload(ctx, "bkt", k, object.UploadOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	all := make([]object.Layer, len(layers))
	for i, p := range layers {
		all[i] = p
	}
	l := newPools(t, all)

	for _, delim := range []string{"", "/"} {
		var wantObjects, wantVersions, wantUploads [][]listed
		for _, p := range layers {
			wantObjects = append(wantObjects, listObjects(t, p, delim, 1000))
			wantVersions = append(wantVersions, listVersions(t, p, delim, 1000))
			wantUploads = append(wantUploads, listUploads(t, p, delim, 1000))
		}
		if got := len(expected(wantVersions)); delim == "" && got != 33 {
			t.Fatalf("the pools hold %d versions, want 33", got)
		}
		for _, max := range []int{1, 2, 3, 5, 1000} {
			name := fmt.Sprintf("delimiter %q, pages of %d", delim, max)
			checks := []struct {
				what      string
				got, want []string
			}{
				{"objects", texts(listObjects(t, l, delim, max)), expected(wantObjects)},
				{"versions", texts(listVersions(t, l, delim, max)), expected(wantVersions)},
				{"uploads", texts(listUploads(t, l, delim, max)), expected(wantUploads)},
			}
			for _, c := range checks {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s, %s:\ngot  %v\nwant %v", name, c.what, c.got, c.want)
				}
			}
		}
	}
}

// TestAVersionListingOfAKeySplitOverPools lists a key whose versions sit
// on two pools, as while a move of it is in flight, in pages of every
// small size: each version must be listed exactly once, newest first.
func TestAVersionListingOfAKeySplitOverPools(t *testing.T) {
	t.Parallel()
	layers := []*object.ErasureLayer{newErasure(t), newErasure(t)}
	for _, p := range layers {
		mkBucket(t, p, "bkt", true)
	}
	var want []string
	want = append(want, "a@"+put(t, layers[0], "bkt", "a", "a").VersionID)
	var k []string
	for v := range 6 {
		k = append(k, "k@"+put(t, layers[v%2], "bkt", "k", fmt.Sprintf("k v%d", v)).VersionID)
	}
	slices.Reverse(k)
	want = append(want, k...)
	want = append(want, "z@"+put(t, layers[1], "bkt", "z", "z").VersionID)
	l := newPools(t, []object.Layer{layers[0], layers[1]})
	for max := 1; max <= 9; max++ {
		if got := texts(listVersions(t, l, "", max)); !slices.Equal(got, want) {
			t.Errorf("pages of %d:\ngot  %v\nwant %v", max, got, want)
		}
	}
}
