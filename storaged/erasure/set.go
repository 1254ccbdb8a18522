package erasure

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/klauspost/reedsolomon"

	"github.com/strata-storage/strata/storaged/drive"
)

// DefaultBlockSize is how many bytes of an object one block holds when
// Config.BlockSize is zero.
const DefaultBlockSize = 1 << 20

// maxBlockSize bounds Config.BlockSize, and so the memory of one request.
const maxBlockSize = 64 << 20

// lockStripes is the number of object locks and of bucket locks a set keeps;
// names hash onto them, so unrelated names sometimes share one.
const lockStripes = 256

// Config describes an erasure set. Drives and Parity are required.
type Config struct {
	// Drives are the set's drives; their order is the set's layout and
	// must never change (drive.Format records each drive's position).
	Drives []Drive
	// Parity is P, the number of parity shards: 0 <= P <= len(Drives)/2.
	// Data shards are D = len(Drives) - P.
	Parity int
	// BlockSize is the number of object bytes per block;
	// DefaultBlockSize when zero.
	BlockSize int
	// OnDegraded, when set, is told about every object served or written
	// while some of its drives failed, so that healing can be queued. It is
	// called synchronously from the request and must return quickly.
	OnDegraded func(Degraded)
	// RetireFor is how long the data of a removed version is kept for
	// reads that opened it before the removal (see retire.go);
	// DefaultRetireFor when zero.
	RetireFor time.Duration
}

// Degraded names the drives that failed while one object was read or
// written. The operation itself succeeded from the other drives.
type Degraded struct {
	Bucket   string
	Key      string
	Failures []DriveFailure
}

// DriveFailure is one drive's failure on one object.
type DriveFailure struct {
	// Drive is the drive's position in Config.Drives.
	Drive int
	Err   error
}

// Set is an erasure set. Its methods are safe for concurrent use.
type Set struct {
	drives     []Drive
	data       int
	parity     int
	blockSize  int
	onDegraded func(Degraded)
	hashKey    []byte

	encMu    sync.Mutex
	encoders map[[2]int]reedsolomon.Encoder

	objectLocks [lockStripes]sync.RWMutex
	bucketLocks [lockStripes]sync.RWMutex
	uploadLocks [lockStripes]sync.Mutex

	retireFor time.Duration
	now       func() time.Time // the clock of retired data; tests set it
	retireMu  sync.Mutex
	// By drive position: the last purge of retired data, and whether the
	// drive was short of space then.
	purgedAt     []time.Time
	shortOfSpace []bool
}

// New validates cfg and returns the set it describes.
func New(cfg Config) (*Set, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Set{
		drives:       append([]Drive(nil), cfg.Drives...),
		parity:       cfg.Parity,
		data:         len(cfg.Drives) - cfg.Parity,
		blockSize:    cfg.BlockSize,
		onDegraded:   cfg.OnDegraded,
		hashKey:      []byte(hashKey),
		retireFor:    cfg.RetireFor,
		now:          time.Now,
		purgedAt:     make([]time.Time, len(cfg.Drives)),
		shortOfSpace: make([]bool, len(cfg.Drives)),
		encoders:     map[[2]int]reedsolomon.Encoder{},
	}
	if s.blockSize == 0 {
		s.blockSize = DefaultBlockSize
	}
	if s.retireFor == 0 {
		s.retireFor = DefaultRetireFor
	}
	if _, err := s.encoder(s.data, s.parity); err != nil {
		return nil, err
	}
	return s, nil
}

// validate checks a Config.
func (c Config) validate() error {
	n := len(c.Drives)
	switch {
	case n == 0:
		return errors.New("erasure: a set needs at least one drive")
	case n > 256:
		return fmt.Errorf("erasure: %d drives in one set, at most 256", n)
	case c.Parity < 0 || c.Parity > n/2:
		return fmt.Errorf("erasure: parity %d with %d drives; it must be between 0 and %d",
			c.Parity, n, n/2)
	case c.BlockSize < 0 || c.BlockSize > maxBlockSize:
		return fmt.Errorf("erasure: block size %d; it must be between 1 and %d, or 0 for %d",
			c.BlockSize, maxBlockSize, DefaultBlockSize)
	case c.BlockSize != 0 && c.BlockSize < n-c.Parity:
		return fmt.Errorf("erasure: block size %d is smaller than the %d data shards",
			c.BlockSize, n-c.Parity)
	}
	for i, d := range c.Drives {
		if d == nil {
			return fmt.Errorf("erasure: drive %d is nil", i)
		}
	}
	return nil
}

// DataShards returns D.
func (s *Set) DataShards() int { return s.data }

// ParityShards returns P.
func (s *Set) ParityShards() int { return s.parity }

// ReadQuorum returns how many drives a read needs: D.
func (s *Set) ReadQuorum() int { return s.data }

// WriteQuorum returns how many drives a write needs: D, or D+1 when D == P.
func (s *Set) WriteQuorum() int { return writeQuorum(s.data, s.parity) }

func writeQuorum(data, parity int) int {
	if data == parity {
		return data + 1
	}
	return data
}

// encoder returns the shared Reed-Solomon encoder for a geometry. Encoders
// are safe for concurrent use.
func (s *Set) encoder(data, parity int) (reedsolomon.Encoder, error) {
	s.encMu.Lock()
	defer s.encMu.Unlock()
	if enc, ok := s.encoders[[2]int{data, parity}]; ok {
		return enc, nil
	}
	enc, err := reedsolomon.New(data, parity)
	if err != nil {
		return nil, fmt.Errorf("erasure: creating a %d+%d encoder: %w", data, parity, err)
	}
	s.encoders[[2]int{data, parity}] = enc
	return enc, nil
}

// lockObject takes the locks a commit or delete of one object needs: its
// bucket shared, the object exclusive. It returns the unlock function.
func (s *Set) lockObject(bucket, key string) func() {
	b := &s.bucketLocks[stripe(bucket)]
	o := &s.objectLocks[stripe(bucket, key)]
	b.RLock()
	o.Lock()
	return func() {
		o.Unlock()
		b.RUnlock()
	}
}

// lockObjectHeld takes an object's lock for a caller that already holds
// its bucket's lock shared. It returns the unlock function.
func (s *Set) lockObjectHeld(bucket, key string) func() {
	o := &s.objectLocks[stripe(bucket, key)]
	o.Lock()
	return o.Unlock
}

// lockUpload takes the locks a change to one upload needs: its bucket
// shared, the upload exclusive. An upload's lock is always taken before an
// object's, never after. It returns the unlock function.
func (s *Set) lockUpload(bucket, uploadID string) func() {
	b := &s.bucketLocks[stripe(bucket)]
	u := &s.uploadLocks[stripe(bucket, uploadID)]
	b.RLock()
	u.Lock()
	return func() {
		u.Unlock()
		b.RUnlock()
	}
}

// lockBucketShared takes a bucket's lock shared, so that the bucket is
// not deleted meanwhile. It returns the unlock function.
func (s *Set) lockBucketShared(bucket string) func() {
	b := &s.bucketLocks[stripe(bucket)]
	b.RLock()
	return b.RUnlock
}

// lockBucket takes a bucket's lock exclusively, which waits for the
// commits and deletes in flight in it. It returns the unlock function.
func (s *Set) lockBucket(bucket string) func() {
	b := &s.bucketLocks[stripe(bucket)]
	b.Lock()
	return b.Unlock
}

// stripe hashes names onto a lock.
func stripe(names ...string) int {
	h := fnv.New32a()
	for _, n := range names {
		_, _ = h.Write([]byte(n))
		_, _ = h.Write([]byte{0})
	}
	return int(h.Sum32() % lockStripes)
}

// report tells OnDegraded about failed drives, if there are any.
func (s *Set) report(bucket, key string, failures []DriveFailure) {
	if s.onDegraded == nil || len(failures) == 0 {
		return
	}
	s.onDegraded(Degraded{Bucket: bucket, Key: key, Failures: failures})
}

// DriveUsage is the space of one drive, or why it could not be read.
type DriveUsage struct {
	Drive string
	drive.DiskInfo
	Err error
}

// Usage returns the space of every drive, in set order.
func (s *Set) Usage(ctx context.Context) []DriveUsage {
	out := make([]DriveUsage, len(s.drives))
	s.forEach(func(i int, d Drive) error {
		info, err := d.DiskInfo(ctx)
		out[i] = DriveUsage{Drive: d.String(), DiskInfo: info, Err: err}
		return err
	})
	return out
}
