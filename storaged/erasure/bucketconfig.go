package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// configVersion is the version of the bucket configuration records this
// package writes.
const configVersion = 1

// ErrConfigNotFound means the bucket holds no configuration of that name.
var ErrConfigNotFound = errors.New("erasure: bucket configuration not found")

// configRecord is one named piece of a bucket's configuration (its tags,
// for instance). Every drive holds the same bytes.
type configRecord struct {
	Version int       `json:"version"`
	Name    string    `json:"name"`
	ModTime time.Time `json:"modTime"`
	Data    []byte    `json:"data"`
}

// PutBucketConfig stores data as the bucket's configuration called name,
// or removes it when data is nil. The caller owns what data means. It
// needs a write quorum of drives; when it misses it, the drives that took
// the change are put back and the error wraps ErrWriteQuorum.
func (s *Set) PutBucketConfig(ctx context.Context, bucket, name string, data []byte) error {
	if !validName(name) {
		return fmt.Errorf("erasure: invalid configuration name %q", name)
	}
	unlock := s.lockObject(bucket, "\x00config\x00"+name)
	defer unlock()

	var b []byte
	if data != nil {
		var err error
		rec := configRecord{
			Version: configVersion,
			Name:    name,
			ModTime: time.Now().UTC(),
			Data:    data,
		}
		if b, err = encodeRecord(rec, s.hashKey); err != nil {
			return err
		}
	}
	ctx = context.WithoutCancel(ctx)
	previous := make([][]byte, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		prev, err := d.ReadFile(ctx, bucket, configPath(name))
		if err != nil && !errors.Is(err, drive.ErrFileNotFound) {
			return err
		}
		previous[i] = prev
		return s.replaceConfig(ctx, d, bucket, name, b)
	})
	if countOK(errs) >= s.WriteQuorum() {
		s.report(bucket, "", failures(errs))
		return nil
	}
	return s.undoConfig(ctx, bucket, name, previous, errs)
}

// replaceConfig writes b as a drive's configuration record, or removes the
// record when b is nil.
func (s *Set) replaceConfig(ctx context.Context, d Drive, bucket, name string, b []byte) error {
	if b == nil {
		return d.Delete(ctx, bucket, configPath(name))
	}
	return d.WriteFile(ctx, bucket, configPath(name), b)
}

// undoConfig puts back the previous records on the drives that took a
// change that missed its quorum, and returns the quorum error.
func (s *Set) undoConfig(ctx context.Context, bucket, name string, previous [][]byte,
	errs []error) error {
	undo := s.forEach(func(i int, d Drive) error {
		if errs[i] != nil {
			return nil
		}
		return s.replaceConfig(ctx, d, bucket, name, previous[i])
	})
	if countOK(errs) == 0 && s.absent(lacksBucket(errs)) {
		return fmt.Errorf("erasure: configuring bucket %s: %w", bucket, ErrBucketNotFound)
	}
	op := fmt.Sprintf("storing %s of bucket %s", name, bucket)
	return errors.Join(quorumError(ErrWriteQuorum, op, countOK(errs), s.WriteQuorum(), errs),
		errors.Join(undo...))
}

// BucketConfig returns the bucket's configuration called name as a read
// quorum of drives holds it, or an error wrapping ErrConfigNotFound.
func (s *Set) BucketConfig(ctx context.Context, bucket, name string) ([]byte, error) {
	if !validName(name) {
		return nil, fmt.Errorf("erasure: invalid configuration name %q", name)
	}
	raw := make([][]byte, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		b, err := d.ReadFile(ctx, bucket, configPath(name))
		if err == nil {
			err = decodeRecord(b, s.hashKey, &configRecord{})
		}
		raw[i] = b
		return err
	})
	b, votes := mostCommon(raw, errs)
	var rec configRecord
	if votes >= s.ReadQuorum() && decodeRecord(b, s.hashKey, &rec) == nil && rec.Name == name {
		s.report(bucket, "", staleConfigs(raw, errs, b))
		return rec.Data, nil
	}
	switch {
	case s.absent(lacksObject(errs)):
		return nil, fmt.Errorf("erasure: %s of bucket %s: %w", name, bucket, ErrConfigNotFound)
	case s.absent(lacksBucket(errs)):
		return nil, fmt.Errorf("erasure: %s of bucket %s: %w", name, bucket, ErrBucketNotFound)
	}
	op := fmt.Sprintf("reading %s of bucket %s", name, bucket)
	return nil, quorumError(ErrReadQuorum, op, votes, s.ReadQuorum(), errs)
}

// staleConfigs returns the drives that answered a configuration read with
// no record, a damaged one or another than best, so that the bucket is
// queued for healing; drives that did not answer are left to the drive
// checks.
func staleConfigs(raw [][]byte, errs []error, best []byte) []DriveFailure {
	var out []DriveFailure
	for i, err := range errs {
		switch {
		case err == nil && !bytes.Equal(raw[i], best):
			out = append(out, DriveFailure{Drive: i, Err: errors.New("another configuration record")})
		case errors.Is(err, drive.ErrFileNotFound) || errors.Is(err, errCorruptMeta):
			out = append(out, DriveFailure{Drive: i, Err: err})
		}
	}
	return out
}
