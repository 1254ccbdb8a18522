package kms

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func randomKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, masterKeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedMaterialOpensOnlyWhereItWasSealed(t *testing.T) {
	t.Parallel()
	master := randomKey(t)
	s, err := newSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	other, err := newSealer(randomKey(t))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("0123456789abcdef0123456789abcdef")
	sealed, err := s.seal(plain, boundTo("uid-1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatalf("sealed material %x holds the plaintext", sealed)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name   string
		s      *sealer
		sealed []byte
		aad    []byte
		ok     bool
	}{
		{"the same key, UID and version open it", s, sealed, boundTo("uid-1", 1), true},
		{"another key incarnation cannot", s, sealed, boundTo("uid-2", 1), false},
		{"another version number cannot", s, sealed, boundTo("uid-1", 2), false},
		{"another master key cannot", other, sealed, boundTo("uid-1", 1), false},
		{"a changed byte is refused", s, tampered, boundTo("uid-1", 1), false},
		{"a truncated seal is refused", s, sealed[:10], boundTo("uid-1", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.s.unseal(tt.sealed, tt.aad)
			if tt.ok {
				if err != nil || !bytes.Equal(got, plain) {
					t.Errorf("got %x, %v; want the plaintext", got, err)
				}
				return
			}
			if !errors.Is(err, ErrUnseal) {
				t.Errorf("got %x, %v; want ErrUnseal", got, err)
			}
		})
	}
}

func TestEverySealUsesAFreshNonce(t *testing.T) {
	t.Parallel()
	s, err := newSealer(randomKey(t))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.seal([]byte("same"), nil)
	b, _ := s.seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Errorf("got the same sealed bytes %x twice, want a fresh nonce each time", a)
	}
}
