package erasure

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"path"
	"sync"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// PutOptions are the optional inputs of Put.
type PutOptions struct {
	// Metadata, when set, is called once the body has been read to io.EOF
	// and before anything is committed; what it returns is stored with the
	// object. An error from it aborts the write and is returned wrapped.
	Metadata func() (map[string]string, error)
}

// Put stores body as the whole content of bucket/key, replacing any
// previous version once the new one holds a write quorum. It reads body to
// io.EOF; any read error aborts the write and is returned wrapped, and
// nothing is committed. The bucket must exist (else ErrBucketNotFound at
// commit). When too few drives take the write, Put rolls back the ones that
// did and returns an error wrapping ErrWriteQuorum.
func (s *Set) Put(ctx context.Context, bucket, key string, body io.Reader,
	opts PutOptions) (ObjectInfo, error) {
	p, err := s.startPut(ctx, bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer p.cleanup()

	if err := p.stream(body); err != nil {
		return ObjectInfo{}, err
	}
	var md map[string]string
	if opts.Metadata != nil {
		if md, err = opts.Metadata(); err != nil {
			return ObjectInfo{}, fmt.Errorf("erasure: collecting metadata: %w", err)
		}
	}
	if err := p.finishShards(); err != nil {
		return ObjectInfo{}, err
	}
	m, err := p.stageMeta(md)
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := p.commit(); err != nil {
		return ObjectInfo{}, err
	}
	s.report(bucket, key, failures(p.errs))
	return m.info(bucket), nil
}

// putJob is one Put in flight.
type putJob struct {
	s        *Set
	ctx      context.Context
	bucket   string
	key      string
	dir      string // object directory in the bucket volume
	uploadID string // staging directory
	dataDir  string
	dist     []int
	writers  []drive.FileWriter // by drive position; nil once the drive failed
	errs     []error            // by drive position
	size     int64
}

// startPut opens a shard writer in the staging volume of every drive.
func (s *Set) startPut(ctx context.Context, bucket, key string) (*putJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("erasure: writing %s/%s: %w", bucket, key, err)
	}
	p := &putJob{
		s:        s,
		ctx:      ctx,
		bucket:   bucket,
		key:      key,
		dir:      objectDir(key),
		uploadID: rand.Text(),
		dataDir:  rand.Text(),
		dist:     distribution(bucket, key, len(s.drives)),
		writers:  make([]drive.FileWriter, len(s.drives)),
	}
	shards := shardPath(p.uploadID, p.dataDir)
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

// alive counts the drives still taking the write.
func (p *putJob) alive() int { return countOK(p.errs) }

// checkQuorum returns ErrWriteQuorum when too few drives are left.
func (p *putJob) checkQuorum(op string) error {
	if p.alive() >= p.s.WriteQuorum() {
		return nil
	}
	return quorumError(ErrWriteQuorum, op, p.alive(), p.s.WriteQuorum(), p.errs)
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
// records to every drive still taking the write.
func (p *putJob) stream(body io.Reader) error {
	enc, err := p.s.encoder(p.s.data, p.s.parity)
	if err != nil {
		return err
	}
	c := &codec{enc: enc, data: p.s.data, parity: p.s.parity, key: p.s.hashKey}
	block := make([]byte, p.s.blockSize)
	f := newFrames(len(p.s.drives), ceilDiv(int64(p.s.blockSize), int64(p.s.data)))

	for {
		if err := p.ctx.Err(); err != nil {
			return fmt.Errorf("erasure: writing %s/%s: %w", p.bucket, p.key, err)
		}
		n, readErr := io.ReadFull(body, block)
		if readErr != nil && readErr != io.EOF && readErr != io.ErrUnexpectedEOF {
			return fmt.Errorf("erasure: reading body of %s/%s: %w", p.bucket, p.key, readErr)
		}
		if n > 0 {
			if err := p.writeBlock(c, f, block[:n]); err != nil {
				return err
			}
		}
		if readErr != nil {
			return nil // the body ended
		}
	}
}

// writeBlock encodes one block and writes its records in parallel.
func (p *putJob) writeBlock(c *codec, f *frames, block []byte) error {
	if err := c.encode(block, f); err != nil {
		return err
	}
	writeErrs := make([]error, len(p.writers))
	var wg sync.WaitGroup
	for i, w := range p.writers {
		if w == nil {
			continue
		}
		wg.Go(func() {
			_, writeErrs[i] = w.Write(f.recs[p.dist[i]])
		})
	}
	wg.Wait()
	for i, err := range writeErrs {
		if err != nil {
			p.fail(i, err)
		}
	}
	p.size += int64(len(block))
	return p.checkQuorum("writing shards")
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

// stageMeta writes each drive's meta file into the staging volume.
func (p *putJob) stageMeta(md map[string]string) (fileMeta, error) {
	m := fileMeta{
		Version: metaVersion,
		Key:     p.key,
		Size:    p.size,
		ModTime: time.Now().UTC(),
		DataDir: p.dataDir,
		Erasure: erasureMeta{
			Data:         p.s.data,
			Parity:       p.s.parity,
			BlockSize:    int64(p.s.blockSize),
			Distribution: p.dist,
		},
		Metadata: md,
	}
	p.onAlive(func(i int, d Drive) error {
		b, err := encodeMeta(m.forDrive(i), p.s.hashKey)
		if err != nil {
			return err
		}
		return d.WriteFile(p.ctx, drive.StagingVolume, path.Join(p.uploadID, metaFile), b)
	})
	return m, p.checkQuorum("staging metadata")
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
		return d.Delete(ctx, drive.StagingVolume, p.uploadID)
	})
}
