package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/strata-storage/strata/storaged/drive"
)

// HealBuckets makes every bucket that a read quorum of drives hold exist on
// every online drive again, as after a drive was replaced by an empty one.
// Without it, new objects would get no shard on such a drive, and with
// parity many replaced drives a bucket would take no writes at all.
//
// It returns each bucket it created somewhere, and an error naming every
// drive it could not fix. Objects are not healed here.
func (s *Set) HealBuckets(ctx context.Context) ([]string, error) {
	lists := make([][]drive.VolumeInfo, len(s.drives))
	errs := s.forEach(func(i int, d Drive) error {
		var err error
		lists[i], err = d.ListVolumes(ctx)
		return err
	})
	if countOK(errs) < s.ReadQuorum() {
		return nil, quorumError(ErrReadQuorum, "healing buckets", countOK(errs),
			s.ReadQuorum(), errs)
	}
	var healed []string
	var failed []error
	for _, bucket := range s.quorumBuckets(lists) {
		made, err := s.healBucket(ctx, bucket, lists, errs)
		if made {
			healed = append(healed, bucket)
		}
		if err != nil {
			failed = append(failed, err)
		}
		if err := s.healBucketConfigs(ctx, bucket); err != nil {
			failed = append(failed, err)
		}
	}
	return healed, errors.Join(failed...)
}

// healBucketConfigs makes every online drive hold the bucket's
// configuration records (versioning, Object Lock, policy, quota...) as the
// drives agree on them. A drive replaced by an empty one has none; if it
// were left so, a few replacements in turn would leave too few copies for
// a read quorum, and a setting such as versioning would read as never set.
//
// For each record, the content held by the most drives wins when a read
// quorum of drives holds it and fewer drives lack it: it is written to the
// drives that lack it or hold another (an older or a damaged copy). A
// record that a read quorum of drives lacks, and fewer drives hold, was
// removed while the others were away: it is removed from them. Anything
// else (a tie, too few answers) is left for a later pass.
func (s *Set) healBucketConfigs(ctx context.Context, bucket string) error {
	lists := make([][]string, len(s.drives))
	s.forEach(func(i int, d Drive) error {
		var err error
		lists[i], err = d.List(ctx, bucket, configDir)
		return err
	})
	names := map[string]bool{}
	for _, l := range lists {
		for _, name := range l {
			if validName(name) {
				names[name] = true
			}
		}
	}
	var failed []error
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if err := s.healBucketConfig(ctx, bucket, name); err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// healBucketConfig heals one configuration record of the bucket, under the
// lock that PutBucketConfig takes.
func (s *Set) healBucketConfig(ctx context.Context, bucket, name string) error {
	unlock := s.lockObject(bucket, "\x00config\x00"+name)
	defer unlock()
	raw := make([][]byte, len(s.drives))
	valid := make([]error, len(s.drives)) // nil: a well-formed record
	answered := s.forEach(func(i int, d Drive) error {
		b, err := d.ReadFile(ctx, bucket, configPath(name))
		switch {
		case errors.Is(err, drive.ErrFileNotFound):
			valid[i] = err
			return nil
		case err != nil:
			valid[i] = err
			return err
		}
		raw[i] = b
		valid[i] = decodeRecord(b, s.hashKey, &configRecord{})
		return nil
	})
	best, votes := mostCommon(raw, valid)
	absent := 0
	for i := range s.drives {
		if answered[i] == nil && raw[i] == nil {
			absent++
		}
	}
	q := s.ReadQuorum()
	var fix func(i int, d Drive) error
	switch {
	case votes >= q && votes > absent:
		fix = func(i int, d Drive) error {
			if answered[i] != nil || valid[i] == nil && bytes.Equal(raw[i], best) {
				return nil
			}
			return d.WriteFile(ctx, bucket, configPath(name), best)
		}
	case absent >= q && absent > votes:
		fix = func(i int, d Drive) error {
			if answered[i] != nil || raw[i] == nil {
				return nil
			}
			return d.Delete(ctx, bucket, configPath(name))
		}
	default:
		return nil
	}
	var failed []error
	for i, err := range s.forEach(fix) {
		if err != nil {
			failed = append(failed, fmt.Errorf("erasure: healing %s of bucket %s on %s: %w",
				name, bucket, s.drives[i], err))
		}
	}
	return errors.Join(failed...)
}

// quorumBuckets returns, in name order, the buckets that a read quorum of
// the drives' volume lists hold.
func (s *Set) quorumBuckets(lists [][]drive.VolumeInfo) []string {
	seen := map[string]int{}
	for _, vols := range lists {
		for _, v := range vols {
			seen[v.Name]++
		}
	}
	var out []string
	for name, n := range seen {
		if n >= s.ReadQuorum() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// healBucket creates the bucket on each drive that answered the listing
// without it.
func (s *Set) healBucket(ctx context.Context, bucket string, lists [][]drive.VolumeInfo,
	listErrs []error) (bool, error) {
	unlock := s.lockBucket(bucket)
	defer unlock()
	made := false
	var failed []error
	for i, d := range s.drives {
		if listErrs[i] != nil || holds(lists[i], bucket) {
			continue
		}
		err := d.MakeVolume(ctx, bucket)
		switch {
		case err == nil:
			made = true
		case !errors.Is(err, drive.ErrVolumeExists):
			failed = append(failed, fmt.Errorf("erasure: healing bucket %s on %s: %w",
				bucket, d, err))
		}
	}
	return made, errors.Join(failed...)
}

func holds(vols []drive.VolumeInfo, name string) bool {
	for _, v := range vols {
		if v.Name == name {
			return true
		}
	}
	return false
}
