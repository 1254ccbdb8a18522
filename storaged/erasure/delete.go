package erasure

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"
)

// Delete removes an object, every version of it, from every drive.
// Deleting a key that does not exist succeeds. It needs a write quorum of
// drives; when it misses it, the drives that did delete stay deleted (a
// later read finds the object on the others, or not at all) and the error
// wraps ErrWriteQuorum.
func (s *Set) Delete(ctx context.Context, bucket, key string) error {
	unlock := s.lockObject(bucket, key)
	defer unlock()
	return s.deleteKey(ctx, bucket, key)
}

// deleteKey is Delete for a caller that holds the object's lock.
func (s *Set) deleteKey(ctx context.Context, bucket, key string) error {
	dir := objectDir(key)
	errs := s.forEach(func(i int, d Drive) error {
		return s.retire(ctx, i, d, bucket, dir)
	})
	// A drive without the bucket volume cannot hold the object either.
	ok, gone := countOK(errs), countOK(errs)+lacksBucket(errs)
	switch {
	case ok == 0 && s.absent(lacksBucket(errs)):
		return fmt.Errorf("erasure: deleting %s/%s: %w", bucket, key, ErrBucketNotFound)
	case gone >= s.WriteQuorum():
		s.report(bucket, key, failures(errs))
		return nil
	}
	op := fmt.Sprintf("deleting %s/%s", bucket, key)
	return quorumError(ErrWriteQuorum, op, gone, s.WriteQuorum(), errs)
}

// DeleteOptions are the inputs of DeleteVersion.
type DeleteOptions struct {
	// Versioned is true when VersionID names the version to remove ("" is
	// the null version); false deletes the key as Mode says.
	Versioned bool
	VersionID string
	// Mode is how the bucket keeps versions.
	Mode VersionMode
}

// DeleteResult says what a DeleteVersion did: the version it removed or
// added, and whether that version is a delete marker.
type DeleteResult struct {
	VersionID    string
	DeleteMarker bool
}

// DeleteVersion deletes as S3 does. With a version named, it removes that
// version for good (a missing one is no error), and the key when none is
// left. Without one, an unversioned bucket loses the key, and a bucket
// with versioning enabled or suspended gets a delete marker as the key's
// current version (a null one when suspended, replacing the null version).
func (s *Set) DeleteVersion(ctx context.Context, bucket, key string,
	opts DeleteOptions) (DeleteResult, error) {
	unlock := s.lockObject(bucket, key)
	defer unlock()
	if !opts.Versioned && opts.Mode == Unversioned {
		return DeleteResult{}, s.deleteKey(ctx, bucket, key)
	}
	if _, err := s.StatBucket(ctx, bucket); err != nil {
		return DeleteResult{}, err
	}
	cur, err := s.current(ctx, bucket, key)
	if err != nil {
		return DeleteResult{}, err
	}
	if !opts.Versioned {
		return s.addDeleteMarker(ctx, bucket, key, cur, opts.Mode)
	}
	return s.removeVersion(ctx, bucket, key, cur, opts.VersionID)
}

// addDeleteMarker makes a delete marker the key's current version.
func (s *Set) addDeleteMarker(ctx context.Context, bucket, key string, cur *fileMeta,
	mode VersionMode) (DeleteResult, error) {
	marker := fileMeta{
		Version:      metaVersion,
		Key:          key,
		ModTime:      time.Now().UTC(),
		DataDir:      rand.Text(),
		Erasure:      s.coding(bucket, key),
		VersionID:    newVersionID(mode),
		DeleteMarker: true,
	}
	next := withVersion(cur, marker, mode)
	errs, err := s.commitObjectMeta(ctx, bucket, next, nil, "", make([]error, len(s.drives)))
	if err != nil {
		return DeleteResult{}, err
	}
	s.report(bucket, key, failures(errs))
	return DeleteResult{VersionID: marker.VersionID, DeleteMarker: true}, nil
}

// removeVersion removes one version of the key for good.
func (s *Set) removeVersion(ctx context.Context, bucket, key string, cur *fileMeta,
	versionID string) (DeleteResult, error) {
	res := DeleteResult{VersionID: versionID}
	if cur == nil {
		return res, nil
	}
	v, ok := cur.findVersion(versionID)
	if !ok {
		return res, nil
	}
	res.DeleteMarker = v.DeleteMarker
	next, left := withoutVersion(cur, versionID)
	if !left {
		return res, s.deleteKey(ctx, bucket, key)
	}
	errs, err := s.commitObjectMeta(ctx, bucket, next, nil, "", make([]error, len(s.drives)))
	if err != nil {
		return DeleteResult{}, err
	}
	s.report(bucket, key, failures(errs))
	return res, nil
}
