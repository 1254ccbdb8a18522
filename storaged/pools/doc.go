// Package pools is the object layer of a tenant whose storage grows by
// pools: it implements object.Layer, and the optional capabilities that
// storaged/sets implements, over one object.Layer per pool (each a
// *sets.Layers in storaged). It owns where an object goes among the pools
// and the drain that empties a pool being decommissioned; it never logs.
//
// The rules:
//
//   - With one pool every call goes straight to it, with no added call.
//   - Buckets exist on every pool. A bucket's documents (policy, CORS,
//     tags, versioning, Object Lock, lifecycle, quota) are written to
//     every pool, the record pool last, and read from the record pool:
//     the first pool not being decommissioned. Sync puts the buckets and
//     their documents on a pool added to a running tenant.
//   - A write to a key goes to the pool that holds the key (any version
//     or delete marker), unless that pool is being decommissioned; else to
//     the pool, not being decommissioned, with the most free space on its
//     drives (measured at most every SpaceTTL). Before the write, versions
//     of the key on other pools are moved to the pool written to, so that
//     a key's versions live on one pool whenever no change of it is in
//     flight. A write never goes to a pool being decommissioned, except
//     the parts of an upload started there; its completion then moves the
//     object off it.
//   - Reads of the latest version ask every pool in parallel and take the
//     newest; reads by version ID ask every pool for that version. A
//     delete without a version ID in a bucket without versioning removes
//     the key from every pool. A write's Precondition sees the object
//     across pools, since the key's versions are gathered first.
//   - Listings merge the pools' pages in key order and never skip or
//     repeat an entry; a version found on two pools (a move cut short)
//     is listed once.
//   - A change of a key holds a lock on a name of its own (".pools/"
//     bucket "/" key) across the tenant's nodes before it picks the pool,
//     and the pool's layer then takes its own locks: the order is always
//     pools first, then sets, so the two never deadlock.
//
// Drain moves every version and delete marker of a decommissioning pool,
// oldest first, to the pool the rules pick, keeping version IDs,
// modification times, ETags, metadata, checksums, tags, lock settings and
// a multipart object's parts (through object.VersionRestorer), and
// removes it from the pool being drained, one key at a time under the
// key's lock. It is restartable: a pass walks what is left.
package pools
