package reconcile

import (
	"context"
	"sync"
	"time"
)

// queue holds the names waiting to be reconciled, each with the time it is
// due. A name is queued at most once, and handed to one worker at a time:
// a name added while it is being worked on is handed out again after.
type queue struct {
	mu      sync.Mutex
	due     map[string]time.Time
	active  map[string]bool
	wake    chan struct{}
	retries map[string]int
}

func newQueue() *queue {
	return &queue{
		due:     map[string]time.Time{},
		active:  map[string]bool{},
		wake:    make(chan struct{}, 1),
		retries: map[string]int{},
	}
}

// add queues name to be worked on after d; an earlier due time wins.
func (q *queue) add(name string, d time.Duration) {
	at := time.Now().Add(d)
	q.mu.Lock()
	if cur, ok := q.due[name]; !ok || at.Before(cur) {
		q.due[name] = at
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// next blocks until a name is due and not being worked on, marks it
// active and returns it. It returns false when ctx ends.
func (q *queue) next(ctx context.Context) (string, bool) {
	for {
		name, wait := q.pick()
		if name != "" {
			return name, true
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", false
		case <-q.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (q *queue) pick() (string, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	wait := time.Hour
	for name, at := range q.due {
		if q.active[name] {
			continue
		}
		if !at.After(now) {
			delete(q.due, name)
			q.active[name] = true
			return name, 0
		}
		wait = min(wait, at.Sub(now))
	}
	return "", wait
}

// done releases name after a worker finished with it; err decides whether
// it is retried with backoff. requeue > 0 queues it again after that long.
func (q *queue) done(name string, requeue time.Duration, err error) {
	q.mu.Lock()
	delete(q.active, name)
	if err != nil {
		q.retries[name]++
		requeue = backoff(q.retries[name])
	} else {
		delete(q.retries, name)
	}
	q.mu.Unlock()
	if requeue > 0 {
		q.add(name, requeue)
		return
	}
	select { // another add may have come in while it was active
	case q.wake <- struct{}{}:
	default:
	}
}

// backoff doubles from half a second up to half a minute.
func backoff(retries int) time.Duration {
	d := 500 * time.Millisecond << min(retries-1, 6)
	return min(d, 30*time.Second)
}
