package store

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// SecretsKeySize is the size of the secrets key: an AES-256 key.
const SecretsKeySize = 32

// sealedMagic starts every sealed value. A document written in the clear
// is JSON, which never starts with a NUL byte, so the two cannot be
// mistaken for each other.
var sealedMagic = []byte("\x00sv1")

// The check value: a sealed record whose plaintext is known, so that a
// wrong secrets key is found at start rather than on the first read.
const (
	checkKind  = "_sealed"
	checkName  = "check"
	checkPlain = "strata secrets key check v1"
)

// ErrWrongKey means the store was sealed with another secrets key.
var ErrWrongKey = errors.New("store: the secrets key does not open this store")

// ErrUnseal means a sealed value did not open: it was sealed with another
// key, for another record, or it was changed.
var ErrUnseal = errors.New("store: a sealed value does not open with the secrets key")

// Sealed is a Store that seals every value it writes with AES-256-GCM
// under the secrets key, and opens every value it reads. See the package
// documentation for why whole values are sealed.
type Sealed struct {
	inner Store
	aead  cipher.AEAD
}

var _ Store = (*Sealed)(nil)

// sealedWatcher is a Sealed whose inner store can watch.
type sealedWatcher struct {
	*Sealed
	Watcher
}

// Seal wraps inner so that every value is sealed with key, a
// SecretsKeySize-byte key. It checks the key against the store's check
// value (writing one on first use), then seals every value still in the
// clear, and returns the wrapped store (a Watcher when inner is one) and
// how many values it sealed. A store sealed with another key gives
// ErrWrongKey.
func Seal(ctx context.Context, inner Store, key []byte) (Store, int, error) {
	s, err := newSealed(inner, key)
	if err != nil {
		return nil, 0, err
	}
	if err := s.check(ctx); err != nil {
		return nil, 0, err
	}
	n, err := s.sealClearValues(ctx)
	if err != nil {
		return nil, n, err
	}
	if w, ok := inner.(Watcher); ok {
		return sealedWatcher{Sealed: s, Watcher: w}, n, nil
	}
	return s, n, nil
}

func newSealed(inner Store, key []byte) (*Sealed, error) {
	if len(key) != SecretsKeySize {
		return nil, fmt.Errorf("store: the secrets key has %d bytes, want %d", len(key),
			SecretsKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: secrets key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: secrets key: %w", err)
	}
	return &Sealed{inner: inner, aead: aead}, nil
}

// check opens the check value, or writes it when the store has none. Two
// replicas that start at once with one key both succeed.
func (s *Sealed) check(ctx context.Context) error {
	for range 2 {
		rec, err := s.Get(ctx, checkKind, checkName)
		switch {
		case errors.Is(err, ErrUnseal):
			return fmt.Errorf("%w: it was sealed with another key; start with the key "+
				"its state was written with (--secrets-key-file)", ErrWrongKey)
		case err == nil && string(rec.Value) != checkPlain:
			return fmt.Errorf("%w: its check value is damaged", ErrWrongKey)
		case err == nil:
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		_, err = s.Put(ctx, checkKind, checkName, []byte(checkPlain), MustNotExist)
		if err == nil {
			return nil
		} else if !errors.Is(err, ErrConflict) {
			return fmt.Errorf("store: writing the secrets key's check value: %w", err)
		}
	}
	return fmt.Errorf("store: the secrets key's check value keeps changing")
}

// sealClearValues seals every value written in the clear, by a control
// plane from before sealing. A record rewritten meanwhile is left alone:
// whoever rewrote it sealed it.
func (s *Sealed) sealClearValues(ctx context.Context) (int, error) {
	w, ok := s.inner.(Walker)
	if !ok {
		return 0, fmt.Errorf("store: %T cannot list its records to seal them", s.inner)
	}
	n := 0
	err := w.Walk(ctx, func(rec Record) error {
		if isSealed(rec.Value) {
			return nil
		}
		_, err := s.Put(ctx, rec.Kind, rec.Name, rec.Value, rec.Revision)
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			return nil
		} else if err != nil {
			return fmt.Errorf("store: sealing %s %s: %w", rec.Kind, rec.Name, err)
		}
		n++
		return nil
	})
	return n, err
}

// Get implements Store.
func (s *Sealed) Get(ctx context.Context, kind, name string) (Record, error) {
	rec, err := s.inner.Get(ctx, kind, name)
	if err != nil {
		return rec, err
	}
	return s.open(rec)
}

// Put implements Store.
func (s *Sealed) Put(ctx context.Context, kind, name string, value []byte,
	want int64) (int64, error) {
	sealed, err := s.seal(kind, name, value)
	if err != nil {
		return 0, err
	}
	return s.inner.Put(ctx, kind, name, sealed, want)
}

// Delete implements Store.
func (s *Sealed) Delete(ctx context.Context, kind, name string, want int64) error {
	return s.inner.Delete(ctx, kind, name, want)
}

// List implements Store.
func (s *Sealed) List(ctx context.Context, kind, prefix, after string,
	limit int) ([]Record, error) {
	recs, err := s.inner.List(ctx, kind, prefix, after, limit)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if recs[i], err = s.open(recs[i]); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// Close closes the inner store.
func (s *Sealed) Close() error { return s.inner.Close() }

// boundTo is the additional data that ties a sealed value to its record.
func boundTo(kind, name string) []byte {
	return []byte("strata-store-v1\x00" + kind + "\x00" + name)
}

func isSealed(v []byte) bool { return bytes.HasPrefix(v, sealedMagic) }

// seal encrypts value with a fresh random nonce, bound to its record.
func (s *Sealed) seal(kind, name string, value []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, len(sealedMagic)+ns,
		len(sealedMagic)+ns+len(value)+s.aead.Overhead())
	copy(out, sealedMagic)
	nonce := out[len(sealedMagic):]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("store: making a nonce: %w", err)
	}
	return s.aead.Seal(out, nonce, value, boundTo(kind, name)), nil
}

// open decrypts a sealed record's value. A value in the clear, written
// before sealing and not yet sealed, is returned as it is.
func (s *Sealed) open(rec Record) (Record, error) {
	if !isSealed(rec.Value) {
		return rec, nil
	}
	body := rec.Value[len(sealedMagic):]
	ns := s.aead.NonceSize()
	if len(body) < ns+s.aead.Overhead() {
		return rec, fmt.Errorf("%w: %s %s is truncated", ErrUnseal, rec.Kind, rec.Name)
	}
	plain, err := s.aead.Open(nil, body[:ns], body[ns:], boundTo(rec.Kind, rec.Name))
	if err != nil {
		return rec, fmt.Errorf("%w: %s %s", ErrUnseal, rec.Kind, rec.Name)
	}
	rec.Value = plain
	return rec, nil
}

// IsSealed tells whether st seals what it writes, being made by Seal.
func IsSealed(st Store) bool {
	switch st.(type) {
	case *Sealed, sealedWatcher:
		return true
	}
	return false
}
