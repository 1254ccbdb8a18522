package erasure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
	"github.com/strata-storage/strata/storaged/internal/highway"
)

// PutOptions are the optional inputs of Put.
type PutOptions struct {
	// Metadata, when set, is called once the body has been read to io.EOF
	// and before anything is committed; what it returns is stored with the
	// object. An error from it aborts the write and is returned wrapped.
	Metadata func() (map[string]string, error)
	// Precondition, when set, is called under the object's lock just
	// before the commit, with the info of the current version the write
	// would follow (nil when the key holds none, or a delete marker). An
	// error from it aborts the write, is returned wrapped and leaves the
	// key as it was. Because the lock is held, no other commit of the key
	// on this node can come between the check and the write.
	Precondition func(current *ObjectInfo) error
	// Mode is how the bucket keeps versions.
	Mode VersionMode
	// Parity is the number of parity shards of the new version: 0 for the
	// set's own, else 1 to the set's parity (ErrInvalidParity otherwise).
	// The version keeps its geometry: reads, quorum and healing follow it.
	Parity int
}

// ErrInvalidParity means a write asked for a parity outside 1 to the
// set's parity.
var ErrInvalidParity = errors.New("erasure: invalid parity")

// Put stores body as the whole content of bucket/key. The new version
// becomes the current one once it holds a write quorum; the versions it
// replaces (per opts.Mode) are removed then. It reads body to io.EOF; any
// read error aborts the write and is returned wrapped, and nothing is
// committed. The bucket must exist (else ErrBucketNotFound at commit). When
// too few drives take the write, Put rolls back the ones that did and
// returns an error wrapping ErrWriteQuorum.
func (s *Set) Put(ctx context.Context, bucket, key string, body io.Reader,
	opts PutOptions) (ObjectInfo, error) {
	coding, err := s.codingWith(bucket, key, opts.Parity)
	if err != nil {
		return ObjectInfo{}, err
	}
	p, err := s.startPut(ctx, bucket, key, coding)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer p.cleanup()

	v, err := p.write(body, opts.Metadata)
	if err != nil {
		return ObjectInfo{}, err
	}
	v.VersionID = newVersionID(opts.Mode)
	src, dst := p.stagedData(), path.Join(objectDir(key), p.dataDir)
	moves := func(int) []move { return []move{{srcVol: drive.StagingVolume, src: src, dst: dst}} }
	unlock := s.lockObject(bucket, key)
	defer unlock()
	return s.commitVersion(ctx, bucket, v, opts.Precondition, opts.Mode, moves, dst, p.errs)
}

// commitVersion makes v the current version of its key: it checks the
// precondition against the current version, merges v into the key's
// versions per mode, and commits the result on the drives whose errs entry
// is nil. The caller holds the object's lock.
func (s *Set) commitVersion(ctx context.Context, bucket string, v fileMeta,
	pre func(*ObjectInfo) error, mode VersionMode, moves func(int) []move, newDir string,
	errs []error) (ObjectInfo, error) {
	cur, err := s.current(ctx, bucket, v.Key)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := checkPrecondition(bucket, v.Key, cur, pre); err != nil {
		return ObjectInfo{}, err
	}
	next := withVersion(cur, v, mode)
	errs, err = s.commitObjectMeta(ctx, bucket, next, moves, newDir, errs)
	if err != nil {
		return ObjectInfo{}, err
	}
	s.report(bucket, v.Key, failures(errs))
	info := v.info(bucket)
	info.IsLatest = true
	return info, nil
}

// coding returns how a new object of bucket/key is coded on this set.
func (s *Set) coding(bucket, key string) erasureMeta {
	return erasureMeta{
		Data:         s.data,
		Parity:       s.parity,
		BlockSize:    int64(s.blockSize),
		Distribution: distribution(bucket, key, len(s.drives)),
	}
}

// codingWith returns how a new object of bucket/key is coded with parity
// shards, or with the set's parity when parity is 0.
func (s *Set) codingWith(bucket, key string, parity int) (erasureMeta, error) {
	e := s.coding(bucket, key)
	switch {
	case parity == 0:
		return e, nil
	case parity < 1 || parity > s.parity:
		return e, fmt.Errorf("%w: %d parity shards asked for %s/%s; use 1 to %d",
			ErrInvalidParity, parity, bucket, key, s.parity)
	case s.blockSize < len(s.drives)-parity:
		return e, fmt.Errorf("%w: block size %d is smaller than the %d data shards of "+
			"parity %d", ErrInvalidParity, s.blockSize, len(s.drives)-parity, parity)
	}
	if _, err := s.encoder(len(s.drives)-parity, parity); err != nil {
		return e, err
	}
	e.Data, e.Parity = len(s.drives)-parity, parity
	return e, nil
}

// current returns the key's meta file as a read quorum of drives holds
// it, or nil when the key has none. The caller holds the object's lock.
func (s *Set) current(ctx context.Context, bucket, key string) (*fileMeta, error) {
	metas, errs := s.readMetas(ctx, bucket, objectDir(key))
	m, _, err := s.pickMeta(metas, errs)
	switch {
	case errors.Is(err, ErrObjectNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("erasure: reading the current version of %s/%s: %w",
			bucket, key, err)
	}
	return m, nil
}

// checkPrecondition calls fn, when set, with the current version of the
// key: nil when there is none or it is a delete marker.
func checkPrecondition(bucket, key string, cur *fileMeta, fn func(*ObjectInfo) error) error {
	if fn == nil {
		return nil
	}
	var info *ObjectInfo
	if cur != nil && !cur.DeleteMarker {
		i := cur.info(bucket)
		info = &i
	}
	if err := fn(info); err != nil {
		return fmt.Errorf("erasure: precondition of %s/%s: %w", bucket, key, err)
	}
	return nil
}

// putJob is one erasure-coded write in flight: an object's whole body or
// one part of an upload.
type putJob struct {
	s         *Set
	ctx       context.Context
	bucket    string
	key       string
	coding    erasureMeta
	part      int    // the part number of an upload part; 0 for an object
	stagingID string // names the job's files in the staging volume
	dataDir   string
	writers   []drive.FileWriter // by drive position; nil when failed or done
	errs      []error            // by drive position
	size      int64
}

// startPut opens a shard file in the staging volume of every drive. It
// fails with ErrWriteQuorum when too few drives can take the write.
func (s *Set) startPut(ctx context.Context, bucket, key string,
	coding erasureMeta) (*putJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("erasure: writing %s/%s: %w", bucket, key, err)
	}
	p := &putJob{
		s:         s,
		ctx:       ctx,
		bucket:    bucket,
		key:       key,
		coding:    coding,
		stagingID: rand.Text(),
		dataDir:   rand.Text(),
		writers:   make([]drive.FileWriter, len(s.drives)),
	}
	shards := path.Join(p.stagedData(), shardFile)
	p.errs = s.forEach(func(i int, d Drive) error {
		var err error
		p.writers[i], err = d.CreateFile(ctx, drive.StagingVolume, shards)
		return err
	})
	if err := p.checkQuorum("opening shard files"); err != nil {
		p.cleanup()
		return nil, err
	}
	return p, nil
}

// write streams body into the shard files and syncs them, and returns the
// meta file that describes them. metadata, when set, gives the caller's
// metadata once the body has ended.
func (p *putJob) write(body io.Reader,
	metadata func() (map[string]string, error)) (fileMeta, error) {
	if err := p.stream(body); err != nil {
		return fileMeta{}, err
	}
	var md map[string]string
	if metadata != nil {
		var err error
		if md, err = metadata(); err != nil {
			return fileMeta{}, fmt.Errorf("erasure: collecting metadata: %w", err)
		}
	}
	if err := p.finishShards(); err != nil {
		return fileMeta{}, err
	}
	m := fileMeta{
		Version:  metaVersion,
		Key:      p.key,
		Size:     p.size,
		ModTime:  time.Now().UTC(),
		DataDir:  p.dataDir,
		Erasure:  p.coding,
		Metadata: md,
		Part:     p.part,
	}
	return m, nil
}

// alive counts the drives still taking the write.
func (p *putJob) alive() int { return countOK(p.errs) }

// checkQuorum returns ErrWriteQuorum when too few drives are left.
func (p *putJob) checkQuorum(op string) error {
	need := writeQuorum(p.coding.Data, p.coding.Parity)
	if p.alive() >= need {
		return nil
	}
	return quorumError(ErrWriteQuorum, op, p.alive(), need, p.errs)
}

// fail records a drive's failure and drops its writer.
func (p *putJob) fail(i int, err error) {
	p.errs[i] = fmt.Errorf("drive %d (%s): %w", i, p.s.drives[i], err)
	if p.writers[i] != nil {
		_ = p.writers[i].Abort()
		p.writers[i] = nil
	}
}

// stream reads body block by block, encodes each block and writes its
// records to every drive still taking the write. Each block is read
// straight into its data shards. Blocks go in units: two blocks when a
// block has at most half as many shards as highway.Sums hashes at once,
// else one, so that a pass of the hash loop is as full as it can be. Two
// units are in flight: while one unit's records are hashed and written,
// the next is read and its parity computed, so that reading and coding
// overlap with hashing and the drives' writes.
func (p *putJob) stream(body io.Reader) error {
	e := p.coding
	enc, err := p.s.encoder(e.Data, e.Parity)
	if err != nil {
		return err
	}
	c := &codec{enc: enc, data: e.Data, parity: e.Parity, key: p.s.hashKey}
	perUnit := 1
	if 2*len(p.s.drives) <= highway.Width {
		perUnit = 2
	}
	var units [2]*unit
	for k := range units {
		units[k] = newUnit(perUnit, len(p.s.drives), ceilDiv(e.BlockSize, int64(e.Data)))
	}
	var pending *blockWrite
	for k := 0; ; k ^= 1 {
		if err := p.ctx.Err(); err != nil {
			return errors.Join(pending.wait(), fmt.Errorf("erasure: writing %s/%s: %w",
				p.bucket, p.key, err))
		}
		u := units[k]
		ended, err := p.fillUnit(c, u, body)
		if err != nil {
			return errors.Join(pending.wait(), err)
		}
		if err := pending.wait(); err != nil {
			return err
		}
		pending = nil
		if u.blocks > 0 {
			pending = p.startWrites(c, u)
		}
		if ended {
			return pending.wait()
		}
	}
}

// fillUnit reads the unit's blocks from body and computes their parity. It
// reports whether the body ended; a unit that holds no block then is
// empty.
func (p *putJob) fillUnit(c *codec, u *unit, body io.Reader) (ended bool, err error) {
	u.blocks = 0
	for u.blocks < len(u.frames) {
		f := u.frames[u.blocks]
		n, readErr := c.fill(body, f, p.coding.BlockSize)
		if readErr != nil && readErr != io.EOF && readErr != io.ErrUnexpectedEOF {
			return false, fmt.Errorf("erasure: reading body of %s/%s: %w", p.bucket, p.key,
				readErr)
		}
		if n > 0 {
			if err := c.encodeParity(f); err != nil {
				return false, err
			}
			u.sizes[u.blocks] = n
			u.blocks++
		}
		if readErr != nil { // the body ended
			return true, nil
		}
	}
	return false, nil
}

// unit is the blocks that the write stage of Put hashes and writes
// together.
type unit struct {
	frames []*frames
	sizes  []int64 // the length of each block held
	blocks int     // how many of frames hold a block
}

// newUnit allocates a unit of n blocks of total shards of at most
// maxShard bytes each.
func newUnit(n, total int, maxShard int64) *unit {
	u := &unit{sizes: make([]int64, n)}
	for range n {
		u.frames = append(u.frames, newFrames(total, maxShard))
	}
	return u
}

// blockWrite is one unit's records on their way to the drives.
type blockWrite struct {
	p    *putJob
	done chan struct{}
	errs []error
	size int64
}

// startWrites hashes the records of u, whose parity is computed, and
// writes them to every drive still taking the write, in parallel, each
// drive's records in block order. It returns without waiting.
func (p *putJob) startWrites(c *codec, u *unit) *blockWrite {
	b := &blockWrite{p: p, done: make(chan struct{}), errs: make([]error, len(p.writers))}
	for _, n := range u.sizes[:u.blocks] {
		b.size += n
	}
	go func() {
		defer close(b.done)
		c.sumRecords(u.frames[:u.blocks]...)
		var wg sync.WaitGroup
		for i, w := range p.writers {
			if w == nil {
				continue
			}
			idx := p.coding.Distribution[i]
			wg.Go(func() {
				for _, f := range u.frames[:u.blocks] {
					if _, b.errs[i] = w.Write(f.recs[idx]); b.errs[i] != nil {
						return
					}
				}
			})
		}
		wg.Wait()
	}()
	return b
}

// wait waits for the writes, drops the drives that failed and returns
// ErrWriteQuorum when too few are left. A nil b has nothing to wait for.
func (b *blockWrite) wait() error {
	if b == nil {
		return nil
	}
	<-b.done
	for i, err := range b.errs {
		if err != nil {
			b.p.fail(i, err)
		}
	}
	b.p.size += b.size
	return b.p.checkQuorum("writing shards")
}

// finishShards commits every shard file inside the staging volume.
func (p *putJob) finishShards() error {
	commitErrs := make([]error, len(p.writers))
	var wg sync.WaitGroup
	for i, w := range p.writers {
		if w == nil {
			continue
		}
		wg.Go(func() { commitErrs[i] = w.Commit() })
	}
	wg.Wait()
	for i, err := range commitErrs {
		p.writers[i] = nil // committed or failed: nothing left to abort
		if err != nil {
			p.fail(i, err)
		}
	}
	return p.checkQuorum("syncing shard files")
}

// stageMeta writes each drive's copy of m into the staging volume.
func (p *putJob) stageMeta(m fileMeta) error {
	p.onAlive(func(i int, d Drive) error {
		b, err := encodeMeta(m.forDrive(i), p.s.hashKey)
		if err != nil {
			return err
		}
		return d.WriteFile(p.ctx, drive.StagingVolume, p.stagedMeta(), b)
	})
	return p.checkQuorum("staging metadata")
}

// commitJob returns the commit that moves the staged data directory into
// dstDir and the staged meta file to metaAt, both in the bucket volume.
// dropDir names the data directory of a version that the commit replaces.
func (p *putJob) commitJob(metaAt, dstDir string, dropDir func(old *fileMeta) string) *commitJob {
	dropDirs := func(old *fileMeta) []string {
		if old.DataDir == p.dataDir {
			return nil
		}
		return []string{dropDir(old)}
	}
	src := p.stagedData()
	dst := path.Join(dstDir, p.dataDir)
	return &commitJob{
		s:          p.s,
		ctx:        context.WithoutCancel(p.ctx),
		bucket:     p.bucket,
		what:       p.bucket + "/" + p.key,
		metaPath:   metaAt,
		stagedMeta: p.stagedMeta(),
		newDir:     dst,
		moves: func(int) []move {
			return []move{{srcVol: drive.StagingVolume, src: src, dst: dst}}
		},
		dropDirs: dropDirs,
		errs:     p.errs,
		quorum:   writeQuorum(p.coding.Data, p.coding.Parity),
	}
}

// onAlive runs fn in parallel on the drives still taking the write and
// records their failures.
func (p *putJob) onAlive(fn func(i int, d Drive) error) {
	errs := p.s.forEach(func(i int, d Drive) error {
		if p.errs[i] != nil {
			return nil
		}
		return fn(i, d)
	})
	for i, err := range errs {
		if err != nil {
			p.errs[i] = err
		}
	}
}

// cleanup aborts open writers and removes the staging directory from every
// drive. It runs even when the request's context is canceled.
func (p *putJob) cleanup() {
	for i, w := range p.writers {
		if w != nil {
			_ = w.Abort()
			p.writers[i] = nil
		}
	}
	ctx := context.WithoutCancel(p.ctx)
	p.s.forEach(func(_ int, d Drive) error {
		return errors.Join(
			d.Delete(ctx, drive.StagingVolume, p.stagedData()),
			d.Delete(ctx, drive.StagingVolume, p.stagedMeta()))
	})
}

// stagedData is the job's data directory in the staging volume, at its
// top: the commit renames it whole to the version's data directory, so
// after a commit nothing is left to remove. A folder around it would cost
// a directory to create and one to remove on every drive, on every write.
func (p *putJob) stagedData() string { return p.stagingID }

// stagedMeta is where an upload part stages its meta file, beside its
// data directory.
func (p *putJob) stagedMeta() string { return p.stagingID + "." + metaFile }
