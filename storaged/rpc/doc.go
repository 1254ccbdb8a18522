// Package rpc is storaged's node-to-node drive RPC: it lets an erasure set
// use the drives of other nodes as if they were local. A Handler serves a
// node's local drives over HTTPS; a Peer is the client side for one other
// node, and each of its RemoteDrive values implements erasure.Drive for one
// drive of that node, so the erasure layer's quorum logic works unchanged.
//
// # Transport and authentication
//
// The RPC shares the node's HTTPS port with the S3 API under PathPrefix.
// Every request must come over TLS with a client certificate that chains to
// the tenant's CA and names a node of the tenant (its common name or one of
// its DNS names): the handler checks both itself, whatever the listener's
// ClientAuth setting, and answers 403 otherwise. The client checks the
// server the same way: its certificate must chain to the tenant's CA and
// name the node the client means to reach. S3 clients, which present no
// certificate, never reach the handler.
//
// # Wire format
//
// One HTTP/1.1 request per drive operation: the operation is the last path
// element, the drive and the operation's arguments are query parameters.
// Small results are JSON; file contents are raw bytes. CreateFile streams
// the file as a chunked request body and commits only when the body ends
// cleanly with a Strata-Commit trailer that carries the number of bytes
// sent: an aborted or broken upload never commits. ReadRange streams the
// range as the response body with its exact Content-Length. Nothing is
// buffered whole on either side except ReadFile and WriteFile, whose
// contents the Drive interface hands over as one slice anyway.
//
// Errors travel as a status and a JSON body {"code", "message"}; the code
// names one of the drive package's sentinels (drive.ErrFileNotFound and the
// others), which the client wraps again, so errors.Is works across nodes.
//
// # Failures
//
// A peer that cannot be reached (refused or timed-out connection, failed
// handshake, broken stream, a stream that stalls) makes every drive of it
// fail with drive.ErrDriveOffline. Once a peer failed other than by
// refusing the connection, calls fail at once for RetryInterval, then one
// call is let through to try again, so that a dead or hung machine costs
// its drives no connect timeout per request and a node that comes back is
// used again within RetryInterval. A refused connection costs nothing, so
// it is simply tried again on the next call: a node that is starting, or
// restarting on its port, is used as soon as it listens.
//
// # Namespace locks
//
// Every node of a tenant serves every object, so changes made through
// different nodes must be ordered across them. Each node keeps a LockTable,
// served over the same RPC (lock and unlock); a Locker takes a lock on a
// majority of the nodes, shared or exclusive, renews it while it is held
// and releases it after. Holds expire when their holder stops renewing
// them, so a node that dies holding a lock does not keep it.
//
// The package never logs. It keeps no state outside the values it returns.
package rpc
