package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/strata-storage/strata/storaged/drive"
)

// healPlan is what healing one key must write, found by checking every
// drive before anything is changed.
type healPlan struct {
	// unreachable is, by drive position, why the drive can be neither
	// checked nor written; nil for the drives healing may write to.
	unreachable []error
	// noVolume marks the drives that lack the bucket's volume.
	noVolume []bool
	// metaFix marks the drives whose meta file must be rewritten.
	metaFix []bool
	// fixes are the shard files to rebuild.
	fixes []shardFix
}

// shardFix is one shard file of one version to rebuild on some drives.
type shardFix struct {
	file   string
	geo    geometry
	coding erasureMeta
	// sources are the drives whose copy checked out, targets the drives
	// whose copy is missing or corrupt, by position.
	sources []int
	targets []int
}

// empty reports whether the plan writes nothing.
func (p *healPlan) empty() bool {
	if len(p.fixes) > 0 {
		return false
	}
	for _, fix := range p.metaFix {
		if fix {
			return false
		}
	}
	return true
}

// planHeal checks the meta file and every shard file of every version of
// cur on every drive. It fails, wrapping ErrReadQuorum, when some shard
// file has fewer good copies than a read needs.
func (s *Set) planHeal(ctx context.Context, bucket, dir string, cur *fileMeta, bad,
	errs []error) (*healPlan, error) {
	n := len(s.drives)
	p := &healPlan{unreachable: make([]error, n), noVolume: make([]bool, n),
		metaFix: make([]bool, n)}
	for i, err := range errs {
		switch {
		case !reachable(err):
			p.unreachable[i] = err
		case bad[i] != nil:
			p.metaFix[i] = true
			p.noVolume[i] = errors.Is(err, drive.ErrVolumeNotFound)
		}
	}
	for _, v := range cur.versions() {
		if v.DeleteMarker {
			continue
		}
		for _, seg := range v.segments(dir) {
			fix, err := s.checkSegment(ctx, bucket, seg, v.Erasure, p.unreachable)
			if err != nil {
				return p, err
			}
			if len(fix.targets) > 0 {
				p.fixes = append(p.fixes, fix)
			}
		}
	}
	return p, nil
}

// checkSegment checks one shard file on every reachable drive.
func (s *Set) checkSegment(ctx context.Context, bucket string, seg segment,
	coding erasureMeta, unreachable []error) (shardFix, error) {
	fix := shardFix{file: seg.file, geo: seg.geo, coding: coding}
	errs := s.forEach(func(i int, d Drive) error {
		if unreachable[i] != nil {
			return unreachable[i]
		}
		return s.verifyShardFile(ctx, d, bucket, seg)
	})
	for i, err := range errs {
		switch {
		case err == nil:
			fix.sources = append(fix.sources, i)
		case unreachable[i] == nil:
			fix.targets = append(fix.targets, i)
		}
	}
	if len(fix.sources) < coding.Data {
		return fix, fmt.Errorf("%w: shard file %s: %d good copies, %d needed: %w",
			ErrReadQuorum, seg.file, len(fix.sources), coding.Data, errors.Join(errs...))
	}
	return fix, nil
}

// verifyShardFile reads one drive's shard file of seg whole and checks
// the length and hash of every record.
func (s *Set) verifyShardFile(ctx context.Context, d Drive, bucket string, seg segment) error {
	g := seg.geo
	blocks := g.blocks()
	var end int64
	if blocks > 0 {
		end = g.recordEnd(blocks - 1)
	}
	rc, err := d.ReadRange(ctx, bucket, seg.file, 0, end)
	if err != nil {
		return err
	}
	defer rc.Close()

	c := &codec{key: s.hashKey}
	buf := make([]byte, hashSize+g.shardLen(min(g.blockSize, g.size)))
	for b := range blocks {
		rec := buf[:hashSize+g.shardLen(g.blockLen(b))]
		if _, err := io.ReadFull(rc, rec); err != nil {
			return fmt.Errorf("reading block %d of %s: %w", b, seg.file, err)
		}
		if !c.verify(rec) {
			return fmt.Errorf("block %d of %s: %w", b, seg.file, ErrCorruptShard)
		}
	}
	return nil
}
