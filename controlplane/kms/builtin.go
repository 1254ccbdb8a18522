package kms

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/strata-storage/strata/controlplane/store"
)

// KindMaterial is the store kind that holds the sealed material of keys,
// under the key's store name.
const KindMaterial = "keymaterial"

// dataKeySize is the size of one key version: an AES-256 key.
const dataKeySize = 32

// maxAttempts bounds the retries of a write that lost a race.
const maxAttempts = 10

// Config is what a Builtin needs.
type Config struct {
	// StateDir holds the master key file: the master key itself when Store
	// does not seal its values, else the key of a control plane from before
	// sealing, if any (see the package documentation).
	StateDir string
	// Store keeps the sealed key material, and the master key when it is a
	// store made by store.Seal.
	Store store.Store
	// Now returns the current time; nil means time.Now. Tests set it to
	// move time forward.
	Now func() time.Time
}

// Builtin is the built-in key backend. It is safe for concurrent use;
// writes to one key's material are compare-and-swap, so two callers never
// both add a version for the same rotation.
type Builtin struct {
	masterPath string
	st         store.Store
	now        func() time.Time

	mu      sync.Mutex
	sealers *sealers // nil until the master key is first used
}

// KeyRef names one incarnation of a key: its store name ("tenant/key") and
// its UID. Material made for another UID under the same name (a key that
// was deleted and created again) is replaced, never reused.
type KeyRef struct {
	Name string
	UID  string
}

// State is what may be shown about a key's material: never the material.
type State struct {
	// Versions is the number of versions.
	Versions int
	// LastRotation is when the newest version was made.
	LastRotation time.Time
	// NextRotation is when the next version is due; zero when none is
	// planned.
	NextRotation time.Time
	// Rotated tells whether this call made a new version.
	Rotated bool
}

// material is the stored record of one key's sealed versions.
type material struct {
	KeyUID string `json:"keyUid"`
	// RotationGeneration is the policy generation the newest version was
	// made for.
	RotationGeneration int64     `json:"rotationGeneration"`
	Versions           []version `json:"versions"`
}

// version is one sealed key version; Number counts from 1.
type version struct {
	Number  int       `json:"number"`
	Created time.Time `json:"created"`
	Sealed  []byte    `json:"sealed"`
}

func (m *material) newest() *version {
	if len(m.Versions) == 0 {
		return nil
	}
	return &m.Versions[len(m.Versions)-1]
}

// NewBuiltin returns the built-in backend. The master key is read, or
// created, when a key first needs it, so that a control plane without keys
// never makes one, and a master key file that cannot be used shows in the
// keys' conditions rather than stopping the control plane.
func NewBuiltin(cfg Config) (*Builtin, error) {
	if cfg.Store == nil {
		return nil, errors.New("kms: no store for the key material")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Builtin{masterPath: filepath.Join(cfg.StateDir, MasterKeyFile), st: cfg.Store,
		now: cfg.Now}, nil
}

// open returns the sealers of the master key, loading or creating the key
// on first use. A failure is not remembered: the next call tries again,
// so that fixing the file's mode needs no restart.
func (b *Builtin) open(ctx context.Context) (*sealers, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sealers != nil {
		return b.sealers, nil
	}
	if !store.IsSealed(b.st) {
		key, err := loadOrCreateMasterKey(b.masterPath)
		if err != nil {
			return nil, err
		}
		b.sealers, err = newSealers(key, nil)
		return b.sealers, err
	}
	key, err := loadOrCreateStoredMasterKey(ctx, b.st, b.masterPath)
	if err != nil {
		return nil, err
	}
	legacy, err := readMasterKey(b.masterPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b.sealers, err = newSealers(key, legacy)
	return b.sealers, err
}

// Reconcile makes sure the key has material and adds a version when p
// says one is due. It is idempotent: called again with the same policy
// before the period passes, it changes nothing.
func (b *Builtin) Reconcile(ctx context.Context, ref KeyRef, p Policy) (State, error) {
	for range maxAttempts {
		m, rev, err := b.load(ctx, ref)
		if err != nil {
			return State{}, err
		}
		now := b.now().UTC()
		due, next := rotationDue(m, p, now)
		if !due {
			return stateOf(m, next, false), nil
		}
		if err := b.addVersion(ctx, m, ref.UID, p.Generation, now); err != nil {
			return State{}, err
		}
		err = b.save(ctx, ref.Name, m, rev)
		if errors.Is(err, store.ErrConflict) {
			continue
		} else if err != nil {
			return State{}, err
		}
		_, next = rotationDue(m, p, now)
		return stateOf(m, next, true), nil
	}
	return State{}, fmt.Errorf("kms: key %s: its material kept changing during rotation",
		ref.Name)
}

func stateOf(m *material, next time.Time, rotated bool) State {
	s := State{Versions: len(m.Versions), NextRotation: next, Rotated: rotated}
	if n := m.newest(); n != nil {
		s.LastRotation = n.Created
	}
	return s
}

// load reads the key's material and its revision. Missing material, or
// material of another incarnation, comes back empty with the revision to
// replace.
func (b *Builtin) load(ctx context.Context, ref KeyRef) (*material, int64, error) {
	rec, err := b.st.Get(ctx, KindMaterial, ref.Name)
	if errors.Is(err, store.ErrNotFound) {
		return &material{KeyUID: ref.UID}, store.MustNotExist, nil
	} else if err != nil {
		return nil, 0, fmt.Errorf("kms: reading key material of %s: %w", ref.Name, err)
	}
	var m material
	if err := json.Unmarshal(rec.Value, &m); err != nil {
		return nil, 0, fmt.Errorf("kms: decoding key material of %s: %w", ref.Name, err)
	}
	if m.KeyUID != ref.UID {
		return &material{KeyUID: ref.UID}, rec.Revision, nil
	}
	return &m, rec.Revision, nil
}

func (b *Builtin) save(ctx context.Context, name string, m *material, rev int64) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("kms: encoding key material of %s: %w", name, err)
	}
	if _, err := b.st.Put(ctx, KindMaterial, name, data, rev); err != nil {
		return fmt.Errorf("kms: storing key material of %s: %w", name, err)
	}
	return nil
}

// addVersion appends a new random version, sealed, to m.
func (b *Builtin) addVersion(ctx context.Context, m *material, uid string, gen int64,
	now time.Time) error {
	s, err := b.open(ctx)
	if err != nil {
		return err
	}
	plain := make([]byte, dataKeySize)
	if _, err := rand.Read(plain); err != nil {
		return fmt.Errorf("kms: making key material: %w", err)
	}
	n := len(m.Versions) + 1
	sealed, err := s.seal(plain, boundTo(uid, n))
	clear(plain)
	if err != nil {
		return err
	}
	m.Versions = append(m.Versions, version{Number: n, Created: now, Sealed: sealed})
	m.RotationGeneration = max(m.RotationGeneration, gen)
	return nil
}

// ErrNoVersion means the key has no version of that number.
var ErrNoVersion = errors.New("kms: no such key version")

// Material returns the plaintext of one version of the key, 0 meaning the
// newest, and the version's number. The caller owns the returned slice and
// should clear it when done.
func (b *Builtin) Material(ctx context.Context, ref KeyRef, n int) ([]byte, int, error) {
	m, _, err := b.load(ctx, ref)
	if err != nil {
		return nil, 0, err
	}
	if n == 0 {
		n = len(m.Versions)
	}
	if n < 1 || n > len(m.Versions) {
		return nil, 0, fmt.Errorf("%w: key %s has %d version(s), not %d", ErrNoVersion,
			ref.Name, len(m.Versions), n)
	}
	s, err := b.open(ctx)
	if err != nil {
		return nil, 0, err
	}
	plain, err := s.unseal(m.Versions[n-1].Sealed, boundTo(ref.UID, n))
	if err != nil {
		return nil, 0, fmt.Errorf("key %s version %d: %w", ref.Name, n, err)
	}
	return plain, n, nil
}

// Delete removes every version of the named key. Deleting a key that has
// no material is not an error.
func (b *Builtin) Delete(ctx context.Context, name string) error {
	err := b.st.Delete(ctx, KindMaterial, name, store.AnyRevision)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("kms: deleting key material of %s: %w", name, err)
	}
	return nil
}
