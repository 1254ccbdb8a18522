package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path"
	"sort"
	"time"
)

// CompleteOptions are the inputs of CompleteUpload.
type CompleteOptions struct {
	// Assemble is called under the upload's lock with the upload and every
	// part that has read quorum, in part order. It returns the numbers of
	// the parts that make the object, ascending, and the object's
	// metadata. An error from it aborts the completion, is returned
	// wrapped and leaves the upload as it was.
	Assemble func(up UploadInfo, parts []PartInfo) ([]int, map[string]string, error)
	// Precondition is PutOptions.Precondition for the assembled object.
	Precondition func(current *ObjectInfo) error
	// Mode is how the bucket keeps versions.
	Mode VersionMode
}

// ErrInvalidAssembly means Assemble named parts that the upload does not
// hold, out of order, or none at all.
var ErrInvalidAssembly = errors.New("erasure: invalid part list")

// CompleteUpload makes the object of an upload from the parts Assemble
// picks, without copying their bytes: each part's shard file becomes one
// shard file of the new object version, and the object's meta file lists
// them. The object appears whole, on a write quorum of drives, or not at
// all; a drive that lacks one of the parts takes no part in the commit.
// Once committed, the upload and its unused parts are removed.
func (s *Set) CompleteUpload(ctx context.Context, bucket, uploadID string,
	opts CompleteOptions) (ObjectInfo, error) {
	unlock := s.lockUpload(bucket, uploadID)
	defer unlock()
	rec, err := s.readUpload(ctx, bucket, uploadID)
	if err != nil {
		return ObjectInfo{}, err
	}
	chosen, md, err := s.assemble(ctx, bucket, uploadID, rec, opts.Assemble)
	if err != nil {
		return ObjectInfo{}, err
	}

	c := &completion{s: s, ctx: context.WithoutCancel(ctx), bucket: bucket, uploadID: uploadID,
		rec: rec, parts: chosen}
	v, errs, err := c.version(md)
	if err != nil {
		return ObjectInfo{}, err
	}
	v.VersionID = newVersionID(opts.Mode)
	unlockObject := s.lockObjectHeld(bucket, rec.Key)
	defer unlockObject()
	dir := objectDir(v.Key)
	info, err := s.commitVersion(ctx, bucket, v, opts.Precondition, opts.Mode,
		c.moves(dir, v.DataDir),
		path.Join(dir, v.DataDir), errs)
	if err != nil {
		return ObjectInfo{}, err
	}
	c.dropUpload()
	return info, nil
}

// assemble reads the upload's parts and asks fn which make the object.
func (s *Set) assemble(ctx context.Context, bucket, uploadID string, rec *uploadRecord,
	fn func(UploadInfo, []PartInfo) ([]int, map[string]string, error),
) ([]storedPart, map[string]string, error) {
	parts, err := s.readParts(ctx, bucket, uploadID, rec)
	if err != nil {
		return nil, nil, err
	}
	infos := make([]PartInfo, len(parts))
	byNumber := make(map[int]storedPart, len(parts))
	for i, p := range parts {
		infos[i] = p.meta.partInfo()
		byNumber[p.meta.Part] = p
	}
	numbers, md, err := fn(rec.info(bucket, uploadID), infos)
	if err != nil {
		return nil, nil, fmt.Errorf("erasure: completing upload %s: %w", uploadID, err)
	}
	if len(numbers) == 0 {
		return nil, nil, fmt.Errorf("%w: no parts", ErrInvalidAssembly)
	}
	chosen := make([]storedPart, len(numbers))
	for i, n := range numbers {
		p, ok := byNumber[n]
		if !ok || i > 0 && n <= numbers[i-1] {
			return nil, nil, fmt.Errorf("%w: part %d at position %d", ErrInvalidAssembly, n, i)
		}
		chosen[i] = p
	}
	return chosen, md, nil
}

// completion is one CompleteUpload in flight.
type completion struct {
	s        *Set
	ctx      context.Context
	bucket   string
	uploadID string
	rec      *uploadRecord
	parts    []storedPart
}

// quorum is the write quorum of the upload's coding.
func (c *completion) quorum() int { return writeQuorum(c.rec.Erasure.Data, c.rec.Erasure.Parity) }

// version builds the new object version from the chosen parts and
// returns, by drive position, why a drive cannot take part: only the
// drives that hold every chosen part can.
func (c *completion) version(md map[string]string) (fileMeta, []error, error) {
	m := fileMeta{
		Version:  metaVersion,
		Key:      c.rec.Key,
		ModTime:  time.Now().UTC(),
		DataDir:  rand.Text(),
		Erasure:  c.rec.Erasure,
		Metadata: md,
	}
	for _, p := range c.parts {
		m.Parts = append(m.Parts, partMeta{Number: p.meta.Part, Size: p.meta.Size,
			Metadata: p.meta.Metadata})
		m.Size += p.meta.Size
	}
	errs := make([]error, len(c.s.drives))
	for i := range errs {
		for _, p := range c.parts {
			if p.bad[i] != nil {
				errs[i] = fmt.Errorf("drive %d lacks part %d: %w", i, p.meta.Part, p.bad[i])
				break
			}
		}
	}
	if ok := countOK(errs); ok < c.quorum() {
		op := fmt.Sprintf("completing upload %s", c.uploadID)
		return m, errs, quorumError(ErrWriteQuorum, op, ok, c.quorum(), errs)
	}
	return m, errs, nil
}

// moves returns, for any drive, the renames that bring every chosen part's
// shard file into data directory dataDir of object directory dir. A
// rollback renames them back into the upload.
func (c *completion) moves(dir, dataDir string) func(int) []move {
	return func(int) []move {
		out := make([]move, len(c.parts))
		for i, p := range c.parts {
			out[i] = move{srcVol: c.bucket, restore: true,
				src: shardPath(uploadDir(c.uploadID), p.meta.DataDir),
				dst: partShardPath(dir, dataDir, p.meta.Part)}
		}
		return out
	}
}

// dropUpload removes the completed upload from every drive. A failure only
// leaks space until the stale-upload cleaner comes by.
func (c *completion) dropUpload() {
	c.s.forEach(func(_ int, d Drive) error {
		return d.Delete(c.ctx, c.bucket, uploadDir(c.uploadID))
	})
}

// AbortUpload removes an upload and its parts from every drive. It needs
// a write quorum of drives to remove it; the drives that did stay
// removed either way.
func (s *Set) AbortUpload(ctx context.Context, bucket, uploadID string) error {
	unlock := s.lockUpload(bucket, uploadID)
	defer unlock()
	if _, err := s.readUpload(ctx, bucket, uploadID); err != nil {
		return err
	}
	errs := s.forEach(func(_ int, d Drive) error {
		return d.Delete(ctx, bucket, uploadDir(uploadID))
	})
	if gone := countOK(errs) + lacksBucket(errs); gone < s.WriteQuorum() {
		op := fmt.Sprintf("aborting upload %s in %s", uploadID, bucket)
		return quorumError(ErrWriteQuorum, op, gone, s.WriteQuorum(), errs)
	}
	return nil
}

// ListUploads returns every upload in progress in the bucket that has read
// quorum, ordered by key, then initiation time, then upload ID.
//
// TODO: ListUploads reads the record of every upload in the bucket per call; many uploads
// need a sorted, paged walk.
func (s *Set) ListUploads(ctx context.Context, bucket string) ([]UploadInfo, error) {
	if _, err := s.StatBucket(ctx, bucket); err != nil {
		return nil, err
	}
	names, err := s.listUnion(ctx, bucket, uploadsDir)
	if err != nil {
		return nil, err
	}
	var out []UploadInfo
	for _, name := range names {
		id, ok := cutDirSuffix(name)
		if !ok || !validUploadID(id) {
			continue
		}
		rec, err := s.readUpload(ctx, bucket, id)
		if errors.Is(err, ErrUploadNotFound) {
			continue // a leftover on too few drives
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec.info(bucket, id))
	}
	sort.Slice(out, func(i, j int) bool { return uploadLess(out[i], out[j]) })
	return out, nil
}

// uploadLess orders uploads by key, initiation time and ID.
func uploadLess(a, b UploadInfo) bool {
	switch {
	case a.Key != b.Key:
		return a.Key < b.Key
	case !a.Initiated.Equal(b.Initiated):
		return a.Initiated.Before(b.Initiated)
	}
	return a.UploadID < b.UploadID
}

// cutDirSuffix returns a listed directory's name without its slash.
func cutDirSuffix(name string) (string, bool) {
	if len(name) < 2 || name[len(name)-1] != '/' {
		return "", false
	}
	return name[:len(name)-1], true
}
