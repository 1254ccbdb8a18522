package pools

import (
	"context"
	"errors"

	"github.com/strata-storage/strata/storaged/object"
)

// presence is what one pool holds of a key, or of one version of it.
type presence struct {
	info   *object.ObjectInfo // the version found; nil when none or a marker
	marker bool               // the version found is a delete marker
	err    error              // the pool's answer when it found no version
}

// holds reports whether the pool holds the key (or version).
func (p presence) holds() bool { return p.info != nil || p.marker }

// failed reports an answer that says nothing about the key: not a
// version, a delete marker, a missing key or a missing bucket.
func (p presence) failed() bool {
	return !p.holds() && p.err != nil && !errors.Is(p.err, object.ErrObjectNotFound) &&
		!errors.Is(p.err, object.ErrVersionNotFound) && !errors.Is(p.err, object.ErrBucketNotFound)
}

// presenceOf turns a head's answer into a presence.
func presenceOf(info object.ObjectInfo, err error) presence {
	var dm *object.DeleteMarkerError
	switch {
	case err == nil:
		return presence{info: &info}
	case errors.As(err, &dm):
		return presence{marker: true, err: err}
	}
	return presence{err: err}
}

// heads asks every pool for the key's latest version, in parallel.
func (l *Layers) heads(ctx context.Context, bucket, key string) []presence {
	out := make([]presence, len(l.pools))
	l.each(func(i int, p object.Layer) error {
		out[i] = presenceOf(p.HeadObject(ctx, bucket, key))
		return nil
	})
	return out
}

// versionHeads asks every pool for one version of the key, in parallel.
func (l *Layers) versionHeads(ctx context.Context, bucket, key, versionID string) []presence {
	out := make([]presence, len(l.pools))
	l.each(func(i int, p object.Layer) error {
		v, err := capability[object.Versioned](p)
		if err != nil {
			out[i] = presence{err: err}
			return nil
		}
		out[i] = presenceOf(v.HeadObjectVersion(ctx, bucket, key, versionID))
		return nil
	})
	return out
}

// failure returns the first answer that says nothing about the key, so
// that a change does not go ahead on a partial view.
func failure(ps []presence) error {
	for _, p := range ps {
		if p.failed() {
			return p.err
		}
	}
	return nil
}

// newest returns the pool whose answer is the key's current state: the
// only holder, or among several (a move cut short) the one with the newest
// version; a delete marker, whose time a head does not tell, loses to a
// version unless its pool is not being decommissioned and the version's
// is. It returns -1 when no pool holds the key.
func (l *Layers) newest(ps []presence) int {
	best := -1
	for i, p := range ps {
		if p.holds() && (best < 0 || l.better(p, i, ps[best], best)) {
			best = i
		}
	}
	return best
}

// better reports whether pool i's answer p beats pool j's answer q.
func (l *Layers) better(p presence, i int, q presence, j int) bool {
	di, dj := l.pools[i].Decommission, l.pools[j].Decommission
	switch {
	case p.info != nil && q.info != nil:
		return p.info.ModTime.After(q.info.ModTime) ||
			p.info.ModTime.Equal(q.info.ModTime) && dj && !di
	case di != dj:
		return dj
	}
	return p.info != nil && q.info == nil
}

// answer returns the newest pool's answer, or, when no pool holds the
// key, the record pool's (a missing key or bucket).
func (l *Layers) answer(ps []presence) (int, object.ObjectInfo, error) {
	i := l.newest(ps)
	if i < 0 {
		if err := failure(ps); err != nil {
			return -1, object.ObjectInfo{}, err
		}
		return -1, object.ObjectInfo{}, ps[l.record].err
	}
	if ps[i].info == nil {
		return i, object.ObjectInfo{}, ps[i].err
	}
	return i, *ps[i].info, nil
}

// target returns the pool a new version of the key goes to: the pool
// that holds it, unless that pool is being decommissioned, else the pool
// with the most free space.
func (l *Layers) target(ctx context.Context, ps []presence) int {
	if i := l.newest(ps); i >= 0 && !l.pools[i].Decommission {
		return i
	}
	return l.mostFree(ctx)
}
