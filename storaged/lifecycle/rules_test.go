package lifecycle

import (
	"testing"
	"time"
)

// mustParse parses doc or fails the test.
func mustParse(t *testing.T, doc string) *Configuration {
	t.Helper()
	c, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestExpiration(t *testing.T) {
	t.Parallel()
	mod := time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)
	c := mustParse(t, wrap(
		`<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>`+
			`<Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>tmp</ID><Filter><Tag><Key>tmp</Key><Value>yes</Value></Tag></Filter>`+
			`<Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>`,
		`<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>1000</ObjectSizeGreaterThan>`+
			`</Filter><Status>Enabled</Status><Expiration><Date>2026-06-01T00:00:00Z</Date>`+
			`</Expiration></Rule>`,
		`<Rule><ID>off</ID><Filter/><Status>Disabled</Status>`+
			`<Expiration><Days>1</Days></Expiration></Rule>`))
	tests := []struct {
		name   string
		obj    Object
		want   time.Time
		ruleID string
		ok     bool
	}{
		{"a matching prefix expires at the midnight after its days",
			Object{Key: "logs/a", ModTime: mod},
			time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC), "logs", true},
		{"a matching tag expires after its rule's days",
			Object{Key: "x", ModTime: mod, Tags: map[string]string{"tmp": "yes"}},
			time.Date(2026, 1, 19, 0, 0, 0, 0, time.UTC), "tmp", true},
		{"the earliest of two rules wins",
			Object{Key: "logs/b", ModTime: mod, Tags: map[string]string{"tmp": "yes"}},
			time.Date(2026, 1, 17, 0, 0, 0, 0, time.UTC), "logs", true},
		{"a large object expires on the date",
			Object{Key: "y", Size: 2000, ModTime: mod},
			time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), "big", true},
		{"an object no enabled rule selects never expires",
			Object{Key: "y", Size: 10, ModTime: mod, Tags: map[string]string{"tmp": "no"}},
			time.Time{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at, id, ok := c.Expiration(tt.obj)
			if !at.Equal(tt.want) || id != tt.ruleID || ok != tt.ok {
				t.Errorf("got %v %q %v, want %v %q %v", at, id, ok, tt.want, tt.ruleID, tt.ok)
			}
		})
	}
}

func TestNoncurrentAndUploadRules(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := mustParse(t, wrap(`<Rule><ID>n</ID><Filter><Prefix>d/</Prefix></Filter>`+
		`<Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>2`+
		`</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions>`+
		`</NoncurrentVersionExpiration><AbortIncompleteMultipartUpload>`+
		`<DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`))
	later := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"a noncurrent version past its days with one newer is expired",
			c.NoncurrentExpired(Object{Key: "d/a"}, since, 1, later), true},
		{"the newest noncurrent version is kept by NewerNoncurrentVersions",
			c.NoncurrentExpired(Object{Key: "d/a"}, since, 0, later), false},
		{"a noncurrent version before its days is kept",
			c.NoncurrentExpired(Object{Key: "d/a"}, since, 1, later.Add(-time.Second)), false},
		{"a noncurrent version outside the prefix is kept",
			c.NoncurrentExpired(Object{Key: "e/a"}, since, 1, later), false},
		{"an upload a day and a half old is stale",
			c.UploadExpired("d/u", since, since.Add(36*time.Hour)), true},
		{"an upload half a day old is not stale",
			c.UploadExpired("d/u", since, since.Add(12*time.Hour)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}
