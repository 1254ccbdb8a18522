package model

// KindToken is the kind of an API token.
const KindToken = "token"

// Token roles.
const (
	// RoleAdmin may do everything, tokens included.
	RoleAdmin = "admin"
	// RoleReader may only read (GET), and may not read tokens.
	RoleReader = "reader"
)

// Token is a bearer token of the control-plane API with a role. The server
// makes its secret; the secret is answered once, by the PUT that creates
// the token, and only its SHA-256 hash is kept.
type Token struct {
	Metadata Metadata    `json:"metadata"`
	Spec     TokenSpec   `json:"spec"`
	Status   TokenStatus `json:"status"`
}

// TokenSpec is what the user declares about a token. It cannot change: a
// token with another role is a new token.
type TokenSpec struct {
	// Role is admin or reader.
	Role string `json:"role"`
}

// TokenStatus is what the server says about a token.
type TokenStatus struct {
	// Prefix is the start of the secret, enough to tell tokens apart and
	// too short to use.
	Prefix string `json:"prefix"`
	// Secret is the whole bearer token. Only the PUT that creates the token
	// carries it; every other answer leaves it empty.
	Secret string `json:"secret,omitempty"`
}

// Validate checks a token spec and returns every violation.
func (s *TokenSpec) Validate() Violations {
	var v Violations
	switch s.Role {
	case RoleAdmin, RoleReader:
	case "":
		v.Add("spec.role", "is required: use admin (everything) or reader (GET only)")
	default:
		v.Add("spec.role", "%q is not a role: use admin (everything) or reader (GET only)",
			s.Role)
	}
	return v
}
