package lifecycle

import (
	"strings"
	"time"
)

// day is the unit of every rule's count.
const day = 24 * time.Hour

// Object is what the rules look at in an object version.
type Object struct {
	Key     string
	Size    int64
	ModTime time.Time
	// Tags are the version's tags; nil when it has none.
	Tags map[string]string
}

// Expiration returns when the current version o expires and the ID of the
// enabled rule that says so (the earliest when several do); ok is false
// when no rule expires it.
func (c *Configuration) Expiration(o Object) (at time.Time, ruleID string, ok bool) {
	for i := range c.Rules {
		r := &c.Rules[i]
		e := r.Expiration
		if !r.enabled() || e == nil || !r.matches(o) {
			continue
		}
		t, has := e.at(o.ModTime)
		if has && (!ok || t.Before(at)) {
			at, ruleID, ok = t, r.ID, true
		}
	}
	return at, ruleID, ok
}

// NoncurrentExpired reports whether a noncurrent version o, which stopped
// being current at since and has newer noncurrent versions of its key
// newer than it, has expired at now under some enabled rule.
func (c *Configuration) NoncurrentExpired(o Object, since time.Time, newer int,
	now time.Time) bool {
	for i := range c.Rules {
		r := &c.Rules[i]
		n := r.NoncurrentVersionExpiration
		if !r.enabled() || n == nil || n.NoncurrentDays == nil || !r.matches(o) {
			continue
		}
		if n.NewerNoncurrentVersions != nil && newer < *n.NewerNoncurrentVersions {
			continue
		}
		if !now.Before(afterDays(since, *n.NoncurrentDays)) {
			return true
		}
	}
	return false
}

// DeleteMarkerExpired reports whether a delete marker of key that is the
// key's only version may be removed: an enabled rule whose filter names no
// tags nor sizes selects it with ExpiredObjectDeleteMarker.
func (c *Configuration) DeleteMarkerExpired(key string) bool {
	for i := range c.Rules {
		r := &c.Rules[i]
		e := r.Expiration
		if !r.enabled() || e == nil || e.ExpiredObjectDeleteMarker == nil ||
			!*e.ExpiredObjectDeleteMarker || r.hasTags() || r.hasSizes() {
			continue
		}
		if strings.HasPrefix(key, r.prefix()) {
			return true
		}
	}
	return false
}

// UploadExpired reports whether a multipart upload of key initiated at
// initiated is to be aborted at now.
func (c *Configuration) UploadExpired(key string, initiated, now time.Time) bool {
	for i := range c.Rules {
		r := &c.Rules[i]
		a := r.AbortIncomplete
		if !r.enabled() || a == nil || a.DaysAfterInitiation == nil ||
			!strings.HasPrefix(key, r.prefix()) {
			continue
		}
		if !now.Before(afterDays(initiated, *a.DaysAfterInitiation)) {
			return true
		}
	}
	return false
}

// HasUploadRules reports whether some enabled rule aborts uploads.
func (c *Configuration) HasUploadRules() bool {
	for i := range c.Rules {
		if c.Rules[i].enabled() && c.Rules[i].AbortIncomplete != nil {
			return true
		}
	}
	return false
}

// at returns when a current version modified at mod expires, if Days or
// Date say.
func (e *Expiration) at(mod time.Time) (time.Time, bool) {
	switch {
	case e.Days != nil:
		return afterDays(mod, *e.Days), true
	case e.Date != nil:
		t, err := parseDate(*e.Date)
		return t, err == nil
	}
	return time.Time{}, false
}

// afterDays is t plus n days, rounded up to the next midnight UTC, which is
// how S3 counts a rule's days.
func afterDays(t time.Time, n int) time.Time {
	end := t.UTC().Add(time.Duration(n) * day)
	midnight := end.Truncate(day)
	if midnight.Before(end) {
		midnight = midnight.Add(day)
	}
	return midnight
}

// enabled reports whether the rule is in force.
func (r *Rule) enabled() bool { return r.Status == StatusEnabled }

// prefix returns the key prefix the rule selects, "" for every key.
func (r *Rule) prefix() string {
	switch f := r.Filter; {
	case f == nil && r.Prefix != nil:
		return *r.Prefix
	case f == nil:
		return ""
	case f.Prefix != nil:
		return *f.Prefix
	case f.And != nil && f.And.Prefix != nil:
		return *f.And.Prefix
	}
	return ""
}

// matches reports whether the rule's filter selects o.
func (r *Rule) matches(o Object) bool {
	if !strings.HasPrefix(o.Key, r.prefix()) {
		return false
	}
	f := r.Filter
	if f == nil {
		return true
	}
	if f.And != nil {
		return hasTags(o.Tags, f.And.Tags) &&
			inSize(o.Size, f.And.ObjectSizeGreaterThan, f.And.ObjectSizeLessThan)
	}
	if f.Tag != nil && !hasTags(o.Tags, []Tag{*f.Tag}) {
		return false
	}
	return inSize(o.Size, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan)
}

// hasTags reports whether have holds every tag of want.
func hasTags(have map[string]string, want []Tag) bool {
	for _, t := range want {
		if v, ok := have[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// inSize reports whether size is within the bounds set (both exclusive).
func inSize(size int64, gt, lt *int64) bool {
	return (gt == nil || size > *gt) && (lt == nil || size < *lt)
}

// needsTags reports whether some enabled rule filters on tags.
func (c *Configuration) needsTags() bool {
	for i := range c.Rules {
		if c.Rules[i].enabled() && c.Rules[i].hasTags() {
			return true
		}
	}
	return false
}
