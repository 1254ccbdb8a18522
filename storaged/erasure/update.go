package erasure

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UpdateOptions are the inputs of Update.
type UpdateOptions struct {
	// Metadata is called under the object's lock with the current
	// version's info and returns the metadata to store in its place. An
	// error from it aborts the update and is returned wrapped.
	Metadata func(current ObjectInfo) (map[string]string, error)
	// Touch sets the version's modification time to now.
	Touch bool
	// Versioned is true when VersionID names the version to update ("" is
	// the null version); false updates the current version.
	Versioned bool
	VersionID string
}

// Update replaces the metadata of the object's current version, or of the
// version opts names, without touching its bytes: each drive that holds
// the key's versions gets a new meta file, in one atomic replace. A delete
// marker has no metadata to update (a *DeleteMarkerError). It needs a
// write quorum of those drives; when it misses it, the drives that took the
// change are put back and the error wraps ErrWriteQuorum.
func (s *Set) Update(ctx context.Context, bucket, key string,
	opts UpdateOptions) (ObjectInfo, error) {
	unlock := s.lockObject(bucket, key)
	defer unlock()

	dir := objectDir(key)
	metas, errs := s.readMetas(ctx, bucket, dir)
	old, bad, err := s.pickMeta(metas, errs)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("erasure: updating %s/%s: %w", bucket, key, err)
	}
	m := cloneMeta(old)
	v, err := m.updatable(opts)
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("erasure: updating %s/%s: %w", bucket, key, err)
	}
	md, err := opts.Metadata(v.info(bucket))
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("erasure: updating %s/%s: %w", bucket, key, err)
	}
	m.Version, v.Metadata = metaVersion, md
	if opts.Touch {
		v.ModTime = time.Now().UTC()
	}

	ctx = context.WithoutCancel(ctx)
	werrs := s.writeMetas(ctx, bucket, metaPath(dir), &m, bad)
	quorum := writeQuorum(m.Erasure.Data, m.Erasure.Parity)
	if ok := countOK(werrs); ok < quorum {
		undo := s.writeMetas(ctx, bucket, metaPath(dir), old, werrs)
		op := fmt.Sprintf("updating %s/%s", bucket, key)
		return ObjectInfo{}, errors.Join(quorumError(ErrWriteQuorum, op, ok, quorum, werrs),
			errors.Join(undo...))
	}
	s.report(bucket, key, failures(werrs))
	info := v.info(bucket)
	info.IsLatest = v == &m
	return info, nil
}

// cloneMeta returns a copy of m whose older versions can change apart.
func cloneMeta(m *fileMeta) fileMeta {
	c := *m
	c.Older = append([]fileMeta(nil), m.Older...)
	return c
}

// updatable returns the version of m that opts names, which must not be a
// delete marker.
func (m *fileMeta) updatable(opts UpdateOptions) (*fileMeta, error) {
	v := m
	if opts.Versioned {
		var ok bool
		if v, ok = m.findVersion(opts.VersionID); !ok {
			return nil, fmt.Errorf("version %q: %w", opts.VersionID, ErrVersionNotFound)
		}
	}
	if v.DeleteMarker {
		return nil, &DeleteMarkerError{VersionID: v.VersionID, Latest: !opts.Versioned}
	}
	return v, nil
}

// writeMetas writes each drive's copy of m to p on the drives whose skip
// entry is nil, and returns every drive's error (a skipped drive keeps its
// skip error).
func (s *Set) writeMetas(ctx context.Context, bucket, p string, m *fileMeta, skip []error) []error {
	return s.forEach(func(i int, d Drive) error {
		if skip[i] != nil {
			return skip[i]
		}
		b, err := encodeMeta(m.forDrive(i), s.hashKey)
		if err != nil {
			return err
		}
		return d.WriteFile(ctx, bucket, p, b)
	})
}
