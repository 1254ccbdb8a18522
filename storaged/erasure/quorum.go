package erasure

import (
	"errors"
	"fmt"
	"sync"

	"github.com/strata-storage/strata/storaged/drive"
)

// ErrReadQuorum means too few drives answered, or too few good shards were
// found, to read safely. No byte of the failed part was returned.
var ErrReadQuorum = errors.New("erasure: read quorum not available")

// ErrWriteQuorum means too few drives took a write; whatever the others
// took was rolled back.
var ErrWriteQuorum = errors.New("erasure: write quorum not available")

// forEach runs fn on every drive in parallel and returns each drive's error,
// wrapped with the drive's position and name, by position.
func (s *Set) forEach(fn func(i int, d Drive) error) []error {
	errs := make([]error, len(s.drives))
	var wg sync.WaitGroup
	for i, d := range s.drives {
		wg.Go(func() {
			if err := fn(i, d); err != nil {
				errs[i] = fmt.Errorf("drive %d (%s): %w", i, d, err)
			}
		})
	}
	wg.Wait()
	return errs
}

// countOK counts the drives that succeeded.
func countOK(errs []error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

// countIs counts the drives whose error matches one of targets.
func countIs(errs []error, targets ...error) int {
	n := 0
	for _, err := range errs {
		for _, t := range targets {
			if err != nil && errors.Is(err, t) {
				n++
				break
			}
		}
	}
	return n
}

// lacksObject counts the drives that hold the bucket but not the file:
// the only drives whose answer proves an object absent. A drive without
// the bucket volume may be a replaced drive that was never healed.
func lacksObject(errs []error) int { return countIs(errs, drive.ErrFileNotFound) }

// lacksBucket counts the drives that do not hold the bucket volume.
func lacksBucket(errs []error) int { return countIs(errs, drive.ErrVolumeNotFound) }

// absent reports whether more drives lack something than could miss it if
// it had been written at quorum: then it does not exist.
func (s *Set) absent(lacking int) bool { return lacking > len(s.drives)-s.WriteQuorum() }

// quorumError builds the error of an operation that missed its quorum. It
// wraps sentinel and every drive's error.
func quorumError(sentinel error, op string, ok, need int, errs []error) error {
	return fmt.Errorf("%w: %s: %d of %d drives succeeded, %d needed: %w",
		sentinel, op, ok, len(errs), need, errors.Join(errs...))
}

// failures lists the drives whose error is not nil.
func failures(errs []error) []DriveFailure {
	var out []DriveFailure
	for i, err := range errs {
		if err != nil {
			out = append(out, DriveFailure{Drive: i, Err: err})
		}
	}
	return out
}
