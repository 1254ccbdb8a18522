package s3api

import (
	"strings"
	"testing"
)

func TestNewStaticKeys(t *testing.T) {
	t.Parallel()
	good := func(name, id string) Key {
		return Key{Name: name, Credentials: Credentials{AccessKeyID: id,
			SecretAccessKey: "secret-0123456789"}}
	}
	tests := []struct {
		name string
		keys []Key
		want string // "" for success, else a substring of the error
	}{
		{"distinct keys are accepted", []Key{good("a", "AKIDA"), good("b", "AKIDB")}, ""},
		{"no keys at all are accepted", nil, ""},
		{"an empty name is refused", []Key{good("", "AKIDA")}, "the name is empty"},
		{"a repeated name is refused", []Key{good("a", "AKIDA"), good("a", "AKIDB")},
			"the name is used by another key"},
		{"a repeated access key ID is refused", []Key{good("a", "AKIDA"), good("b", "AKIDA")},
			"the access key ID is used by another key"},
		{"a short secret is refused", []Key{{Name: "a", Credentials: Credentials{
			AccessKeyID: "AKIDA", SecretAccessKey: "short"}}}, "secret access key is 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewStaticKeys(tt.keys)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.want == "":
				if s.Len() != len(tt.keys) {
					t.Fatalf("got %d keys, want %d", s.Len(), len(tt.keys))
				}
				for _, k := range tt.keys {
					if got, ok := s.Lookup(k.AccessKeyID); !ok || got.Name != k.Name {
						t.Errorf("Lookup(%s): got %q, %v, want %q", k.AccessKeyID, got.Name, ok,
							k.Name)
					}
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLookupKeyPrefersTheRootKey(t *testing.T) {
	t.Parallel()
	h, _ := newAuthzHandler(t, "")
	if who, secret, ok := h.lookupKey(testAccessKey); !ok || !who.root || secret != testSecret {
		t.Errorf("root key: got root=%v ok=%v, want the root identity", who.root, ok)
	}
	if who, _, ok := h.lookupKey(userAccessKey); !ok || who.root || who.key.Name != "alice" {
		t.Errorf("user key: got name %q root=%v ok=%v, want alice", who.key.Name, who.root, ok)
	}
	if _, _, ok := h.lookupKey("AKIDNONE"); ok {
		t.Error("unknown key: got ok, want not found")
	}
}
