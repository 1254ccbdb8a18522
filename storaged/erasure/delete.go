package erasure

import (
	"context"
	"fmt"
)

// Delete removes an object from every drive. Deleting a key that does not
// exist succeeds. It needs a write quorum of drives; when it misses it, the
// drives that did delete stay deleted (a later read finds the object on
// the others, or not at all) and the error wraps ErrWriteQuorum.
func (s *Set) Delete(ctx context.Context, bucket, key string) error {
	unlock := s.lockObject(bucket, key)
	defer unlock()

	dir := objectDir(key)
	errs := s.forEach(func(_ int, d Drive) error {
		return d.Delete(ctx, bucket, dir)
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
