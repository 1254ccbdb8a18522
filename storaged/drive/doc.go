// Package drive owns one storage drive of storaged: a local directory with a
// format file that names the erasure set and the position it belongs to, and
// the file operations the erasure layer builds objects from.
//
// A drive holds volumes (one per bucket) of plain files, plus a system folder
// that no volume name can reach:
//
//	<root>/.strata.sys/format.json   drive ID, set ID, index in the set
//	<root>/.strata.sys/tmp/          temporary files, staging, trash
//	<root>/<volume>/.strata.volume   volume marker with its creation time
//	<root>/<volume>/...              files written by the erasure layer
//
// Every write is atomic: bytes go to a temporary file under .strata.sys/tmp,
// are synced, renamed into place, and the parent directory is synced. Open
// removes whatever an earlier process left under .strata.sys/tmp, so an
// interrupted write never surfaces. StagingVolume names a volume inside that
// temporary area: whatever the erasure layer stages there and never renames
// out is gone after the next Open. For that reason writes, renames and
// deletes inside StagingVolume sync files but no directories; a directory
// renamed out of it into a volume has its whole tree synced on the way.
//
// A drive belongs to one process at a time: Open empties the temporary
// folder, which would destroy the writes of another process in flight.
//
// The package never interprets file contents (shards, metadata): that is the
// erasure layer's job. It never logs; it returns errors that wrap the
// sentinels below so that a remote drive, which will live beside Local and
// speak node-to-node RPC, can return the same ones.
package drive
