package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// ErrObjectNotFound means the key does not exist: enough drives positively
// lack it that no committed version can be hiding on the others.
var ErrObjectNotFound = errors.New("erasure: object not found")

// Object is one version of an object as a read quorum of drives describe
// it. It holds no lock and no open file; readers made from it read that
// version even if a newer one is committed meanwhile, until the older data
// is removed.
type Object struct {
	s      *Set
	bucket string
	dir    string
	meta   *fileMeta
	latest bool
	opened time.Time // when the meta file was read
	// shardDrive is, by shard index, the position of the drive that holds
	// the shard for this version, or -1 when no drive can serve it.
	shardDrive []int
}

// Open reads the object's metadata from every drive and picks the current
// version of the key that has read quorum. It returns an error wrapping
// ErrObjectNotFound when there is none (a *DeleteMarkerError when the
// current version is a delete marker), or ErrReadQuorum. Drives that
// disagree are reported to Config.OnDegraded.
func (s *Set) Open(ctx context.Context, bucket, key string) (*Object, error) {
	return s.open(ctx, bucket, key, "", false)
}

// OpenVersion is Open for the version of ID versionID ("" is the null
// version): ErrVersionNotFound when the key has no such version, a
// *DeleteMarkerError wrapping ErrDeleteMarker when it is a delete marker.
func (s *Set) OpenVersion(ctx context.Context, bucket, key, versionID string) (*Object, error) {
	return s.open(ctx, bucket, key, versionID, true)
}

// open reads the key's meta file and picks the current version, or the
// named one when named is true.
func (s *Set) open(ctx context.Context, bucket, key, versionID string,
	named bool) (*Object, error) {
	dir := objectDir(key)
	metas, errs := s.readMetas(ctx, bucket, dir)
	cur, bad, err := s.pickMeta(metas, errs)
	if err != nil {
		return nil, fmt.Errorf("erasure: opening %s/%s: %w", bucket, key, err)
	}
	m := cur
	if named {
		var ok bool
		if m, ok = cur.findVersion(versionID); !ok {
			return nil, fmt.Errorf("erasure: opening version %q of %s/%s: %w", versionID, bucket,
				key, ErrVersionNotFound)
		}
	}
	if m.DeleteMarker {
		return nil, fmt.Errorf("erasure: opening %s/%s: %w", bucket, key,
			&DeleteMarkerError{VersionID: m.VersionID, Latest: !named})
	}
	o := &Object{s: s, bucket: bucket, dir: dir, meta: m, latest: m == cur, opened: s.now()}
	o.shardDrive = make([]int, len(m.Erasure.Distribution))
	for i := range o.shardDrive {
		o.shardDrive[i] = -1
	}
	for pos, idx := range m.Erasure.Distribution {
		if bad[pos] == nil {
			o.shardDrive[idx] = pos
		}
	}
	s.report(bucket, m.Key, failures(bad))
	return o, nil
}

// Stat returns the info of the object's current version.
func (s *Set) Stat(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	o, err := s.Open(ctx, bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return o.Info(), nil
}

// Info returns the version's info. The caller must not change its Metadata.
func (o *Object) Info() ObjectInfo {
	info := o.meta.info(o.bucket)
	info.IsLatest = o.latest
	return info
}

// NewReader returns a reader over length bytes of the version from offset.
// The range must lie inside the object. The reader fetches and checks only
// the blocks the range touches, one block at a time, crossing from part to
// part of a multipart object; ctx bounds every read.
func (o *Object) NewReader(ctx context.Context, offset, length int64) (*Reader, error) {
	if offset < 0 || length < 0 || offset+length > o.meta.Size {
		return nil, fmt.Errorf("erasure: range [%d, %d) outside %s/%s of %d bytes",
			offset, offset+length, o.bucket, o.meta.Key, o.meta.Size)
	}
	e := o.meta.Erasure
	enc, err := o.s.encoder(e.Data, e.Parity)
	if err != nil {
		return nil, err
	}

	total := e.Data + e.Parity
	r := &Reader{
		ctx:     ctx,
		obj:     o,
		codec:   &codec{enc: enc, data: e.Data, parity: e.Parity, key: o.s.hashKey},
		spans:   spansOf(o.meta.segments(o.dir), offset, length),
		streams: make([]shardStream, total),
		bad:     make([]bool, total),
		present: make([]bool, total),
		checked: make([]bool, total),
		tried:   make([]bool, total),
	}
	for idx, pos := range o.shardDrive {
		r.bad[idx] = pos < 0
	}
	if length > 0 {
		maxShard := ceilDiv(e.BlockSize, int64(e.Data))
		r.frames = newFrames(total, maxShard)
		r.pre.block = -1
		for i := range r.blocks {
			r.blocks[i] = make([]byte, 0, int64(e.Data)*maxShard)
		}
	}
	return r, nil
}

// segment is one shard file of an object version: the whole object, or
// one part of a multipart object.
type segment struct {
	file string // the shard file's path in the bucket volume
	geo  geometry
}

// span is the part of a read that falls in one segment.
type span struct {
	segment
	offset, length int64 // inside the segment
}

// spansOf cuts [offset, offset+length) of the segments' concatenation
// into the non-empty spans it touches.
func spansOf(segs []segment, offset, length int64) []span {
	var out []span
	for _, sg := range segs {
		size := sg.geo.size
		if length > 0 && offset < size {
			n := min(length, size-offset)
			out = append(out, span{segment: sg, offset: offset, length: n})
			length -= n
			offset = size
		}
		offset -= size
	}
	return out
}

// Reader streams a range of an object version. It is not safe for
// concurrent use. Its memory is two decoded blocks (one returned, one
// read ahead) and two records per shard (a block's and the next one's).
type Reader struct {
	ctx   context.Context
	obj   *Object
	codec *codec
	spans []span // the spans not yet started
	file  string // the shard file of the current span
	geo   geometry

	frames    *frames
	pre       prefetch  // the next block's records, read with this one's
	blocks    [2][]byte // decoded blocks: one being returned, one read ahead
	cur       int       // the index in blocks of the block being returned
	ahead     *readAhead
	pending   []byte // decoded bytes not yet returned
	first     int64  // first block of the span
	next      int64  // next block to decode
	last      int64  // last block of the span
	skip      int64  // bytes of the first block before the span
	remaining int64  // bytes of the span not yet decoded

	streams  []shardStream // by shard index
	bad      []bool        // by shard index: not to be read again
	present  []bool        // by shard index, for the current block
	checked  []bool        // by shard index, for the current block: hash checked
	tried    []bool        // by shard index, for the current block
	failures []DriveFailure
	err      error
	finished bool
}

// shardStream is an open read of one drive's shard file.
type shardStream struct {
	rc   io.ReadCloser
	next int64 // offset of the next byte rc returns
}

// errReaderClosed is returned by Read after Close.
var errReaderClosed = errors.New("erasure: read after close")

// startSpan moves the reader to its next span, closing the streams of the
// one before. It reports false when no span is left.
func (r *Reader) startSpan() bool {
	if len(r.spans) == 0 {
		return false
	}
	sp := r.spans[0]
	r.spans = r.spans[1:]
	for idx := range r.streams {
		r.closeStream(idx)
	}
	bs := sp.geo.blockSize
	r.file, r.geo = sp.file, sp.geo
	r.first = sp.offset / bs
	r.next = r.first
	r.last = (sp.offset + sp.length - 1) / bs
	r.skip = sp.offset % bs
	r.remaining = sp.length
	return true
}

// Read implements io.Reader. It returns an error wrapping ErrReadQuorum
// when a block cannot be rebuilt; no byte of that block is returned.
func (r *Reader) Read(p []byte) (int, error) {
	if err := r.ready(); err != nil {
		return 0, err
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// WriteTo implements io.WriterTo: it writes the rest of the range to w
// straight from the decoded blocks, saving the copy into a buffer that
// Read makes. Its errors are Read's, or w's.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		err := r.ready()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		n, err := w.Write(r.pending)
		total += int64(n)
		r.pending = r.pending[n:]
		if err == nil && len(r.pending) > 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			return total, err
		}
	}
}

// ready decodes blocks until some bytes are pending, and returns the
// reader's error (io.EOF at the end of the range) when none can be.
func (r *Reader) ready() error {
	for len(r.pending) == 0 {
		if r.err != nil {
			return r.err
		}
		if r.remaining == 0 && !r.startSpan() {
			r.err = io.EOF
			r.finish()
			continue
		}
		if err := r.fill(); err != nil {
			r.err = err
			r.finish()
		}
	}
	return nil
}

// Close releases the reader's files and reports the drives that failed.
// Read and WriteTo return errReaderClosed after it, even with bytes of a
// decoded block not yet returned.
func (r *Reader) Close() error {
	r.finish()
	if r.err == nil {
		r.err = errReaderClosed
	}
	r.pending = nil
	return nil
}

// Failures returns the drives that failed while this reader read shards.
func (r *Reader) Failures() []DriveFailure { return r.failures }

// finish closes every stream and reports failures, once.
func (r *Reader) finish() {
	if r.finished {
		return
	}
	r.finished = true
	if r.ahead != nil {
		<-r.ahead.done // it uses the streams
		r.ahead = nil
	}
	for idx := range r.streams {
		r.closeStream(idx)
	}
	r.obj.s.report(r.obj.bucket, r.obj.meta.Key, r.failures)
}

// readAhead is the decoding of the block after the one being returned,
// on a goroutine of its own, so that reading shards from the drives
// overlaps with the caller consuming the block before. While it runs, it
// alone uses the reader's frames, streams and shard state.
type readAhead struct {
	done chan struct{}
	data []byte
	err  error
}

// fill decodes the next block, or takes it from the read-ahead, queues the
// part of it in the range, and starts reading the block after it when the
// span goes on.
func (r *Reader) fill() error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("erasure: reading %s/%s: %w", r.obj.bucket, r.obj.meta.Key, err)
	}
	var data []byte
	var err error
	if a := r.ahead; a != nil {
		<-a.done
		r.ahead = nil
		r.cur ^= 1
		data, err = a.data, a.err
	} else {
		data, err = r.readBlock(r.next, r.blocks[r.cur])
	}
	if err != nil {
		return err
	}
	var start int64
	if r.next == r.first {
		start = r.skip
	}
	end := min(int64(len(data)), start+r.remaining)
	r.pending = data[start:end]
	r.remaining -= end - start
	r.next++
	if r.remaining > 0 {
		r.startReadAhead()
	}
	return nil
}

// startReadAhead decodes block r.next into the block buffer not being
// returned, on its own goroutine.
func (r *Reader) startReadAhead() {
	a := &readAhead{done: make(chan struct{})}
	b, out := r.next, r.blocks[r.cur^1]
	go func() {
		defer close(a.done)
		a.data, a.err = r.readBlock(b, out)
	}()
	r.ahead = a
}

// readBlock fetches D good shards of block b, from the data shards first,
// falling back to parity shards as drives fail or records fail their hash
// check, and decodes the block into out's memory. Records are checked while
// the block is decoded from them; when one fails its check, the block is
// decoded again without it.
func (r *Reader) readBlock(b int64, out []byte) ([]byte, error) {
	blockLen := r.geo.blockLen(b)
	clear(r.present)
	clear(r.tried)
	clear(r.checked)
	r.takePrefetched(b)
	r.frames.resize(r.geo.shardLen(blockLen))
	for {
		if err := r.gather(b); err != nil {
			return nil, err
		}
		idxs := r.unchecked()
		data, oks, err := r.decodeChecking(idxs, b, blockLen, out)
		if r.settle(idxs, oks, b) {
			return data, err
		}
	}
}

// gather reads records of block b until D shards are present, trying the
// shards that have not failed, and returns ErrReadQuorum when too few are
// left.
func (r *Reader) gather(b int64) error {
	got := 0
	for _, p := range r.present {
		if p {
			got++
		}
	}
	for got < r.codec.data {
		cands := r.candidates(r.codec.data - got)
		if len(cands) == 0 {
			return r.quorumError(b, got)
		}
		errs := r.readRecords(cands, b)
		for j, idx := range cands {
			if errs[j] != nil {
				r.markBad(idx, errs[j])
				continue
			}
			r.present[idx] = true
			got++
		}
	}
	return nil
}

// unchecked returns the shards present whose hash is not checked yet.
func (r *Reader) unchecked() []int {
	var idxs []int
	for idx, p := range r.present {
		if p && !r.checked[idx] {
			idxs = append(idxs, idx)
		}
	}
	return idxs
}

// decodeChecking checks the hashes of the records of idxs and decodes the
// block from the present records, at the same time when the records are
// large enough to pay for a goroutine. It returns the block, nil when a
// small record failed its check, and by position in idxs whether each
// record passed.
func (r *Reader) decodeChecking(idxs []int, b, blockLen int64,
	out []byte) ([]byte, []bool, error) {
	recs := make([][]byte, len(idxs), 2*len(idxs))
	for j, idx := range idxs {
		recs[j] = r.frames.recs[idx]
	}
	recs = append(recs, r.prefetchNext(idxs, b, blockLen)...)
	if r.geo.shardLen(blockLen) < minParallelShard {
		oks := r.codec.verifyAll(recs)
		for _, ok := range oks {
			if !ok {
				return nil, oks, nil
			}
		}
		data, err := r.codec.decode(r.frames, r.present, blockLen, out)
		return data, oks, err
	}
	checked := make(chan []bool, 1)
	go func() { checked <- r.codec.verifyAll(recs) }()
	data, err := r.codec.decode(r.frames, r.present, blockLen, out)
	oks := <-checked
	r.pre.oks = oks[len(idxs):]
	return data, oks[:len(idxs)], err
}

// settle records the outcome of checking the records of idxs: a record
// that failed is no longer present and its drive is not read again. It
// reports whether every record passed.
func (r *Reader) settle(idxs []int, oks []bool, b int64) bool {
	all := true
	for j, idx := range idxs {
		if oks[j] {
			r.checked[idx] = true
			continue
		}
		all = false
		r.present[idx] = false
		r.markBad(idx, fmt.Errorf("block %d: %w", b, ErrCorruptShard))
	}
	return all
}

// candidates picks up to k shards to try next: not failed, not yet tried
// for this block, data shards before parity shards.
func (r *Reader) candidates(k int) []int {
	var out []int
	for idx := range r.bad {
		if len(out) == k {
			break
		}
		if !r.bad[idx] && !r.tried[idx] {
			r.tried[idx] = true
			out = append(out, idx)
		}
	}
	return out
}

// readRecords reads block b's record of each shard in idxs in parallel,
// the last on the calling goroutine. idxs is not empty.
func (r *Reader) readRecords(idxs []int, b int64) []error {
	errs := make([]error, len(idxs))
	last := len(idxs) - 1
	done := make(chan struct{}, last)
	for j, idx := range idxs[:last] {
		go func() {
			errs[j] = r.readRecord(idx, b)
			done <- struct{}{}
		}()
	}
	errs[last] = r.readRecord(idxs[last], b)
	for range last {
		<-done
	}
	return errs
}

// readRecord reads block b's record of one shard into the frames. It
// touches only that shard's stream and record.
func (r *Reader) readRecord(idx int, b int64) error {
	return r.readRecordInto(r.frames, idx, b)
}

// readRecordInto reads block b's record of one shard into f.
func (r *Reader) readRecordInto(f *frames, idx int, b int64) error {
	st, err := r.stream(idx, b)
	if err != nil {
		return err
	}
	rec := f.recs[idx]
	if _, err := io.ReadFull(st.rc, rec); err != nil {
		r.closeStream(idx)
		return fmt.Errorf("reading block %d: %w", b, err)
	}
	st.next += int64(len(rec))
	return nil
}

// stream returns a read of shard idx's file positioned at block b's record,
// opening one that runs to the end of the range if needed.
func (r *Reader) stream(idx int, b int64) (*shardStream, error) {
	st := &r.streams[idx]
	off := r.geo.recordOffset(b)
	if st.rc != nil && st.next == off {
		return st, nil
	}
	r.closeStream(idx)

	o := r.obj
	d := o.s.drives[o.shardDrive[idx]]
	length := r.geo.recordEnd(r.last) - off
	rc, err := d.ReadRange(r.ctx, o.bucket, r.file, off, length)
	if errors.Is(err, drive.ErrFileNotFound) {
		// Retired by a change since the version was opened?
		rc, err = o.s.openRetired(r.ctx, d, o.bucket, r.file, o.opened, off, length, err)
	}
	if err != nil {
		return nil, err
	}
	*st = shardStream{rc: rc, next: off}
	return st, nil
}

// closeStream closes shard idx's stream if it is open.
func (r *Reader) closeStream(idx int) {
	if st := &r.streams[idx]; st.rc != nil {
		_ = st.rc.Close()
		st.rc = nil
	}
}

// markBad stops reading from shard idx's drive and records why.
func (r *Reader) markBad(idx int, err error) {
	r.bad[idx] = true
	r.closeStream(idx)
	pos := r.obj.shardDrive[idx]
	r.failures = append(r.failures, DriveFailure{
		Drive: pos,
		Err:   fmt.Errorf("drive %d (%s), shard %d: %w", pos, r.obj.s.drives[pos], idx, err),
	})
}

// quorumError explains why block b could not be rebuilt.
func (r *Reader) quorumError(b int64, got int) error {
	errs := make([]error, 0, len(r.failures))
	for _, f := range r.failures {
		errs = append(errs, f.Err)
	}
	return fmt.Errorf("%w: block %d of %s/%s: %d good shards, %d needed: %w",
		ErrReadQuorum, b, r.obj.bucket, r.obj.meta.Key, got, r.codec.data, errors.Join(errs...))
}
