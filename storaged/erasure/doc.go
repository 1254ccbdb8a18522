// Package erasure stores objects on an erasure set: N drives, each object cut
// into blocks and every block split into D data shards and P parity shards
// (N = D + P) with Reed-Solomon coding from github.com/klauspost/reedsolomon.
// It owns the on-drive layout of objects, block framing and bit-rot checks,
// quorum rules, and the write protocol that keeps partial objects invisible.
// It knows nothing of S3 or of what object metadata means: the object layer
// above gives it a reader and a map of strings and gets them back.
//
// # Layout
//
// A bucket is a volume of the same name on every drive. An object lives in a
// directory named by the hex SHA-256 of its key, so that any key (slashes,
// dots, 1024 bytes) makes a safe, fixed-length path; the key itself is kept
// in the meta file:
//
//	<bucket>/<sha256(key)>/meta                 this drive's metadata
//	<bucket>/<sha256(key)>/<dataDir>/shards     this drive's shard file
//	<bucket>/<sha256(key)>/<dataDir>/part.<n>   or one per part (multipart)
//	<bucket>/.multipart/<uploadID>/upload       an upload in progress
//	<bucket>/.multipart/<uploadID>/part.<nnnnn> one part's meta file
//	<bucket>/.multipart/<uploadID>/<dataDir>/shards  one part's shard file
//	<bucket>/.bucket/<name>                     bucket configuration (tags)
//
// Every write gets a fresh dataDir, so a new version never overwrites the
// bytes of the one that readers may still be using. The system folders
// start with a dot and so never look like an object directory (64 hex
// digits): listings skip them, and a bucket's deletion takes them along.
//
// The meta file is one line "hh256:<hex checksum>" followed by JSON: key,
// size, modification time, dataDir, the erasure geometry (D, P, block size,
// which shard this drive holds, the whole distribution) and the caller's
// metadata. A meta file whose checksum fails counts as a failed drive.
// Upload records and bucket configuration records use the same checksum
// line; every drive holds the same bytes of them, and a read takes the
// content that a read quorum of drives agrees on.
//
// # Multipart uploads
//
// NewUpload writes the upload's record, which fixes the coding of every
// part (the set's geometry and the key's distribution at that time).
// PutPart writes a part exactly as Put writes an object, committing into
// the upload's folder under the upload's lock; a part uploaded again
// replaces the old one. CompleteUpload, under the upload's lock and then
// the object's, renames each chosen part's shard file into a fresh data
// directory of the object and then renames a meta file that lists the
// parts (number, size, metadata) over the object's: the bytes are never
// copied, and the meta rename is the commit point, as for Put. A drive
// that lacks one of the chosen parts takes no part in the commit. If the
// commit misses its quorum, the part files go back into the upload. Once
// committed, the upload's folder is removed. Reads find each part's
// shard file from the meta file, and a range that crosses parts reads
// across their files.
//
// Update replaces the meta file in place (one atomic replace per drive),
// for changes of metadata such as tags that keep the bytes.
//
// # Versions
//
// A key's meta file describes its current version and, in Older, its
// older versions, newest first; each version has its own data directory
// and an ID ("" for the null version). A delete marker is a version without
// data. How a write or delete treats the versions is the caller's
// VersionMode: Unversioned keeps one null version, VersionsEnabled adds a
// version with a fresh ID, VersionsSuspended replaces the null version and
// keeps the others. Because the versions live in one file, every change is
// one staged meta file renamed over the old one, under the object's lock,
// with the same quorum and rollback as any write; drives vote on the whole
// version list, so a drive that missed a change counts as disagreeing.
//
// The shard file is a sequence of records, one per block: a 32-byte hash of
// the shard block followed by the shard block itself. All blocks but the
// last hold BlockSize bytes of the object, so the record of any block is
// found by arithmetic, and a ranged read touches only the records it needs.
//
// # Hash
//
// Shard blocks are checked with HighwayHash-256 under a fixed, public key.
// The threat is bit rot and misdirected writes, not an adversary who can
// write to the drive, so a keyed hash with a public key is as good as a
// cryptographic one here, and on 512 KiB shard blocks
// github.com/minio/highwayhash runs at about 10.5 GB/s per core against
// about 4.2 GB/s for BLAKE3 (github.com/zeebo/blake3) on a machine with
// AVX-512. Every byte is hashed on every read and write, so the faster hash
// wins. The shards of a block all have one length, so they are hashed
// together with storaged/internal/highway, up to eight at a time in one
// AVX-512 loop (about 38 GB/s per core there for four, 58 GB/s for eight),
// which gives the library's sums. Put hashes two blocks at once when a
// block has four shards or fewer.
//
// # Placement
//
// Drive i holds shard (i - start) mod N, where start is a stable hash of
// bucket and key: shard 0 (and so the load of reading data shards) rotates
// across drives from object to object. The distribution is recorded in each
// meta file, so reads never recompute it.
//
// # Quorum
//
// A read needs D drives that agree on the object's metadata and D good
// shards for every block. A write (and a delete, and bucket creation and
// deletion) needs D drives, D+1 when D == P, so that two writes can never
// both hold a quorum. A block whose hash fails, or whose drive fails, is a
// missing shard: it is rebuilt from the others, and the drive is reported
// through Config.OnDegraded so that healing can be queued. Too few good
// shards is ErrReadQuorum, and no byte of that block is ever returned.
//
// # Healing
//
// HealObject checks one key under its lock: every drive's meta file and
// every block of every shard file of every version. It plans first and
// writes nothing when any shard file has fewer good copies than a read
// needs (ErrUnhealable). Otherwise it rebuilds each missing or corrupt
// shard file from the good copies into a temporary file that is synced
// and renamed into place, then writes the quorum's meta file to each drive
// that lacks it or holds a stale or corrupt one, and removes from those
// drives the data directories that no version names any more. A key that
// a quorum no longer holds is removed from the drives that still do, so a
// delete made while a drive was down wins.
//
// A Healer drives healing in the background: a bounded HealQueue fed by
// OnDegraded (full means dropped and counted, never a blocked request), a
// scanner that walks every bucket at a bounded rate in cycles, sweeps
// asked for by an operator, and drive heal jobs that heal every object
// onto a replaced drive, saving a checkpoint (the last object directory
// done) so that a restart resumes, retrying what failed and listing what
// never healed. HealProgress reports all of it.
//
// # Writing
//
// Put reads the body block by block with io.ReadFull, encodes each block and
// writes the records to every drive in parallel, into the drive's staging
// volume; memory stays at about four blocks' records: two units of one or
// two blocks each, one being read and coded while the other is hashed and
// written. Once
// the body ends, each drive's shard file is synced and renamed within the
// staging volume, the meta file is staged beside it, and then, under the
// object's lock, each drive renames the data directory into the object
// directory and renames the meta file over the old one. That last rename is
// the commit point on a drive. If fewer than a write quorum of drives
// commit, the drives that did are rolled back to their previous meta file
// and ErrWriteQuorum is returned; a failure before the commit leaves only
// staging files, which Put removes and which drive.Open removes after a
// crash. The previous version's data directory is removed only after the
// new version holds its quorum.
//
// Removed is not deleted: the data of a replaced or deleted version is
// moved into the staging volume's retired folder and kept there for
// Config.RetireFor (15 minutes by default), so that a read that opened the
// version before the change still finds the shard files it opens later,
// and returns that version whole. See retire.go.
//
// Staged data directories and meta files sit at the top of the staging
// volume, in no folder of their own, so that a commit leaves nothing there
// to remove: on a small write, creating and removing directories costs more
// than the bytes.
//
// # Errors
//
// The package returns its own sentinels (ErrReadQuorum, ErrWriteQuorum,
// ErrObjectNotFound, the bucket errors) and never imports the object layer:
// storaged/object imports this package and maps these sentinels to its own,
// keeping both in the chain for errors.Is.
//
// Locks are per node: striped tables of object, upload and bucket locks
// order commits, deletes and bucket changes inside one process. An upload's
// lock is always taken before an object's. Put and CompleteUpload accept a
// precondition that runs under the object's lock, so a conditional write
// (create-only, or replace-this-version) cannot race another commit of the
// key on this node. When sets span nodes these must become distributed
// locks.
package erasure
