package logtarget

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, endpoint, index string
		field, want                string // the one problem; "" when valid
	}{
		{"a webhook", Webhook, "https://hooks.example/audit", "", "", ""},
		{"a webhook with a token in its query", Webhook, "http://127.0.0.1:8080/x?token=abc",
			"", "", ""},
		{"elasticsearch with an index", Elasticsearch, "http://127.0.0.1:9200", "strata", "", ""},
		{"elasticsearch without an index", Elasticsearch, "http://127.0.0.1:9200/", "", "", ""},
		{"no type", "", "http://127.0.0.1", "", "type", "is required"},
		{"another type", "syslog", "http://127.0.0.1", "", "type",
			`"syslog" is not a target type`},
		{"an index on a webhook", Webhook, "http://127.0.0.1", "i", "index",
			"only used by elasticsearch"},
		{"no endpoint", Webhook, "", "", "endpoint", "is required"},
		{"not a URL", Webhook, "x", "", "endpoint", "is not an http or https URL"},
		{"another scheme", Webhook, "ftp://127.0.0.1/x", "", "endpoint",
			"is not an http or https URL"},
		{"credentials in another scheme", Webhook, "ftp://u:secret@h/x", "", "endpoint",
			"is not an http or https URL"},
		{"credentials", Elasticsearch, "http://elastic:secret@127.0.0.1:9200", "", "endpoint",
			"must not carry a user or password"},
		{"a fragment", Webhook, "http://127.0.0.1/x#y", "", "endpoint", "has a fragment"},
		{"a query on elasticsearch", Elasticsearch, "http://127.0.0.1:9200?x=1", "",
			"endpoint", "has a query"},
		{"port 0", Webhook, "http://127.0.0.1:0/x", "", "endpoint", "has port 0"},
		{"port 99999", Webhook, "http://127.0.0.1:99999/x", "", "endpoint", "has port 99999"},
		{"an upper-case index", Elasticsearch, "http://127.0.0.1", "Logs", "index",
			"upper-case"},
		{"an index with a space", Elasticsearch, "http://127.0.0.1", "bad index/x", "index",
			"has a space"},
		{"an index starting with _", Elasticsearch, "http://127.0.0.1", "_logs", "index",
			"starts with"},
		{"the index ..", Elasticsearch, "http://127.0.0.1", "..", "index", "refuses . and .."},
	}
	for _, tt := range tests {
		got := Check(tt.typ, tt.endpoint, tt.index)
		if tt.want == "" {
			if len(got) != 0 {
				t.Errorf("%s: got %v, want no problem", tt.name, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Field != tt.field || !strings.Contains(got[0].Message, tt.want) {
			t.Errorf("%s: got %v, want one problem of %s saying %q", tt.name, got, tt.field,
				tt.want)
		}
		if strings.Contains(tt.endpoint, "secret") && strings.Contains(got[0].Message, "secret") {
			t.Errorf("%s: the message shows the password: %q", tt.name, got[0].Message)
		}
	}
}

func TestKeyTellsTheSameTargetApart(t *testing.T) {
	t.Parallel()
	if Key(Webhook, "http://h/x/", "") != Key(Webhook, "http://h/x", "") {
		t.Error("a trailing slash made another target")
	}
	if Key(Elasticsearch, "http://h", "a") == Key(Elasticsearch, "http://h", "b") {
		t.Error("two indexes made the same target")
	}
}
