package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Etcd is a Store in etcd, for several control-plane replicas. Documents
// live under prefix + kind + "/" + name; a document's revision is its etcd
// ModRevision, which, like Bolt's counter, never repeats.
type Etcd struct {
	c      *clientv3.Client
	prefix string
}

var _ Store = (*Etcd)(nil)

// OpenEtcd connects to the etcd endpoints and keeps documents under prefix
// (such as "/strata/"). It fails when no endpoint answers within five
// seconds.
func OpenEtcd(ctx context.Context, endpoints []string, prefix string) (*Etcd, error) {
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: connecting to etcd %v: %w", endpoints, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := c.Status(sctx, endpoints[0]); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: etcd at %v does not answer: %w", endpoints, err)
	}
	return &Etcd{c: c, prefix: prefix}, nil
}

// Client returns the etcd client, for leader election over the same
// connection.
func (e *Etcd) Client() *clientv3.Client { return e.c }

// Close closes the connection.
func (e *Etcd) Close() error { return e.c.Close() }

func (e *Etcd) key(kind, name string) string { return e.prefix + kind + "/" + name }

// Get implements Store.
func (e *Etcd) Get(ctx context.Context, kind, name string) (Record, error) {
	resp, err := e.c.Get(ctx, e.key(kind, name))
	if err != nil {
		return Record{}, fmt.Errorf("store: etcd get: %w", err)
	}
	if len(resp.Kvs) == 0 {
		return Record{}, ErrNotFound
	}
	kv := resp.Kvs[0]
	return Record{Kind: kind, Name: name, Value: kv.Value, Revision: kv.ModRevision}, nil
}

// Put implements Store.
func (e *Etcd) Put(ctx context.Context, kind, name string, value []byte,
	want int64) (int64, error) {
	key := e.key(kind, name)
	resp, err := e.c.Txn(ctx).If(e.guard(key, want)...).
		Then(clientv3.OpPut(key, string(value))).Commit()
	if err != nil {
		return 0, fmt.Errorf("store: etcd put: %w", err)
	}
	if !resp.Succeeded {
		return 0, e.why(ctx, key, want, true)
	}
	return resp.Header.Revision, nil
}

// Delete implements Store.
func (e *Etcd) Delete(ctx context.Context, kind, name string, want int64) error {
	key := e.key(kind, name)
	guard := e.guard(key, want)
	if want == AnyRevision {
		guard = []clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(key), ">", 0)}
	}
	resp, err := e.c.Txn(ctx).If(guard...).Then(clientv3.OpDelete(key)).Commit()
	if err != nil {
		return fmt.Errorf("store: etcd delete: %w", err)
	}
	if !resp.Succeeded {
		return e.why(ctx, key, want, false)
	}
	return nil
}

// guard is the comparison a write with revision want needs.
func (e *Etcd) guard(key string, want int64) []clientv3.Cmp {
	switch want {
	case AnyRevision:
		return nil
	case MustNotExist:
		return []clientv3.Cmp{clientv3.Compare(clientv3.CreateRevision(key), "=", 0)}
	default:
		return []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(key), "=", want)}
	}
}

// why tells a failed guard apart, with the same answers as Bolt.
func (e *Etcd) why(ctx context.Context, key string, want int64, put bool) error {
	resp, err := e.c.Get(ctx, key, clientv3.WithCountOnly())
	switch {
	case err != nil:
		return fmt.Errorf("store: etcd get: %w", err)
	case resp.Count == 0 && (!put || want > 0):
		return ErrNotFound
	}
	return ErrConflict
}

// List implements Store.
func (e *Etcd) List(ctx context.Context, kind, prefix, after string, limit int) ([]Record, error) {
	base := e.key(kind, "")
	start := base + max(prefix, after)
	if after >= prefix {
		start += "\x00" // strictly after
	}
	opts := []clientv3.OpOption{
		clientv3.WithRange(clientv3.GetPrefixRangeEnd(base + prefix)),
		clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend),
	}
	if limit > 0 {
		opts = append(opts, clientv3.WithLimit(int64(limit)))
	}
	resp, err := e.c.Get(ctx, start, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: etcd list: %w", err)
	}
	out := make([]Record, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		out = append(out, Record{Kind: kind, Name: string(kv.Key[len(base):]), Value: kv.Value,
			Revision: kv.ModRevision})
	}
	return out, nil
}

var _ Watcher = (*Etcd)(nil)

// Watch implements Watcher.
func (e *Etcd) Watch(ctx context.Context, changed func(kind, name string)) error {
	wch := e.c.Watch(clientv3.WithRequireLeader(ctx), e.prefix, clientv3.WithPrefix())
	for resp := range wch {
		if err := resp.Err(); err != nil {
			return fmt.Errorf("store: etcd watch: %w", err)
		}
		for _, ev := range resp.Events {
			kind, name, ok := strings.Cut(string(ev.Kv.Key[len(e.prefix):]), "/")
			if ok {
				changed(kind, name)
			}
		}
	}
	return ctx.Err()
}
