package shard

import (
	"context"
	"sync"
)

// HostLimiter caps the requests in flight to each host. Sources that share
// one share the cap, which is what protects a server (and the client's
// connection pool) when a dataset opens many files on the same host.
type HostLimiter struct {
	perHost int
	mu      sync.Mutex
	hosts   map[string]*hostSlots
}

type hostSlots struct {
	slots chan struct{}
	users int // acquirers holding or waiting; the entry goes at zero
}

// NewHostLimiter returns a limiter allowing perHost requests in flight to
// each host; perHost < 1 is taken as 1.
func NewHostLimiter(perHost int) *HostLimiter {
	return &HostLimiter{perHost: max(perHost, 1), hosts: map[string]*hostSlots{}}
}

// acquire waits for a slot for host and returns the function that gives it
// back.
func (l *HostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	h := l.hosts[host]
	if h == nil {
		h = &hostSlots{slots: make(chan struct{}, l.perHost)}
		l.hosts[host] = h
	}
	h.users++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		if h.users--; h.users == 0 {
			delete(l.hosts, host)
		}
		l.mu.Unlock()
	}
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots; done() }, nil
	case <-ctx.Done():
		done()
		return nil, context.Cause(ctx)
	}
}
