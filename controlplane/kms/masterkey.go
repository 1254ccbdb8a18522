package kms

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/strata-storage/strata/controlplane/store"
)

// MasterKeyFile is the master key's file name in the state directory: where
// the master key lives when the store does not seal its values, and where
// a control plane from before sealing kept it.
const MasterKeyFile = "kms-master.key"

// KindMasterKey is the store kind that holds the master key, under the
// name "builtin", in a store that seals its values.
const KindMasterKey = "kmsmaster"

const masterKeyName = "builtin"

// loadOrCreateStoredMasterKey reads the master key from the store. When the
// store has none, it stores the key of the file at legacyPath, if there is
// one, or else a new random key; the first replica to store one wins and
// the others take its key.
func loadOrCreateStoredMasterKey(ctx context.Context, st store.Store,
	legacyPath string) ([]byte, error) {
	for range maxAttempts {
		rec, err := st.Get(ctx, KindMasterKey, masterKeyName)
		if err == nil {
			return checkStoredMasterKey(rec.Value)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("kms: reading the master key: %w", err)
		}
		key, err := legacyOrNewMasterKey(legacyPath)
		if err != nil {
			return nil, err
		}
		_, err = st.Put(ctx, KindMasterKey, masterKeyName, key, store.MustNotExist)
		if err == nil {
			return key, nil
		} else if !errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("kms: storing the master key: %w", err)
		}
	}
	return nil, errors.New("kms: the stored master key kept changing")
}

func checkStoredMasterKey(key []byte) ([]byte, error) {
	if len(key) != masterKeySize {
		return nil, fmt.Errorf("kms: the stored master key holds %d bytes, want %d: restore "+
			"the store from a backup; without it no sealed key can be read", len(key),
			masterKeySize)
	}
	return key, nil
}

// legacyOrNewMasterKey returns the key of the file at path, or a new
// random key when there is no such file.
func legacyOrNewMasterKey(path string) ([]byte, error) {
	key, err := readMasterKey(path)
	if !errors.Is(err, os.ErrNotExist) {
		return key, err
	}
	key = make([]byte, masterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("kms: making master key: %w", err)
	}
	return key, nil
}

// masterKeySize is the size of the master key: an AES-256 key.
const masterKeySize = 32

// ErrMasterKeyExposed means the master key file may be read by someone
// other than its owner.
var ErrMasterKeyExposed = errors.New("kms: the master key file is readable by others")

// loadOrCreateMasterKey reads the master key at path, creating it with
// random bytes and mode 0600 when it does not exist. Two processes that
// race to create it end up with the same key: the file appears at once,
// whole, or not at all.
func loadOrCreateMasterKey(path string) ([]byte, error) {
	key, err := readMasterKey(path)
	if !errors.Is(err, os.ErrNotExist) {
		return key, err
	}
	if err := createMasterKey(path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	return readMasterKey(path)
}

// readMasterKey reads and checks the master key file.
func readMasterKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 on it", ErrMasterKeyExposed,
			path, fi.Mode().Perm())
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kms: reading master key: %w", err)
	}
	if len(key) != masterKeySize {
		return nil, fmt.Errorf("kms: master key %s holds %d bytes, want %d: restore it "+
			"from a backup; without it no sealed key can be read", path, len(key), masterKeySize)
	}
	return key, nil
}

// createMasterKey writes a new random key to a temporary file and links it
// to path, which fails with os.ErrExist when another process was first.
func createMasterKey(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("kms: creating %s: %w", dir, err)
	}
	key := make([]byte, masterKeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("kms: making master key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".kms-master-*")
	if err != nil {
		return fmt.Errorf("kms: writing master key: %w", err)
	}
	defer os.Remove(f.Name())
	err = writeSynced(f, key)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kms: writing master key: %w", err)
	}
	if err := os.Link(f.Name(), path); err != nil {
		return fmt.Errorf("kms: installing master key: %w", err)
	}
	return nil
}

func writeSynced(f *os.File, data []byte) error {
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}
