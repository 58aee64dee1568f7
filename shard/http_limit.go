package shard

import (
	"context"
	"sync"
)

// HostLimiter caps the requests in flight to each host. Sources that share
// one share the cap, which is what protects a server (and the client's
// connection pool) when a dataset opens many files on the same host.
//
// Requests made under a context marked with ReadAhead may take at most
// three quarters of a host's slots (at least one slot is always kept), so
// that a burst of fetching ahead never makes a read the caller is waiting
// for queue behind it.
type HostLimiter struct {
	perHost int
	mu      sync.Mutex
	hosts   map[string]*hostSlots
}

type hostSlots struct {
	slots chan struct{} // every request takes one
	ahead chan struct{} // read-ahead requests take one of these first
	users int           // acquirers holding or waiting; the entry goes at zero
}

// NewHostLimiter returns a limiter allowing perHost requests in flight to
// each host; perHost < 1 is taken as 1.
func NewHostLimiter(perHost int) *HostLimiter {
	return &HostLimiter{perHost: max(perHost, 1), hosts: map[string]*hostSlots{}}
}

// aheadSlots is how many of perHost slots read-ahead may hold: all but a
// quarter, and at least one.
func aheadSlots(perHost int) int {
	return max(perHost-max(perHost/4, 1), 1)
}

type readAheadKey struct{}

// ReadAhead marks the requests made under the returned context as reading
// ahead of what a caller waits for (prefetch): a HostLimiter keeps some
// of each host's slots free of them.
func ReadAhead(ctx context.Context) context.Context {
	return context.WithValue(ctx, readAheadKey{}, true)
}

func isReadAhead(ctx context.Context) bool {
	v, _ := ctx.Value(readAheadKey{}).(bool)
	return v
}

// acquire waits for a slot for host and returns the function that gives it
// back.
func (l *HostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	h := l.hosts[host]
	if h == nil {
		h = &hostSlots{slots: make(chan struct{}, l.perHost), ahead: make(chan struct{}, aheadSlots(l.perHost))}
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
	ahead := isReadAhead(ctx)
	if ahead {
		select {
		case h.ahead <- struct{}{}:
		case <-ctx.Done():
			done()
			return nil, context.Cause(ctx)
		}
	}
	select {
	case h.slots <- struct{}{}:
		return func() {
			<-h.slots
			if ahead {
				<-h.ahead
			}
			done()
		}, nil
	case <-ctx.Done():
		if ahead {
			<-h.ahead
		}
		done()
		return nil, context.Cause(ctx)
	}
}
