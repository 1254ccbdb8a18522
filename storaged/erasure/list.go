package erasure

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// errStopWalk stops a walk early without error.
var errStopWalk = errors.New("erasure: stop walking")

// List returns the current version of every object of the bucket that has
// read quorum and is not a delete marker, sorted by key in byte order.
//
// TODO: List scans every object directory and reads every meta file on every drive per call;
// a large bucket needs a sorted, paged walk merged across drives.
func (s *Set) List(ctx context.Context, bucket string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := s.walk(ctx, bucket, func(m *fileMeta) error {
		if !m.DeleteMarker {
			info := m.info(bucket)
			info.IsLatest = true
			out = append(out, info)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// ListVersions returns every version of every object of the bucket that
// has read quorum, delete markers included, sorted by key in byte order
// and, within a key, newest first.
func (s *Set) ListVersions(ctx context.Context, bucket string) ([]ObjectInfo, error) {
	var keys []*fileMeta
	err := s.walk(ctx, bucket, func(m *fileMeta) error {
		keys = append(keys, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Key < keys[j].Key })
	var out []ObjectInfo
	for _, m := range keys {
		for i, v := range m.versions() {
			info := v.info(bucket)
			info.IsLatest = i == 0
			out = append(out, info)
		}
	}
	return out, nil
}

// hasObjects reports whether the bucket holds any object version, delete
// markers included, with read quorum.
func (s *Set) hasObjects(ctx context.Context, bucket string) (bool, error) {
	found := false
	err := s.walk(ctx, bucket, func(*fileMeta) error {
		found = true
		return errStopWalk
	})
	return found, err
}

// walk calls fn with the meta file of each object of the bucket that has
// read quorum, in no particular order, until fn returns an error.
// Directories that hold only leftovers on a few drives are skipped.
func (s *Set) walk(ctx context.Context, bucket string, fn func(*fileMeta) error) error {
	dirs, err := s.objectDirs(ctx, bucket)
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		metas, errs := s.readMetas(ctx, bucket, dir)
		m, _, err := s.pickMeta(metas, errs)
		if errors.Is(err, ErrObjectNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("erasure: listing %s: %w", bucket, err)
		}
		if err := fn(m); err != nil {
			if errors.Is(err, errStopWalk) {
				return nil
			}
			return err
		}
	}
	return nil
}

// objectDirs returns the union of the object directories on all drives, in
// name order. It needs a read quorum of drives to answer.
func (s *Set) objectDirs(ctx context.Context, bucket string) ([]string, error) {
	lists := make([][]string, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		var err error
		lists[i], err = d.List(ctx, bucket, ".")
		return err
	})
	if ok := countOK(errs); ok < s.ReadQuorum() {
		if s.absent(lacksBucket(errs)) {
			return nil, fmt.Errorf("erasure: listing %s: %w", bucket, ErrBucketNotFound)
		}
		op := "listing " + bucket
		return nil, quorumError(ErrReadQuorum, op, ok, s.ReadQuorum(), errs)
	}

	seen := map[string]bool{}
	for _, names := range lists {
		for _, name := range names {
			if isObjectDir(name) {
				seen[name[:len(name)-1]] = true
			}
		}
	}
	dirs := make([]string, 0, len(seen))
	for dir := range seen {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	return dirs, nil
}

// KeyVersions returns every version of one key that has read quorum,
// delete markers included, newest first, reading only the key's meta
// files; none when the key holds none.
func (s *Set) KeyVersions(ctx context.Context, bucket, key string) ([]ObjectInfo, error) {
	metas, errs := s.readMetas(ctx, bucket, objectDir(key))
	cur, _, err := s.pickMeta(metas, errs)
	if errors.Is(err, ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("erasure: reading the versions of %s/%s: %w", bucket, key, err)
	}
	var out []ObjectInfo
	for i, v := range cur.versions() {
		info := v.info(bucket)
		info.IsLatest = i == 0
		out = append(out, info)
	}
	return out, nil
}
