package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// MaxPartNumber is the highest part number of a multipart upload.
const MaxPartNumber = 10000

// uploadVersion is the version of the upload records this package writes.
const uploadVersion = 1

// ErrUploadNotFound means the multipart upload does not exist: it was never
// created, or it was completed or aborted.
var ErrUploadNotFound = errors.New("erasure: upload not found")

// UploadInfo describes a multipart upload in progress.
type UploadInfo struct {
	Bucket    string
	Key       string
	UploadID  string
	Initiated time.Time
	// Metadata is what NewUpload was given.
	Metadata map[string]string
}

// PartInfo describes one part of an upload in progress, or of an object
// assembled from one.
type PartInfo struct {
	Number int
	Size   int64
	// ModTime is when the part was uploaded; zero in an object's parts.
	ModTime time.Time
	// Metadata is what PutOptions.Metadata returned for the part.
	Metadata map[string]string
}

// uploadRecord is an upload's record. Every drive holds the same bytes.
type uploadRecord struct {
	Version   int       `json:"version"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated"`
	// Erasure is how every part is coded; its Index is unused.
	Erasure  erasureMeta       `json:"erasure"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// info returns the upload's info.
func (u *uploadRecord) info(bucket, uploadID string) UploadInfo {
	return UploadInfo{Bucket: bucket, Key: u.Key, UploadID: uploadID, Initiated: u.Initiated,
		Metadata: u.Metadata}
}

// validUploadID reports whether id has the shape NewUpload gives IDs: 26
// characters of the base32 alphabet. Nothing else may reach a path.
func validUploadID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, c := range id {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// UploadOptions are the inputs of NewUpload.
type UploadOptions struct {
	// Metadata is recorded with the upload and returned in UploadInfo.
	Metadata map[string]string
	// Parity is PutOptions.Parity for every part, and so for the object
	// the upload makes.
	Parity int
}

// NewUpload starts a multipart upload of bucket/key and records opts with
// it. It needs a write quorum of drives for the upload's coding; when it
// misses it, the records it wrote are removed and the error wraps
// ErrWriteQuorum. A parity outside 1 to the set's is ErrInvalidParity.
func (s *Set) NewUpload(ctx context.Context, bucket, key string,
	opts UploadOptions) (UploadInfo, error) {
	coding, err := s.codingWith(bucket, key, opts.Parity)
	if err != nil {
		return UploadInfo{}, err
	}
	unlock := s.lockBucketShared(bucket)
	defer unlock()

	id := rand.Text()
	rec := uploadRecord{Version: uploadVersion, Key: key, Initiated: time.Now().UTC(),
		Erasure: coding, Metadata: opts.Metadata}
	b, err := encodeRecord(rec, s.hashKey)
	if err != nil {
		return UploadInfo{}, err
	}
	errs := s.forEach(func(_ int, d Drive) error {
		return d.WriteFile(ctx, bucket, uploadPath(id), b)
	})
	quorum := writeQuorum(coding.Data, coding.Parity)
	if countOK(errs) >= quorum {
		s.report(bucket, key, failures(errs))
		return rec.info(bucket, id), nil
	}

	undo := context.WithoutCancel(ctx)
	s.forEach(func(i int, d Drive) error {
		if errs[i] != nil {
			return nil
		}
		return d.Delete(undo, bucket, uploadDir(id))
	})
	if countOK(errs) == 0 && s.absent(lacksBucket(errs)) {
		return UploadInfo{}, fmt.Errorf("erasure: starting an upload of %s/%s: %w",
			bucket, key, ErrBucketNotFound)
	}
	op := fmt.Sprintf("starting an upload of %s/%s", bucket, key)
	return UploadInfo{}, quorumError(ErrWriteQuorum, op, countOK(errs), quorum, errs)
}

// Upload returns the info of an upload in progress.
func (s *Set) Upload(ctx context.Context, bucket, uploadID string) (UploadInfo, error) {
	rec, err := s.readUpload(ctx, bucket, uploadID)
	if err != nil {
		return UploadInfo{}, err
	}
	return rec.info(bucket, uploadID), nil
}

// readUpload reads an upload's record from every drive and returns the
// one that a read quorum holds.
func (s *Set) readUpload(ctx context.Context, bucket, uploadID string) (*uploadRecord, error) {
	if !validUploadID(uploadID) {
		return nil, fmt.Errorf("erasure: upload %.40q: %w", uploadID, ErrUploadNotFound)
	}
	raw := make([][]byte, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		b, err := d.ReadFile(ctx, bucket, uploadPath(uploadID))
		if err == nil {
			err = decodeRecord(b, s.hashKey, &uploadRecord{})
		}
		raw[i] = b
		return err
	})
	b, votes := mostCommon(raw, errs)
	var rec uploadRecord
	if b != nil && decodeRecord(b, s.hashKey, &rec) == nil && votes >= rec.Erasure.Data &&
		rec.Erasure.Data > 0 {
		return &rec, nil
	}
	switch {
	case s.absent(lacksObject(errs)):
		return nil, fmt.Errorf("erasure: upload %s in %s: %w", uploadID, bucket, ErrUploadNotFound)
	case s.absent(lacksBucket(errs)):
		return nil, fmt.Errorf("erasure: upload %s: %w", uploadID, ErrBucketNotFound)
	}
	op := fmt.Sprintf("reading upload %s in %s", uploadID, bucket)
	return nil, quorumError(ErrReadQuorum, op, votes, s.ReadQuorum(), errs)
}

// mostCommon returns the content that most drives without an error hold,
// and how many hold it.
func mostCommon(contents [][]byte, errs []error) ([]byte, int) {
	votes := map[string]int{}
	var best string
	for i, b := range contents {
		if errs[i] != nil {
			continue
		}
		k := string(b)
		votes[k]++
		if votes[k] > votes[best] || votes[k] == votes[best] && k > best {
			best = k
		}
	}
	if votes[best] == 0 {
		return nil, 0
	}
	return []byte(best), votes[best]
}

// PutPart stores body as part number of an upload, replacing a part of the
// same number once the new one holds a write quorum. The part is coded as
// the upload records and stays in the upload until CompleteUpload or
// AbortUpload. PutOptions.Precondition is not used.
func (s *Set) PutPart(ctx context.Context, bucket, uploadID string, number int,
	body io.Reader, opts PutOptions) (PartInfo, error) {
	if number < 1 || number > MaxPartNumber {
		return PartInfo{}, fmt.Errorf("erasure: part number %d outside 1 to %d",
			number, MaxPartNumber)
	}
	rec, err := s.readUpload(ctx, bucket, uploadID)
	if err != nil {
		return PartInfo{}, err
	}
	p, err := s.startPut(ctx, bucket, rec.Key, rec.Erasure)
	if err != nil {
		return PartInfo{}, err
	}
	defer p.cleanup()
	p.part = number
	m, err := p.write(body, opts.Metadata)
	if err != nil {
		return PartInfo{}, err
	}
	if err := p.stageMeta(m); err != nil {
		return PartInfo{}, err
	}

	unlock := s.lockUpload(bucket, uploadID)
	defer unlock()
	if _, err := s.readUpload(ctx, bucket, uploadID); err != nil {
		return PartInfo{}, err // completed or aborted meanwhile
	}
	dir := uploadDir(uploadID)
	c := p.commitJob(partMetaPath(uploadID, number), dir, func(old *fileMeta) string {
		return path.Join(dir, old.DataDir)
	})
	c.decode = func(b []byte, pos int) (*fileMeta, error) {
		return decodeAnyMeta(b, s.hashKey, pos)
	}
	if err := c.run(); err != nil {
		return PartInfo{}, err
	}
	s.report(bucket, rec.Key, failures(p.errs))
	return m.partInfo(), nil
}

// partInfo returns the info of an upload part's meta.
func (m *fileMeta) partInfo() PartInfo {
	return PartInfo{Number: m.Part, Size: m.Size, ModTime: m.ModTime, Metadata: m.Metadata}
}

// Parts returns the upload and its parts that have read quorum, in part
// order.
func (s *Set) Parts(ctx context.Context, bucket, uploadID string) (UploadInfo, []PartInfo, error) {
	rec, err := s.readUpload(ctx, bucket, uploadID)
	if err != nil {
		return UploadInfo{}, nil, err
	}
	parts, err := s.readParts(ctx, bucket, uploadID, rec)
	if err != nil {
		return UploadInfo{}, nil, err
	}
	out := make([]PartInfo, len(parts))
	for i, p := range parts {
		out[i] = p.meta.partInfo()
	}
	return rec.info(bucket, uploadID), out, nil
}

// storedPart is one upload part as the drives hold it.
type storedPart struct {
	meta *fileMeta
	// bad is, by drive position, why the drive cannot serve this version
	// of the part; nil for the drives that can.
	bad []error
}

// readParts reads the meta file of every part of an upload that a drive
// lists, and returns the parts with read quorum in part order.
//
// TODO: ListParts and CompleteUpload read every part's meta file from every drive
// (40,000 reads for 10,000 parts on 4 drives); a per-upload part index would read one file.
func (s *Set) readParts(ctx context.Context, bucket, uploadID string,
	rec *uploadRecord) ([]storedPart, error) {
	numbers, err := s.listPartNumbers(ctx, bucket, uploadID)
	if err != nil {
		return nil, err
	}
	var out []storedPart
	for _, n := range numbers {
		metas, errs := s.readMetaFiles(ctx, bucket, partMetaPath(uploadID, n),
			func(b []byte, pos int) (*fileMeta, error) {
				return decodePartMeta(b, s.hashKey, pos, n, rec)
			})
		m, bad, err := s.pickMeta(metas, errs)
		if errors.Is(err, ErrObjectNotFound) {
			continue // a leftover on too few drives
		}
		if err != nil {
			return nil, fmt.Errorf("erasure: reading part %d of upload %s: %w", n, uploadID, err)
		}
		out = append(out, storedPart{meta: m, bad: bad})
	}
	return out, nil
}

// decodePartMeta parses the meta file of part n of the upload rec that
// drive pos holds, and checks that it belongs there.
func decodePartMeta(b, key []byte, pos, n int, rec *uploadRecord) (*fileMeta, error) {
	m, err := decodeAnyMeta(b, key, pos)
	if err != nil {
		return nil, err
	}
	if m.Part != n || m.Key != rec.Key || !m.Erasure.sameCoding(rec.Erasure) {
		return nil, fmt.Errorf("%w: part %d of %q does not belong in part %d of an upload of %q",
			errCorruptMeta, m.Part, m.Key, n, rec.Key)
	}
	return m, nil
}

// listPartNumbers returns the part numbers that any drive lists in the
// upload's directory, in order. It needs a read quorum of drives to list.
func (s *Set) listPartNumbers(ctx context.Context, bucket, uploadID string) ([]int, error) {
	names, err := s.listUnion(ctx, bucket, uploadDir(uploadID))
	if err != nil {
		return nil, err
	}
	var out []int
	for _, name := range names {
		if n, ok := partNumberOf(name); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// partNumberOf parses a part meta file's name.
func partNumberOf(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "part.")
	if !ok || len(digits) != 5 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 1 && n <= MaxPartNumber
}

// listUnion lists dir on every drive and returns the names that any drive
// lists, in order. A drive without dir counts as listing nothing. It needs
// a read quorum of drives to answer.
func (s *Set) listUnion(ctx context.Context, bucket, dir string) ([]string, error) {
	lists := make([][]string, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		names, err := d.List(ctx, bucket, dir)
		if errors.Is(err, drive.ErrFileNotFound) {
			return nil
		}
		lists[i] = names
		return err
	})
	if ok := countOK(errs); ok < s.ReadQuorum() {
		if s.absent(lacksBucket(errs)) {
			return nil, fmt.Errorf("erasure: listing %s/%s: %w", bucket, dir, ErrBucketNotFound)
		}
		op := fmt.Sprintf("listing %s/%s", bucket, dir)
		return nil, quorumError(ErrReadQuorum, op, ok, s.ReadQuorum(), errs)
	}
	seen := map[string]bool{}
	for _, names := range lists {
		for _, name := range names {
			seen[name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}
