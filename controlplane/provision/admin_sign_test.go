package provision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-storage/strata/controlplane/model"
)

func TestSignAdminRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
	}{
		{"a request without a body signs the empty hash", nil},
		{"a request with a body signs its hash", []byte(`{"hardBytes":4096}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodPut,
				"https://127.0.0.1:9000/strata/admin/quota?bucket=logs", nil)
			if err != nil {
				t.Fatal(err)
			}
			creds := model.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
			if err := SignAdminRequest(context.Background(), req, tt.body, creds,
				"eu-west-1"); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(tt.body)
			if got, want := req.Header.Get("X-Amz-Content-Sha256"),
				hex.EncodeToString(sum[:]); got != want {
				t.Errorf("got payload hash %q, want %q", got, want)
			}
			auth := req.Header.Get("Authorization")
			if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") ||
				!strings.Contains(auth, "/eu-west-1/s3/aws4_request") {
				t.Errorf("got Authorization %q, want a SigV4 signature by AKID for "+
					"eu-west-1 and s3", auth)
			}
		})
	}
}
