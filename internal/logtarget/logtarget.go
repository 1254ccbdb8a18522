// Package logtarget holds the rules of an audit or log target (a webhook
// or an Elasticsearch index that receives JSON records), shared by the
// control plane, which checks a tenant's targets when they are declared,
// and storaged, which checks its --audit-target and --log-target flags: a
// target the control plane accepts is one every node starts with.
package logtarget

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Target types.
const (
	Webhook       = "webhook"
	Elasticsearch = "elasticsearch"
)

// Problem is one thing wrong with a target: the field (type, endpoint or
// index) and what to do.
type Problem struct {
	Field, Message string
}

// Check returns what is wrong with a target of type typ at endpoint with
// index. An elasticsearch target may leave its index empty: storaged then
// uses a default per stream.
func Check(typ, endpoint, index string) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	switch typ {
	case Webhook:
		if index != "" {
			add("index", "is only used by elasticsearch targets: leave it out")
		}
	case Elasticsearch:
		if msg := indexProblem(index); msg != "" {
			add("index", "%q %s", index, msg)
		}
	case "":
		add("type", "is required: give %s or %s", Webhook, Elasticsearch)
	default:
		add("type", "%q is not a target type: use %s or %s", typ, Webhook, Elasticsearch)
	}
	if msg := endpointProblem(typ, endpoint); msg != "" {
		add("endpoint", "%s", msg)
	}
	return ps
}

// endpointProblem says what is wrong with endpoint, or "".
func endpointProblem(typ, endpoint string) string {
	if endpoint == "" {
		return "is required: give the target's http or https URL"
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "is not an http or https URL such as https://logs.example.com:9200"
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http or https URL such as "+
			"https://logs.example.com:9200", u.Redacted())
	}
	switch {
	case u.User != nil:
		return "must not carry a user or password: it would show in the tenant, the " +
			"Terraform state and the nodes' command lines, and targets take no " +
			"credentials yet; use a target that needs none, or a proxy on its network"
	case u.Fragment != "":
		return fmt.Sprintf("%q has a fragment (#...), which an HTTP request cannot carry: "+
			"remove it", u.Redacted())
	case typ == Elasticsearch && u.RawQuery != "":
		return fmt.Sprintf("%q has a query: an elasticsearch endpoint is the base URL "+
			"that /_bulk is added to; remove it", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("%q has port %s: use 1 to 65535", u.Redacted(), p)
		}
	}
	return ""
}

// indexProblem says what Elasticsearch would refuse in an index name, or
// "" when it takes it (an empty name: the default).
func indexProblem(index string) string {
	switch {
	case index == "":
		return ""
	case index == "." || index == "..":
		return "is not an index name: Elasticsearch refuses . and .."
	case len(index) > 255:
		return "is longer than Elasticsearch's 255 bytes"
	case strings.ToLower(index) != index:
		return "has upper-case letters, which Elasticsearch refuses in index names"
	case strings.ContainsAny(index[:1], "-_+"):
		return "starts with -, _ or +, which Elasticsearch refuses"
	case strings.ContainsAny(index, ` \/*?"<>|,#:`):
		return `has a space or one of \ / * ? " < > | , # :, which Elasticsearch refuses ` +
			"in index names"
	}
	return ""
}

// Key identifies a target, so that the same one given twice can be told
// apart from two targets.
func Key(typ, endpoint, index string) string {
	return typ + " " + strings.TrimSuffix(endpoint, "/") + " " + index
}
