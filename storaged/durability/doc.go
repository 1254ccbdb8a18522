// Package durability holds end-to-end durability tests of multi-node
// storaged tenants. They start real storaged processes (see testcluster),
// write objects through S3, kill nodes with SIGKILL, delete while nodes are
// down, bring nodes back, and check through the surviving nodes that no
// acknowledged write was lost or changed and that nothing partial ever
// became visible.
//
// The package has no code of its own besides its tests; it never talks to
// anything but the processes the tests start.
package durability
