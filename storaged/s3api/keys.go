package s3api

import (
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/strata-storage/strata/internal/policy"
)

// KeyStore finds the access keys other than the root key. Lookup is
// called on every signed request and must be safe for concurrent use; a
// store that changes (a reloaded keys file) returns each key as it was at
// some moment, never half-changed.
type KeyStore interface {
	// Lookup returns the key with the access key ID and true, or false
	// when no such key exists. The caller must not change the returned
	// Key's Policy.
	Lookup(accessKeyID string) (Key, bool)
}

// Key is an access key other than the root key: a named identity whose
// identity policy says what it may do.
type Key struct {
	Credentials
	// Name identifies the key in logs, in ${aws:username} and in its
	// principal ARN (see PrincipalARN).
	Name string
	// Policy is the key's identity policy; nil allows nothing, so that
	// the key may do only what bucket policies grant it.
	Policy *policy.Policy
}

// PrincipalARN is the ARN that names a key in the Principal element of a
// bucket policy: arn:aws:iam:::user/NAME (Strata has no accounts).
func PrincipalARN(name string) string {
	return "arn:aws:iam:::user/" + name
}

// StaticKeys is a KeyStore over a fixed set of keys. It is immutable and
// safe for concurrent use.
type StaticKeys struct {
	byID map[string]Key
}

var _ KeyStore = (*StaticKeys)(nil)

// NewStaticKeys validates keys (each pair can sign, names and access key
// IDs are unique and names are non-empty) and returns a store over them.
// It reports every problem at once.
func NewStaticKeys(keys []Key) (*StaticKeys, error) {
	s := &StaticKeys{byID: make(map[string]Key, len(keys))}
	names := map[string]bool{}
	var errs []error
	for i, k := range keys {
		if err := checkKey(k, names, s.byID); err != nil {
			errs = append(errs, fmt.Errorf("key %d (%q): %w", i, k.Name, err))
			continue
		}
		names[k.Name] = true
		s.byID[k.AccessKeyID] = k
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func checkKey(k Key, names map[string]bool, byID map[string]Key) error {
	switch {
	case k.Name == "":
		return errors.New("s3api: keys: the name is empty")
	case names[k.Name]:
		return errors.New("s3api: keys: the name is used by another key")
	case byID[k.AccessKeyID].AccessKeyID != "":
		return errors.New("s3api: keys: the access key ID is used by another key")
	}
	return k.Credentials.Validate()
}

// Lookup returns the key with the access key ID.
func (s *StaticKeys) Lookup(accessKeyID string) (Key, bool) {
	k, ok := s.byID[accessKeyID]
	return k, ok
}

// Len returns the number of keys in the store.
func (s *StaticKeys) Len() int { return len(s.byID) }

// identity is who a request comes from, once authenticated.
type identity struct {
	// root is the root key: the owner, which policies do not restrict.
	root bool
	// anonymous is a request that carried no signature.
	anonymous bool
	// key is the access key of a request that is neither root nor
	// anonymous.
	key Key
}

// principal is the identity's ARN in policies, "*" for anonymous.
func (id identity) principal() string {
	if id.anonymous {
		return "*"
	}
	return PrincipalARN(id.key.Name)
}

// lookupKey finds the key an access key ID names: the root key or one of
// the key store's. The root key ID is compared in constant time.
func (h *Handler) lookupKey(accessKeyID string) (identity, string, bool) {
	if subtle.ConstantTimeCompare([]byte(accessKeyID), []byte(h.creds.AccessKeyID)) == 1 {
		return identity{root: true}, h.creds.SecretAccessKey, true
	}
	if h.keys == nil {
		return identity{}, "", false
	}
	k, ok := h.keys.Lookup(accessKeyID)
	if !ok {
		return identity{}, "", false
	}
	return identity{key: k}, k.SecretAccessKey, true
}
