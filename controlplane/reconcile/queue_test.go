package reconcile

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestQueueDeliversEachNameOnce(t *testing.T) {
	t.Parallel()
	q := newQueue()
	q.add("a", 0)
	q.add("a", 0)
	q.add("b", 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	got := map[string]int{}
	for range 2 {
		name, ok := q.next(ctx)
		if !ok {
			t.Fatal("queue ended early")
		}
		got[name]++
	}
	if got["a"] != 1 || got["b"] != 1 {
		t.Errorf("got %v, want a and b once each", got)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if name, ok := q.next(short); ok {
		t.Errorf("got %q, want nothing left", name)
	}
}

func TestQueueHoldsANameWhileItIsWorkedOn(t *testing.T) {
	t.Parallel()
	q := newQueue()
	q.add("a", 0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if name, _ := q.next(ctx); name != "a" {
		t.Fatalf("got %q, want a", name)
	}
	q.add("a", 0) // a change arrives while a is being reconciled
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if name, ok := q.next(short); ok {
		t.Fatalf("got %q while a was active, want nothing", name)
	}
	q.done("a", 0, nil)
	if name, ok := q.next(ctx); !ok || name != "a" {
		t.Errorf("after done: got %q, %v; want a again", name, ok)
	}
}

func TestQueueBacksOffOnErrors(t *testing.T) {
	t.Parallel()
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := backoff(50); got != 30*time.Second {
		t.Errorf("backoff(50) = %s, want the 30s cap", got)
	}
	q := newQueue()
	q.add("a", 0)
	ctx := context.Background()
	name, _ := q.next(ctx)
	q.done(name, 0, errors.New("boom"))
	q.mu.Lock()
	due := time.Until(q.due["a"])
	q.mu.Unlock()
	if due < 400*time.Millisecond || due > 600*time.Millisecond {
		t.Errorf("retry due in %s, want about 500ms", due)
	}
}
