package erasure

import (
	"context"
	"errors"
	"fmt"
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
	}
	return healed, errors.Join(failed...)
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
