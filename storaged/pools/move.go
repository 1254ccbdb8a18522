package pools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/strata-storage/strata/storaged/object"
)

// gather moves every version of the key that pools other than to hold
// (per ps) to pool to, so that the key lives on one pool before a write
// there. The caller holds the key's lock.
func (l *Layers) gather(ctx context.Context, bucket, key string, ps []presence, to int) error {
	for i, p := range ps {
		if i == to || !p.holds() {
			continue
		}
		if _, _, err := l.moveKey(ctx, bucket, key, i, to); err != nil {
			return err
		}
	}
	return nil
}

// moveKey moves every version of the key from pool from to pool to,
// oldest first, and returns how many versions and bytes it moved. The
// caller holds the key's lock.
func (l *Layers) moveKey(ctx context.Context, bucket, key string,
	from, to int) (n int, bytes int64, err error) {
	versions, err := keyVersions(ctx, l.pools[from].Layer, bucket, key)
	if err != nil {
		return 0, 0, err
	}
	for _, v := range slices.Backward(versions) {
		b, err := l.moveVersion(ctx, bucket, key, from, to, v)
		if err != nil {
			return n, bytes, err
		}
		n, bytes = n+1, bytes+b
	}
	return n, bytes, nil
}

// keyVersions lists every version of one key on a pool, newest first:
// through the pool's KeyVersionLister when it has one (it reads the key's
// meta files alone), else through a version listing from the key.
func keyVersions(ctx context.Context, p object.Layer, bucket,
	key string) ([]object.ObjectInfo, error) {
	if kl, ok := p.(object.KeyVersionLister); ok {
		out, err := kl.KeyVersions(ctx, bucket, key)
		if errors.Is(err, object.ErrBucketNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("pools: reading the versions of %s/%s: %w", bucket, key, err)
		}
		return out, nil
	}
	v, err := capability[object.Versioned](p)
	if err != nil {
		return nil, err
	}
	opts := object.ListVersionsOptions{Prefix: key}
	var out []object.ObjectInfo
	for {
		res, err := v.ListObjectVersions(ctx, bucket, opts)
		if errors.Is(err, object.ErrBucketNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("pools: listing the versions of %s/%s: %w", bucket, key, err)
		}
		for _, o := range res.Versions {
			if o.Key != key {
				return out, nil
			}
			out = append(out, o)
		}
		if !res.IsTruncated || res.NextKeyMarker != key {
			return out, nil
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
}

// moveVersion copies one version from pool from to pool to, unless pool
// to already holds it as new, and then deletes it from pool from. It
// returns the bytes it copied. The caller holds the key's lock.
func (l *Layers) moveVersion(ctx context.Context, bucket, key string, from, to int,
	v object.ObjectInfo) (int64, error) {
	src, err := capability[object.Versioned](l.pools[from].Layer)
	if err != nil {
		return 0, err
	}
	dst, err := capability[object.Versioned](l.pools[to].Layer)
	if err != nil {
		return 0, err
	}
	have := presenceOf(dst.HeadObjectVersion(ctx, bucket, key, v.VersionID))
	if have.failed() {
		return 0, fmt.Errorf("pools: moving %s/%s version %s: %w", bucket, key, v.VersionID,
			have.err)
	}
	var moved int64
	if !have.holds() || have.info != nil && have.info.ModTime.Before(v.ModTime) {
		if moved, err = l.copyVersion(ctx, bucket, key, from, to, v); err != nil {
			return 0, fmt.Errorf("pools: moving %s/%s version %s: %w", bucket, key,
				v.VersionID, err)
		}
	}
	if _, err := src.DeleteObjectVersion(ctx, bucket, key, v.VersionID); err != nil {
		return moved, fmt.Errorf("pools: removing moved %s/%s version %s: %w", bucket, key,
			v.VersionID, err)
	}
	return moved, nil
}

// copyVersion restores version v of pool from on pool to.
func (l *Layers) copyVersion(ctx context.Context, bucket, key string, from, to int,
	v object.ObjectInfo) (int64, error) {
	dst, err := capability[object.VersionRestorer](l.pools[to].Layer)
	if err != nil {
		return 0, err
	}
	var body io.Reader = strings.NewReader("")
	if !v.DeleteMarker {
		src, err := capability[object.Versioned](l.pools[from].Layer)
		if err != nil {
			return 0, err
		}
		info, rc, err := src.GetObjectVersion(ctx, bucket, key, v.VersionID, nil)
		if err != nil {
			return 0, err
		}
		defer rc.Close()
		v, body = info, rc
	}
	v.IsLatest = false
	if _, err := l.restore(ctx, dst, to, bucket, key, body, v); err != nil {
		return 0, err
	}
	return v.Size, nil
}

// restore stores the version on pool to, first giving the pool the
// bucket when a pool added to the tenant lacks it yet.
func (l *Layers) restore(ctx context.Context, dst object.VersionRestorer, to int, bucket,
	key string, body io.Reader, v object.ObjectInfo) (object.ObjectInfo, error) {
	cr := &countingReader{r: body}
	info, err := dst.RestoreVersion(ctx, bucket, key, cr, v)
	if errors.Is(err, object.ErrBucketNotFound) && cr.n == 0 && l.syncBucketTo(ctx, bucket, to) {
		return dst.RestoreVersion(ctx, bucket, key, body, v)
	}
	return info, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
