package kms

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
)

// sealer seals and unseals key material under the master key with
// AES-256-GCM. Sealed data is the 12-byte nonce followed by the
// ciphertext and its tag. It is safe for concurrent use.
type sealer struct {
	aead cipher.AEAD
}

// ErrUnseal means sealed material could not be opened: it was sealed under
// another master key, for another key or version, or it was changed.
var ErrUnseal = errors.New("kms: sealed key material does not open under this master key")

func newSealer(masterKey []byte) (*sealer, error) {
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, fmt.Errorf("kms: master key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("kms: master key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// boundTo is the additional data that ties sealed material to one version
// of one key incarnation.
func boundTo(keyUID string, version int) []byte {
	return []byte("strata-kms-v1\x00" + keyUID + "\x00" + strconv.Itoa(version))
}

// seal encrypts plaintext bound to aad.
func (s *sealer) seal(plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("kms: making nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, plaintext, aad), nil
}

// unseal decrypts what seal made with the same aad.
func (s *sealer) unseal(sealed, aad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrUnseal
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrUnseal
	}
	return out, nil
}

// sealers seals with the master key and opens with it or, for material
// that a replica sealed before the master key moved into the store, with
// the key of its own master key file.
type sealers struct {
	current *sealer
	legacy  *sealer // nil when there is no other key
}

func newSealers(key, legacy []byte) (*sealers, error) {
	defer clear(key)
	defer clear(legacy)
	cur, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	ss := &sealers{current: cur}
	if legacy != nil && !bytes.Equal(legacy, key) {
		if ss.legacy, err = newSealer(legacy); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// seal encrypts plaintext bound to aad under the current master key.
func (ss *sealers) seal(plaintext, aad []byte) ([]byte, error) {
	return ss.current.seal(plaintext, aad)
}

// unseal opens what either key sealed with the same aad.
func (ss *sealers) unseal(sealed, aad []byte) ([]byte, error) {
	out, err := ss.current.unseal(sealed, aad)
	if err != nil && ss.legacy != nil {
		return ss.legacy.unseal(sealed, aad)
	}
	return out, err
}
