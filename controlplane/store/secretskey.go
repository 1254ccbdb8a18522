package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/strata-storage/strata/internal/atomicfile"
)

// MakeSecretsKeyHint tells a person how to make a secrets key file.
const MakeSecretsKeyHint = "make one with `(umask 077; openssl rand -hex 32 > secrets.key)` " +
	"and give every replica the same file"

// ReadSecretsKey reads a secrets key file: SecretsKeySize raw bytes, or
// twice as many hex digits with an optional trailing newline. A file that
// anyone but its owner may read is refused.
func ReadSecretsKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: secrets key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("store: secrets key %s has mode %04o: run chmod 600 on it",
			path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: secrets key: %w", err)
	}
	if len(b) == SecretsKeySize {
		return b, nil
	}
	key, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(key) != SecretsKeySize {
		return nil, fmt.Errorf("store: secrets key %s holds neither %d bytes nor %d hex "+
			"digits; %s", path, SecretsKeySize, 2*SecretsKeySize, MakeSecretsKeyHint)
	}
	return key, nil
}

// ReadOrCreateSecretsKey reads the secrets key file at path, creating it
// with random bytes and mode 0600 when it does not exist. It is for a
// control plane that keeps its state in a file beside the key.
func ReadOrCreateSecretsKey(path string) ([]byte, error) {
	key, err := ReadSecretsKey(path)
	if !errors.Is(err, os.ErrNotExist) {
		return key, err
	}
	key = make([]byte, SecretsKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("store: making a secrets key: %w", err)
	}
	if err := atomicfile.Write(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("store: writing the secrets key: %w", err)
	}
	return key, nil
}
