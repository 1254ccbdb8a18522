package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// pollInterval is how often a wait asks the control plane again.
const pollInterval = 500 * time.Millisecond

// progress is what a wait reads from a resource.
type progress struct {
	generation         int64
	observedGeneration int64
	conditions         model.Conditions
	deleting           bool // a DELETE was accepted and the work runs
}

// ready reports whether the control plane made the current generation real.
func (p progress) ready() bool {
	return p.conditions.IsTrue(model.ConditionReady) && p.observedGeneration >= p.generation
}

// timeoutError says that a wait ran out of time, with what it saw last.
type timeoutError struct {
	goal    string    // what the wait waited for, such as "become ready"
	last    *progress // the last answer, or nil when there was none
	lastErr error     // the last poll's error, when it failed
}

func (e *timeoutError) Error() string {
	return "provider: timed out waiting to " + e.goal + ": " + e.report()
}

// report says, one line each, what the control plane reported last.
func (e *timeoutError) report() string {
	var lines []string
	if e.last == nil && e.lastErr == nil {
		lines = append(lines, "The control plane never answered a poll.")
	}
	if e.last != nil {
		lines = append(lines, e.last.describe()...)
	}
	if e.lastErr != nil {
		lines = append(lines, fmt.Sprintf("The last poll failed: %v", e.lastErr))
	}
	return strings.Join(lines, "\n")
}

// describe lists the conditions that explain a wait, then the generations.
func (p progress) describe() []string {
	var lines []string
	for _, typ := range []string{model.ConditionReady, model.ConditionDegraded,
		model.ConditionReconciling} {
		if c := p.conditions.Get(typ); c != nil {
			lines = append(lines, describeCondition(c))
		}
	}
	if p.conditions.Get(model.ConditionReady) == nil {
		lines = append(lines, "The control plane reports no Ready condition yet.")
	}
	if p.observedGeneration < p.generation {
		lines = append(lines, fmt.Sprintf("The control plane has worked on generation %d "+
			"of %d so far.", p.observedGeneration, p.generation))
	}
	return lines
}

func describeCondition(c *model.Condition) string {
	s := c.Type + ": " + c.Status
	if c.Reason != "" {
		s += " (" + c.Reason + ")"
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}

// waiter polls one resource through get until it is ready or gone.
type waiter[T any] struct {
	get      func(context.Context) (*T, error)
	progress func(*T) progress
	interval time.Duration
}

// transient reports whether a failed poll is worth repeating: the control
// plane was unreachable or failed, but did not refuse the request.
func transient(err error) bool {
	code := client.StatusCode(err)
	return code == 0 || code >= 500
}

// firstPoll is how soon a wait asks again after its first answer; each
// further pause doubles, up to the waiter's interval. Most work takes the
// control plane a few tens of milliseconds, so a wait that slept a whole
// interval at once would make every apply of many resources pay it.
const firstPoll = 25 * time.Millisecond

// pauses returns the successive pauses of a wait: firstPoll doubling up to
// interval.
func pauses(interval time.Duration) func() time.Duration {
	next := min(firstPoll, interval)
	return func() time.Duration {
		d := next
		next = min(2*next, interval)
		return d
	}
}

// ready polls until the resource is ready and returns its last reading.
// It returns the last reading it had along with any error, so that the
// caller can save what exists.
func (w waiter[T]) ready(ctx context.Context) (*T, error) {
	var last *T
	var lastErr error
	pause := pauses(w.interval)
	for {
		obj, err := w.get(ctx)
		switch {
		case err == nil:
			last, lastErr = obj, nil
			p := w.progress(obj)
			if p.ready() {
				return obj, nil
			}
			if err := rejected(p); err != nil {
				return obj, err
			}
		case !transient(err):
			return last, err
		case ctx.Err() == nil:
			lastErr = err
		}
		if err := sleep(ctx, pause()); err != nil {
			return last, w.stopped(err, "become ready", last, lastErr)
		}
	}
}

// gone polls until the resource is not found.
func (w waiter[T]) gone(ctx context.Context) error {
	var last *T
	var lastErr error
	pause := pauses(w.interval)
	for {
		obj, err := w.get(ctx)
		switch {
		case client.IsNotFound(err):
			return nil
		case err == nil:
			last, lastErr = obj, nil
			if err := refused(w.progress(obj)); err != nil {
				return err
			}
		case !transient(err):
			return err
		case ctx.Err() == nil:
			lastErr = err
		}
		if err := sleep(ctx, pause()); err != nil {
			return w.stopped(err, "be deleted", last, lastErr)
		}
	}
}

// rejectedReasons are the reasons of a False Ready condition that no
// amount of waiting changes: the tenant refused the declared value, so the
// configuration must change.
var rejectedReasons = map[string]bool{"RejectedByTenant": true}

// rejected returns an error when the current generation's Ready condition
// is False for a reason that waiting cannot cure.
func rejected(p progress) error {
	c := p.conditions.Get(model.ConditionReady)
	if c == nil || c.Status != model.StatusFalse || !rejectedReasons[c.Reason] ||
		c.ObservedGeneration < p.generation {
		return nil
	}
	return &conditionError{what: "the tenant refused what the configuration declares",
		condition: describeCondition(c),
		advice: "Waiting would not help: change the configuration as the message says, " +
			"then run terraform apply again."}
}

// conditionError is a wait ended by a condition that waiting cannot
// change: what happened, the condition, and what to do.
type conditionError struct {
	what, condition, advice string
}

func (e *conditionError) Error() string {
	return "provider: " + e.what + ": " + e.condition
}

// refused returns an error when the control plane gave up a delete it had
// accepted and kept the resource, saying why.
func refused(p progress) error {
	c := p.conditions.Get(model.ConditionDeleteRefused)
	if p.deleting || c == nil || c.Status != model.StatusTrue {
		return nil
	}
	return &conditionError{what: "the control plane refused the delete and kept the resource",
		condition: describeCondition(c),
		advice:    "Do what the condition's message says, then run terraform again."}
}

// stopped turns the end of a wait's context into its error.
func (w waiter[T]) stopped(ctxErr error, goal string, last *T, lastErr error) error {
	if !errors.Is(ctxErr, context.DeadlineExceeded) {
		return fmt.Errorf("provider: waiting to %s: %w", goal, ctxErr)
	}
	te := &timeoutError{goal: goal, lastErr: lastErr}
	if last != nil {
		p := w.progress(last)
		te.last = &p
	}
	return te
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
