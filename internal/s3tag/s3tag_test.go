package s3tag

import "testing"

func TestValidText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want bool
	}{
		{"cost-center", true},
		{"team: ops/é @x+y=z_1.2", true},
		{"", true},
		{"k{}<>", false},
		{"v\u0001", false},
		{"semi;colon", false},
		{"\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			if got := ValidText(tt.text); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
