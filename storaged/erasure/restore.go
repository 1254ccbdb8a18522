package erasure

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/strata-storage/strata/storaged/drive"
)

// RestoreOptions describe a version that PutVersion stores as it is,
// rather than as a new write: its ID, time and metadata come from another
// set that held it.
type RestoreOptions struct {
	// VersionID is the version's ID; "" is the null version.
	VersionID string
	// ModTime is the version's modification time. Required.
	ModTime time.Time
	// DeleteMarker makes the version a delete marker: it has no body.
	DeleteMarker bool
	// Metadata is stored with the version as Put's metadata is.
	Metadata map[string]string
	// Parts, when set, are the parts of a multipart object in object
	// order: the body is their bytes one after the other, and each part
	// gets a shard file of its own, so that the version reads part by
	// part as it did where it came from. The parts' ModTime is ignored.
	Parts []PartInfo
	// Parity is the version's parity shards, as Put's PutOptions.Parity:
	// 0 for the set's own.
	Parity int
}

// PutVersion stores a version of bucket/key exactly as opts describes it,
// for a version moved from another set: it keeps its ID and modification
// time and takes its place among the key's versions by that time (newest
// first), so that it becomes the current version only if it is the
// newest. A version of the same ID that the key already holds is replaced.
// size is the body's length (0 for a delete marker). The bucket must
// exist. Like Put, it commits on a write quorum of drives or not at all.
func (s *Set) PutVersion(ctx context.Context, bucket, key string, body io.Reader, size int64,
	opts RestoreOptions) (ObjectInfo, error) {
	if opts.ModTime.IsZero() {
		return ObjectInfo{}, fmt.Errorf("erasure: restoring %s/%s: no modification time",
			bucket, key)
	}
	coding, err := s.codingWith(bucket, key, opts.Parity)
	if err != nil {
		return ObjectInfo{}, err
	}
	v := fileMeta{Version: metaVersion, Key: key, ModTime: opts.ModTime.UTC(),
		DataDir: rand.Text(), Erasure: coding, Metadata: opts.Metadata,
		VersionID: opts.VersionID, DeleteMarker: opts.DeleteMarker}
	errs := make([]error, len(s.drives))
	var moves func(int) []move
	newDir := ""
	if !opts.DeleteMarker {
		jobs, err := s.restoreData(ctx, bucket, &v, body, size, opts.Parts)
		for _, p := range jobs {
			defer p.cleanup()
		}
		if err != nil {
			return ObjectInfo{}, err
		}
		errs = joinErrs(jobs)
		moves = restoreMoves(jobs, objectDir(key), v)
		newDir = path.Join(objectDir(key), v.DataDir)
	}
	unlock := s.lockObject(bucket, key)
	defer unlock()
	return s.commitRestored(ctx, bucket, v, moves, newDir, errs)
}

// restoreData writes the version's body into staged shard files: one job
// for an object written whole, one per part for a multipart object. It
// sets v's size and parts.
func (s *Set) restoreData(ctx context.Context, bucket string, v *fileMeta, body io.Reader,
	size int64, parts []PartInfo) ([]*putJob, error) {
	if len(parts) == 0 {
		parts = []PartInfo{{Size: size}}
	}
	var jobs []*putJob
	for _, part := range parts {
		p, err := s.startPut(ctx, bucket, v.Key, v.Erasure)
		if err != nil {
			return jobs, err
		}
		jobs = append(jobs, p)
		if _, err := p.write(io.LimitReader(body, part.Size), nil); err != nil {
			return jobs, err
		}
		if p.size != part.Size {
			return jobs, fmt.Errorf("erasure: restoring %s/%s: body ended after %d of %d bytes",
				bucket, v.Key, p.size, part.Size)
		}
		v.Size += part.Size
		if part.Number > 0 {
			v.Parts = append(v.Parts, partMeta{Number: part.Number, Size: part.Size,
				Metadata: part.Metadata})
		}
	}
	if v.Size != size {
		return jobs, fmt.Errorf("erasure: restoring %s/%s: parts of %d bytes for a body of %d",
			bucket, v.Key, v.Size, size)
	}
	return jobs, nil
}

// joinErrs returns, by drive position, why a drive cannot take the
// restored version: it failed one of the jobs.
func joinErrs(jobs []*putJob) []error {
	errs := make([]error, len(jobs[0].errs))
	for _, p := range jobs {
		for i, err := range p.errs {
			if err != nil && errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// restoreMoves returns the renames that bring the jobs' staged shard
// files into v's data directory in object directory dir: the job's
// directory whole for an object written whole, each part's shard file
// under the part's name otherwise.
func restoreMoves(jobs []*putJob, dir string, v fileMeta) func(int) []move {
	return func(int) []move {
		if len(v.Parts) == 0 {
			return []move{{srcVol: drive.StagingVolume, src: jobs[0].stagedData(),
				dst: path.Join(dir, v.DataDir)}}
		}
		out := make([]move, len(jobs))
		for i, p := range jobs {
			out[i] = move{srcVol: drive.StagingVolume,
				src: path.Join(p.stagedData(), shardFile),
				dst: partShardPath(dir, v.DataDir, v.Parts[i].Number)}
		}
		return out
	}
}

// commitRestored places v among the key's versions and commits the
// result. The caller holds the object's lock.
func (s *Set) commitRestored(ctx context.Context, bucket string, v fileMeta,
	moves func(int) []move, newDir string, errs []error) (ObjectInfo, error) {
	if _, err := s.StatBucket(ctx, bucket); err != nil {
		return ObjectInfo{}, err
	}
	cur, err := s.current(ctx, bucket, v.Key)
	if err != nil {
		return ObjectInfo{}, err
	}
	next := withVersionAt(cur, v)
	errs, err = s.commitObjectMeta(ctx, bucket, next, moves, newDir, errs)
	if err != nil {
		return ObjectInfo{}, err
	}
	s.report(bucket, v.Key, failures(errs))
	info := v.info(bucket)
	info.IsLatest = next.VersionID == v.VersionID && next.DataDir == v.DataDir
	return info, nil
}

// withVersionAt returns the meta file that holds cur's versions (nil
// when the key has none) and v, placed before the first version older
// than it; a version of v's ID is dropped. The others keep their order.
func withVersionAt(cur *fileMeta, v fileMeta) fileMeta {
	v.Older = nil
	var all []fileMeta
	placed := false
	if cur != nil {
		for _, old := range cur.versions() {
			if old.VersionID == v.VersionID {
				continue
			}
			if !placed && old.ModTime.Before(v.ModTime) {
				all, placed = append(all, v), true
			}
			o := *old
			o.Older = nil
			all = append(all, o)
		}
	}
	if !placed {
		all = append(all, v)
	}
	next := all[0]
	next.Older = nil
	if len(all) > 1 {
		next.Older = all[1:]
	}
	return next
}
