package telemetry

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Target
		wantErr  string
	}{
		{"a webhook is taken", `{"type":"webhook","endpoint":"https://127.0.0.1:9000/audit"}`,
			Target{Type: TypeWebhook, Endpoint: "https://127.0.0.1:9000/audit"}, ""},
		{"an elasticsearch target keeps its index",
			`{"type":"elasticsearch","endpoint":"http://127.0.0.1:9200","index":"x"}`,
			Target{Type: TypeElasticsearch, Endpoint: "http://127.0.0.1:9200", Index: "x"}, ""},
		{"an elasticsearch target without an index gets the default",
			`{"type":"elasticsearch","endpoint":"http://127.0.0.1:9200"}`,
			Target{Type: TypeElasticsearch, Endpoint: "http://127.0.0.1:9200",
				Index: DefaultLogIndex}, ""},
		{"an unknown type is refused", `{"type":"syslog","endpoint":"http://h"}`, Target{},
			`"syslog" is not a target type`},
		{"a URL that is not http is refused", `{"type":"webhook","endpoint":"ftp://h/x"}`,
			Target{}, "not an http or https URL"},
		{"a bare host is refused", `{"type":"webhook","endpoint":"logs.example.com"}`,
			Target{}, "not an http or https URL"},
		{"a password is refused", `{"type":"webhook","endpoint":"https://u:hunter2@h/x"}`,
			Target{}, "must not carry a user or password"},
		{"an index on a webhook is refused",
			`{"type":"webhook","endpoint":"http://h","index":"i"}`, Target{}, "only used by elasticsearch targets"},
		{"an unknown field is refused",
			`{"type":"webhook","endpoint":"http://h","token":"t"}`, Target{}, "unknown field"},
		{"two objects are refused", `{"type":"webhook","endpoint":"http://h"}{}`, Target{},
			"exactly one JSON object"},
		{"a password is not echoed", `{"type":"syslog","endpoint":"ftp://u:hunter2@h"}`,
			Target{}, "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTarget(tt.in, DefaultLogIndex)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) ||
					strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("got error %v, want one containing %q and no password", err,
						tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestLabelHidesThePassword(t *testing.T) {
	t.Parallel()
	tg := Target{Type: TypeWebhook, Endpoint: "https://user:hunter2@127.0.0.1/x"}
	if got, want := tg.Label(), "webhook https://user:xxxxx@127.0.0.1/x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
