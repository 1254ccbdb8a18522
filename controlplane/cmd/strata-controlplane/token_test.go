package main

import (
	"bytes"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/api"
	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/store"
)

type nopNotifier struct{}

func (nopNotifier) Notify(string, string) {}

// newTokenIO starts an API server with admin token "boot" and returns a
// tokenIO that reaches it with token, writing into the returned buffers.
func newTokenIO(t *testing.T) func(token string) (tokenIO, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ts := httptest.NewServer(api.New(api.Config{Store: st, Token: "boot",
		Notifier: nopNotifier{}}))
	t.Cleanup(ts.Close)
	return func(token string) (tokenIO, *bytes.Buffer, *bytes.Buffer) {
		var out, errs bytes.Buffer
		return tokenIO{cfg: client.Config{Endpoint: ts.URL, Token: token}, stdout: &out,
			stderr: &errs, requestTime: 10 * time.Second}, &out, &errs
	}
}

func TestTokenCommandsCreateListAndRevoke(t *testing.T) {
	t.Parallel()
	as := newTokenIO(t)

	tio, out, errs := as("boot")
	if code := tio.run([]string{"create", "--role", "reader", "dash"}); code != 0 {
		t.Fatalf("create: got exit %d (%s), want 0", code, errs)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, "strata_") || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("create: got stdout %q, want the secret alone on one line", out)
	}

	tio, out, errs = as(secret)
	if code := tio.run([]string{"list"}); code != 1 || !strings.Contains(errs.String(), "403") {
		t.Errorf("list as a reader: got exit %d %q, want 1 and a 403", code, errs)
	}

	tio, out, _ = as("boot")
	if code := tio.run([]string{"list"}); code != 0 || !strings.Contains(out.String(), "dash") ||
		!strings.Contains(out.String(), secret[:13]) || strings.Contains(out.String(), secret) {
		t.Errorf("list: got exit %d %q, want 0, dash and its prefix, not its secret", code, out)
	}

	tio, _, errs = as("boot")
	if code := tio.run([]string{"create", "dash"}); code != 1 ||
		!strings.Contains(errs.String(), "delete it and create it again") {
		t.Errorf("create again: got exit %d %q, want 1 saying delete and create again", code, errs)
	}

	tio, _, errs = as("boot")
	if code := tio.run([]string{"delete", "dash"}); code != 0 {
		t.Errorf("delete: got exit %d %q, want 0", code, errs)
	}
	tio, _, errs = as(secret)
	if code := tio.run([]string{"list"}); code != 1 || !strings.Contains(errs.String(), "401") {
		t.Errorf("revoked: got exit %d %q, want 1 and a 401", code, errs)
	}
}

func TestTokenCommandsExplainThemselves(t *testing.T) {
	t.Parallel()
	as := newTokenIO(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{
			"create -h shows that the secret is shown once",
			[]string{"create", "-h"},
			0,
			"shown this once",
		},
		{"list -h says what is listed", []string{"list", "-h"}, 0, "start of its secret"},
		{"delete -h says revoking is at once", []string{"delete", "-h"}, 0, "at once"},
		{"no command lists the commands", nil, 2, "token create"},
		{"a bad role names the roles", []string{"create", "--role", "root", "x"}, 2, "admin"},
		{"create without a name shows usage", []string{"create"}, 2, "Usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tio, out, errs := as("boot")
			code := tio.run(tt.args)
			if code != tt.code || !strings.Contains(errs.String(), tt.want) || out.Len() != 0 {
				t.Errorf("got exit %d stdout %q stderr %q, want %d and %q on stderr only",
					code, out, errs, tt.code, tt.want)
			}
		})
	}
}
