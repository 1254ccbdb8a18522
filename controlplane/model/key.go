package model

import (
	"fmt"
	"time"
)

// KindKey is the kind of a tenant's encryption key.
const KindKey = "key"

// Key backends.
const (
	// KeyBackendBuiltin keeps the key material in the control plane's own
	// KMS, sealed under a master key in its state directory.
	KeyBackendBuiltin = "builtin"
	// KeyBackendVault keeps the key in a Vault Transit mount.
	KeyBackendVault = "vault"
)

// MinRotationPeriod is the shortest automatic rotation period a key may
// have.
const MinRotationPeriod = time.Hour

// Key is an encryption key of a tenant, with every version it ever had.
// Its status tells how many versions exist and when the last one was made;
// the key material itself never appears in the resource.
type Key struct {
	Metadata Metadata  `json:"metadata"`
	Spec     KeySpec   `json:"spec"`
	Status   KeyStatus `json:"status"`
}

// KeySpec is what the user declares about a key.
type KeySpec struct {
	// Tenant names the tenant. The server fills it in from the path; a body
	// that names another tenant is refused.
	Tenant string `json:"tenant"`
	// Backend is builtin or vault; default builtin.
	Backend string `json:"backend,omitempty"`
	// Vault names the Transit key when Backend is vault.
	Vault *VaultKey `json:"vault,omitempty"`
	// RotationPeriod is how often a new version is made, as a Go duration
	// such as "720h"; empty means never automatically. At least 1h.
	RotationPeriod string `json:"rotationPeriod,omitempty"`
	// RotationGeneration forces a new version each time it is raised. It
	// cannot be lowered.
	RotationGeneration int64 `json:"rotationGeneration,omitempty"`
}

// VaultKey names a key in a Vault Transit secrets engine.
type VaultKey struct {
	// Mount is the path the Transit engine is mounted at, such as
	// "transit".
	Mount string `json:"mount"`
	// KeyName is the name of the key in that mount.
	KeyName string `json:"keyName"`
}

// KeyStatus is what the control plane observed about a key.
type KeyStatus struct {
	ObservedGeneration int64      `json:"observedGeneration,omitempty"`
	Conditions         Conditions `json:"conditions,omitempty"`
	// Versions is the number of key versions; the newest encrypts, every
	// one decrypts.
	Versions int `json:"versions"`
	// LastRotation is when the newest version was made.
	LastRotation time.Time `json:"lastRotation,omitzero"`
}

// Default fills in the server-side defaults of a key spec.
func (s *KeySpec) Default() {
	if s.Backend == "" {
		s.Backend = KeyBackendBuiltin
	}
}

// Validate checks a key spec and returns every violation.
func (s *KeySpec) Validate() Violations {
	var v Violations
	validateTenantField(&v, s.Tenant, "key")
	switch s.Backend {
	case KeyBackendBuiltin:
		if s.Vault != nil {
			v.Add("spec.vault", "is only for the vault backend: leave it out, or set "+
				"backend to vault")
		}
	case KeyBackendVault:
		s.validateVault(&v)
	default:
		v.Add("spec.backend", "%q is not a key backend: use builtin or vault", s.Backend)
	}
	if s.RotationPeriod != "" {
		if _, err := ParseRotationPeriod(s.RotationPeriod); err != nil {
			v.Add("spec.rotationPeriod", "%v", err)
		}
	}
	if s.RotationGeneration < 0 {
		v.Add("spec.rotationGeneration", "%d is negative: use 0 or more, and raise it "+
			"to rotate the key", s.RotationGeneration)
	}
	return v
}

func (s *KeySpec) validateVault(v *Violations) {
	if s.Vault == nil {
		v.Add("spec.vault", "is required with the vault backend: give the Transit "+
			"mount and keyName")
		return
	}
	if s.Vault.Mount == "" {
		v.Add("spec.vault.mount", "is required: the path the Transit engine is "+
			"mounted at, such as transit")
	}
	if s.Vault.KeyName == "" {
		v.Add("spec.vault.keyName", "is required: the name of the key in the Transit mount")
	}
}

// ParseRotationPeriod parses a rotation period: a Go duration such as
// "720h" or "90m", at least MinRotationPeriod.
func ParseRotationPeriod(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use a number with a unit h, m or s, "+
			"such as 720h for 30 days", s)
	}
	if d < MinRotationPeriod {
		return 0, fmt.Errorf("%q is too short: use at least 1h", s)
	}
	return d, nil
}

// validateTenantField checks the tenant a child resource of a tenant names.
func validateTenantField(v *Violations, tenant, what string) {
	if tenant == "" {
		v.Add("spec.tenant", "is required: name the tenant that owns the %s", what)
		return
	}
	ValidateName(v, "spec.tenant", tenant)
}
