package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/drive"
)

func TestStoreRoutesOnlyTheRPCPrefixToTheRPC(t *testing.T) {
	t.Parallel()
	tag := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Handler", name)
		})
	}
	h := (&store{rpc: tag("rpc")}).handler(tag("s3"))
	tests := []struct{ path, want string }{
		{"/strata/rpc/v1/ping", "rpc"},
		{"/strata/rpc/v1/readrange", "rpc"},
		{"/strata/health/ready", "s3"},
		{"/strata/rpc/v2/ping", "s3"},
		{"/bucket/strata/rpc/v1/key", "s3"},
		{"/bucket/a//b", "s3"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" goes to "+tt.want, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if got := rec.Header().Get("X-Handler"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenLocalDrive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := drive.Identity{SetID: "dep-0", Index: 3}

	t.Run("a fresh drive is formatted as its place in the set", func(t *testing.T) {
		d, err := openLocalDrive(filepath.Join(dir, "fresh"), id, hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		if l, ok := d.(*drive.Local); !ok || l.Format().Identity() != id {
			t.Errorf("got %T %v, want a local drive formatted as %+v", d, d, id)
		}
	})
	t.Run("a drive of another place is an error", func(t *testing.T) {
		_, err := openLocalDrive(
			filepath.Join(dir, "fresh"),
			drive.Identity{SetID: "dep-0", Index: 4},
			hclog.NewNullLogger(),
		)
		if !errors.Is(err, drive.ErrFormatMismatch) {
			t.Errorf("got %v, want ErrFormatMismatch", err)
		}
	})
	t.Run("a drive that cannot be opened is offline", func(t *testing.T) {
		file := filepath.Join(dir, "a-file")
		if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := openLocalDrive(file, id, hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ListVolumes(t.Context()); !errors.Is(err, drive.ErrDriveOffline) {
			t.Errorf("got %v, want ErrDriveOffline", err)
		}
	})
}
