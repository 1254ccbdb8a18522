package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-storage/strata/storaged/telemetry"
)

// Environment variables of --audit-target and --log-target: a JSON array
// of target objects.
const (
	envAuditTargets = "STORAGED_AUDIT_TARGETS"
	envLogTargets   = "STORAGED_LOG_TARGETS"
)

// telemetryFlushTimeout bounds how long a stopping node sends the records
// still queued.
const telemetryFlushTimeout = 3 * time.Second

// targetList is a repeatable --audit-target or --log-target flag, each
// value one JSON target object, kept as given until checkTargets.
type targetList []string

func (l *targetList) String() string { return strings.Join(*l, " ") }

func (l *targetList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// setFromEnv fills the list from a JSON array of target objects.
func (l *targetList) setFromEnv(name, v string) error {
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return fmt.Errorf("%s: give a JSON array of target objects: %w", name, err)
	}
	for _, r := range raw {
		*l = append(*l, string(r))
	}
	return nil
}

// checkTargets parses the values of flag, reporting every bad one by its
// place; an elasticsearch target without an index gets defaultIndex.
func checkTargets(flag string, values []string,
	defaultIndex string) ([]telemetry.Target, error) {
	var errs []error
	out := make([]telemetry.Target, 0, len(values))
	seen := map[string]int{}
	for i, v := range values {
		t, err := telemetry.ParseTarget(v, defaultIndex)
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s #%d: %w", flag, i+1, err))
			continue
		}
		if j, dup := seen[t.Key()]; dup {
			errs = append(errs, fmt.Errorf("--%s #%d is the same target as #%d: give each "+
				"target once", flag, i+1, j+1))
			continue
		}
		seen[t.Key()] = i
		out = append(out, t)
	}
	return out, errors.Join(errs...)
}

// targetEnvFallbacks fills --audit-target and --log-target from the
// environment when neither flag of the pair was given.
func targetEnvFallbacks(raw *rawFlags, given map[string]bool,
	getenv func(string) string) error {
	if v := getenv(envAuditTargets); v != "" && !given["audit-target"] {
		if err := raw.auditTargets.setFromEnv(envAuditTargets, v); err != nil {
			return err
		}
	}
	if v := getenv(envLogTargets); v != "" && !given["log-target"] {
		return raw.logTargets.setFromEnv(envLogTargets, v)
	}
	return nil
}

// targetHelp is the help text of --audit-target and --log-target.
func targetHelp(what, index, env string) string {
	return what + " go here: one JSON object {\"type\":\"webhook\"|\"elasticsearch\"," +
		"\"endpoint\":\"http(s)://...\",\"index\":\"...\"} (index for elasticsearch only, " +
		"default " + index + "); repeat for more targets; unknown fields are refused " +
		"(env " + env + ", a JSON array)"
}

// startTelemetry starts the shipper of the audit and log targets and hooks
// it to logger, or returns nil when there are none. It reports failures
// on a logger of its own that writes to stderr as logger does but is not
// shipped: a failing log target must not feed itself.
func startTelemetry(opts options, logger hclog.InterceptLogger,
	stderr io.Writer) (*telemetry.Shipper, error) {
	if len(opts.auditTargets) == 0 && len(opts.logTargets) == 0 {
		return nil, nil
	}
	unshipped := hclog.New(&hclog.LoggerOptions{Name: "storaged.telemetry",
		Level: opts.logLevel, JSONFormat: opts.logJSON, Output: stderr})
	tel, err := telemetry.New(telemetry.Config{Node: nodeName(opts), Audit: opts.auditTargets,
		Logs: opts.logTargets, LogLevel: opts.logLevel, Logger: unshipped})
	if err != nil {
		return nil, fmt.Errorf("starting the audit and log shipping: %w", err)
	}
	if len(opts.logTargets) > 0 {
		logger.RegisterSink(tel)
	}
	return tel, nil
}

// stopTelemetry sends what is still queued, for a bounded time.
func stopTelemetry(tel *telemetry.Shipper, logger hclog.InterceptLogger) {
	if tel == nil {
		return
	}
	logger.DeregisterSink(tel)
	ctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
	defer cancel()
	_ = tel.Close(ctx) // what could not be sent is counted as dropped
}

// nodeName names the node in audit and log records: its name in the
// topology, or its listen address until it knows the address it bound.
func nodeName(opts options) string {
	if opts.cluster != nil {
		return opts.cluster.topology.self
	}
	return opts.listen
}
