package kms

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MasterKeyFile is the master key's file name in the state directory.
//
// TODO: replicas that share no state directory make a master key each and cannot open
// each other's keys.
const MasterKeyFile = "kms-master.key"

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
