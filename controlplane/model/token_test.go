package model

import "testing"

func TestTokenSpecValidateKnowsTheRoles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		role string
		want int
	}{
		{"admin is a role", RoleAdmin, 0},
		{"reader is a role", RoleReader, 0},
		{"an empty role is refused", "", 1},
		{"an unknown role is refused", "root", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := TokenSpec{Role: tt.role}
			if got := s.Validate(); len(got) != tt.want {
				t.Errorf("got %d violations %v, want %d", len(got), got, tt.want)
			}
		})
	}
}
