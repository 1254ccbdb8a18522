package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-storage/strata/controlplane/client"
	"github.com/strata-storage/strata/controlplane/model"
)

// answer is one scripted reply of a fake GET.
type answer struct {
	obj *progress
	err error
}

// script replays answers in order and repeats the last one.
type script struct {
	mu      sync.Mutex
	answers []answer
	calls   int
}

func (s *script) get(context.Context) (*progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.answers[min(s.calls, len(s.answers)-1)]
	s.calls++
	return a.obj, a.err
}

func (s *script) waiter() waiter[progress] {
	return waiter[progress]{
		get:      s.get,
		progress: func(p *progress) progress { return *p },
		interval: time.Millisecond,
	}
}

func apiError(code int, msg string) error {
	return &client.APIError{StatusCode: code,
		ErrorDetail: model.ErrorDetail{Code: code, Status: http.StatusText(code), Message: msg}}
}

func cond(typ, status, reason, msg string) model.Condition {
	return model.Condition{Type: typ, Status: status, Reason: reason, Message: msg}
}

var (
	readyNow = &progress{generation: 2, observedGeneration: 2,
		conditions: model.Conditions{cond(model.ConditionReady, model.StatusTrue, "", "")}}
	readyOld = &progress{generation: 2, observedGeneration: 1,
		conditions: model.Conditions{cond(model.ConditionReady, model.StatusTrue, "", "")}}
	degraded = &progress{generation: 1, observedGeneration: 1, conditions: model.Conditions{
		cond(model.ConditionReady, model.StatusFalse, "NodesStarting", "1 of 4 drives online"),
		cond(model.ConditionDegraded, model.StatusTrue, "DriveOffline", "drive 3 is offline"),
	}}
)

func TestWaiterReady(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []answer
		wantCalls int
		wantErr   string
	}{
		{"it returns at once when the resource is ready",
			[]answer{{obj: readyNow}}, 1, ""},
		{"it waits until the control plane observed the current generation",
			[]answer{{obj: readyOld}, {obj: readyOld}, {obj: readyNow}}, 3, ""},
		{"it polls again after a transport error",
			[]answer{{err: errors.New("connection refused")}, {obj: readyNow}}, 2, ""},
		{"it polls again after a server error",
			[]answer{{err: apiError(503, "busy")}, {obj: readyNow}}, 2, ""},
		{"it stops at an authentication error",
			[]answer{{err: apiError(401, "bad token")}, {obj: readyNow}}, 1, "bad token"},
		{"it stops when the resource is not found",
			[]answer{{obj: readyOld}, {err: apiError(404, "no such tenant")}}, 2,
			"no such tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answers: tt.answers}
			_, err := s.waiter().ready(context.Background())
			checkErr(t, err, tt.wantErr)
			if s.calls != tt.wantCalls {
				t.Errorf("got %d polls, want %d", s.calls, tt.wantCalls)
			}
		})
	}
}

// checkErr fails t unless err is nil when want is empty, or contains want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("got error %q, want none", err)
	case want != "" && err == nil:
		t.Errorf("got no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("got error %q, want one containing %q", err, want)
	}
}

func TestWaiterReadyTimesOutWithTheLastConditions(t *testing.T) {
	t.Parallel()
	s := &script{answers: []answer{{obj: degraded}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()

	last, err := s.waiter().ready(ctx)
	var te *timeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got error %v, want a *timeoutError", err)
	}
	if last != degraded {
		t.Errorf("got last reading %v, want the degraded one", last)
	}
	report := te.report()
	for _, want := range []string{"Ready: False (NodesStarting): 1 of 4 drives online",
		"Degraded: True (DriveOffline): drive 3 is offline"} {
		if !strings.Contains(report, want) {
			t.Errorf("got report %q, want it to contain %q", report, want)
		}
	}
}

func TestWaiterReadyStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	s := &script{answers: []answer{{obj: degraded}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := s.waiter().ready(ctx)
	var te *timeoutError
	if errors.As(err, &te) || !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled and no timeout", err)
	}
}

func TestWaiterGone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []answer
		wantCalls int
		wantErr   string
	}{
		{"it returns once the resource is not found",
			[]answer{{obj: degraded}, {obj: degraded}, {err: apiError(404, "gone")}}, 3, ""},
		{"it polls again after a transport error",
			[]answer{{err: errors.New("reset")}, {err: apiError(404, "gone")}}, 2, ""},
		{"it stops at a permission error",
			[]answer{{err: apiError(403, "not yours")}}, 1, "not yours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answers: tt.answers}
			err := s.waiter().gone(context.Background())
			checkErr(t, err, tt.wantErr)
			if s.calls != tt.wantCalls {
				t.Errorf("got %d polls, want %d", s.calls, tt.wantCalls)
			}
		})
	}
}

func TestWaiterGoneTimesOut(t *testing.T) {
	t.Parallel()
	s := &script{answers: []answer{{obj: degraded}}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()

	err := s.waiter().gone(ctx)
	var te *timeoutError
	if !errors.As(err, &te) || te.goal != "be deleted" {
		t.Fatalf("got error %v, want a timeout waiting to be deleted", err)
	}
	if !strings.Contains(te.report(), "drive 3 is offline") {
		t.Errorf("got report %q, want the Degraded condition's message", te.report())
	}
}

func TestRefusedDeleteEndsTheWait(t *testing.T) {
	t.Parallel()
	refusedCond := model.Conditions{{Type: model.ConditionDeleteRefused,
		Status: model.StatusTrue, Reason: "BucketNotEmpty", Message: "holds objects"}}
	tests := []struct {
		name    string
		p       progress
		wantErr bool
	}{
		{"a refusal after the delete ends it", progress{conditions: refusedCond}, true},
		{"a delete still running is not refused", progress{conditions: refusedCond,
			deleting: true}, false},
		{"no refusal condition is no refusal", progress{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := refused(tt.p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "holds objects") {
				t.Errorf("got %q, want the condition's message", err)
			}
		})
	}
}

func TestARejectionByTheTenantEndsTheWait(t *testing.T) {
	t.Parallel()
	rejectedNow := &progress{generation: 2, observedGeneration: 1, conditions: model.Conditions{{
		Type: model.ConditionReady, Status: model.StatusFalse, Reason: "RejectedByTenant",
		Message: "InvalidTag: the TagKey is invalid", ObservedGeneration: 2}}}
	rejectedBefore := &progress{generation: 3, observedGeneration: 1,
		conditions: rejectedNow.conditions}
	tests := []struct {
		name    string
		answers []answer
		wantErr string
	}{
		{"a rejection of this generation ends the wait at once",
			[]answer{{obj: rejectedNow}}, "InvalidTag"},
		{"a rejection of an older generation is waited out",
			[]answer{{obj: rejectedBefore}, {obj: readyNow}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{answers: tt.answers}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := s.waiter().ready(ctx)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want the wait to end ready", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestWaitsAskAgainSoonThenBackOff(t *testing.T) {
	t.Parallel()
	next := pauses(500 * time.Millisecond)
	var got []time.Duration
	for range 7 {
		got = append(got, next())
	}
	want := []time.Duration{25, 50, 100, 200, 400, 500, 500}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("got pauses %v, want %v ms", got, want)
		}
	}
	if short := pauses(time.Millisecond)(); short != time.Millisecond {
		t.Errorf("an interval under the first pause: got %v, want the interval", short)
	}
}
