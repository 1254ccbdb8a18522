// Package registry is typed access to the control plane's store: it turns
// stored JSON documents into resources (and back), keeps each resource's
// ETag equal to its store revision, and offers the compare-and-swap status
// update that every reconciler uses.
//
// It owns the names under which resources are stored (a tenant's bucket,
// key or tier is stored as "tenant/name") and nothing else: rules about what may be written
// live in the API, and what a resource means lives in the reconcilers.
package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/strata-storage/strata/controlplane/model"
	"github.com/strata-storage/strata/controlplane/store"
)

// Ptr constrains a type parameter to a pointer to a resource type T with
// spec S.
type Ptr[T any, S any] interface {
	*T
	model.Object[S]
}

// ChildKey is the store name of a resource that a tenant owns: a bucket,
// a key or a tier.
func ChildKey(tenant, name string) string { return tenant + "/" + name }

// SplitChildKey splits a store name made by ChildKey.
func SplitChildKey(key string) (tenant, name string) {
	tenant, name, _ = strings.Cut(key, "/")
	return tenant, name
}

// ChildPrefix is the store-name prefix of every resource that a tenant
// owns, for List.
func ChildPrefix(tenant string) string { return tenant + "/" }

// BucketKey is the store name of a tenant's bucket.
func BucketKey(tenant, bucket string) string { return ChildKey(tenant, bucket) }

// SplitBucketKey splits a store name made by BucketKey.
func SplitBucketKey(key string) (tenant, bucket string) { return SplitChildKey(key) }

// ETag renders a store revision as an HTTP entity tag.
func ETag(rev int64) string { return strconv.Quote(strconv.FormatInt(rev, 10)) }

// ParseETag turns an entity tag made by ETag back into a revision.
func ParseETag(etag string) (int64, bool) {
	s, err := strconv.Unquote(strings.TrimPrefix(etag, "W/"))
	if err != nil {
		return 0, false
	}
	rev, err := strconv.ParseInt(s, 10, 64)
	return rev, err == nil && rev > 0
}

// Get loads one resource. It returns store.ErrNotFound when missing.
func Get[T any, S any, P Ptr[T, S]](ctx context.Context, st store.Store, kind,
	name string) (P, int64, error) {
	rec, err := st.Get(ctx, kind, name)
	if err != nil {
		return nil, 0, err
	}
	obj, err := decode[T, S, P](rec)
	return obj, rec.Revision, err
}

// Put stores obj if the stored revision is still want (see store's
// AnyRevision and MustNotExist), and updates obj's ETag.
func Put[T any, S any, P Ptr[T, S]](ctx context.Context, st store.Store, kind,
	name string, obj P, want int64) (int64, error) {
	obj.Meta().ETag = ""
	b, err := json.Marshal(obj)
	if err != nil {
		return 0, fmt.Errorf("registry: encoding %s %s: %w", kind, name, err)
	}
	rev, err := st.Put(ctx, kind, name, b, want)
	if err != nil {
		return 0, err
	}
	obj.Meta().ETag = ETag(rev)
	return rev, nil
}

// List loads up to limit resources of a kind whose store names start with
// prefix and sort after after.
func List[T any, S any, P Ptr[T, S]](ctx context.Context, st store.Store, kind, prefix,
	after string, limit int) ([]P, error) {
	recs, err := st.List(ctx, kind, prefix, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]P, 0, len(recs))
	for _, rec := range recs {
		obj, err := decode[T, S, P](rec)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// Update applies change to the stored resource and writes it back, retrying
// on revision conflicts. change may return ErrNoChange to skip the write.
// It returns the resource as stored.
func Update[T any, S any, P Ptr[T, S]](ctx context.Context, st store.Store, kind,
	name string, change func(P) error) (P, error) {
	for attempt := 0; ; attempt++ {
		obj, rev, err := Get[T, S, P](ctx, st, kind, name)
		if err != nil {
			return nil, err
		}
		if err := change(obj); errors.Is(err, ErrNoChange) {
			return obj, nil
		} else if err != nil {
			return nil, err
		}
		_, err = Put[T, S, P](ctx, st, kind, name, obj, rev)
		if !errors.Is(err, store.ErrConflict) || attempt == 20 {
			return obj, err
		}
	}
}

// ErrNoChange tells Update that nothing needs writing.
var ErrNoChange = errors.New("registry: no change")

func decode[T any, S any, P Ptr[T, S]](rec store.Record) (P, error) {
	obj := P(new(T))
	if err := json.Unmarshal(rec.Value, obj); err != nil {
		return nil, fmt.Errorf("registry: decoding %s %s: %w", rec.Kind, rec.Name, err)
	}
	obj.Meta().ETag = ETag(rec.Revision)
	return obj, nil
}
