// Package kms holds the control plane's key backends: where the key
// material of a tenant's Keys lives and how it is rotated.
//
// The built-in backend (Builtin) keeps a 32-byte master key, made with
// random bytes when a key first needs it. In a store that seals its values
// with the secrets key (store.Seal, as strata-controlplane serve opens it)
// the master key is a record of that store, kind kmsmaster: sealed by the
// secrets key, so every replica that shares the store and the secrets key
// uses the same master key and opens every key, and none keeps it in a
// file. With a store that does not seal, the master key stays in the file
// kms-master.key of the state directory, mode 0600, refused when anyone
// but its owner may read it (the keys then report the error until the
// mode is fixed).
//
// Migration: a control plane from before sealing kept the master key in
// kms-master.key. The first replica to start with a sealed store stores
// that file's key as the shared master key, so existing material keeps
// opening everywhere. A replica whose file holds another key (replicas
// that shared an etcd but no state directory each made their own) still
// opens what its file sealed, while the file stays; other replicas cannot
// open that material, and a new version (raise the key's rotation
// generation) is sealed under the shared key.
// Every key version is 32 random bytes, sealed with AES-256-GCM under the
// master key and bound (as additional data) to the key's UID and version
// number, so that sealed material cannot be swapped between keys or
// versions. The sealed versions of a key are stored in the control plane's
// store under their own kind, keymaterial, named like the key
// ("tenant/key"): never in the Key resource, whose status shows only how
// many versions exist and when the newest was made.
//
// A key gets a new version when it has none, when its rotation generation
// was raised past the one of the newest version, and when its rotation
// period has passed since the newest version was made. Old versions are
// kept so that what they encrypted stays readable; deleting a key deletes
// all its material.
//
// Losing the master key (the secrets key with the store, or the file)
// loses every key: back it up with state.db.
//
// The package never logs and never returns key material except through
// Builtin.Material, for the code that encrypts with it. A Vault Transit
// backend will sit beside Builtin; it is not built yet.
package kms
