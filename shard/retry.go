package shard

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Defaults of RetryPolicy.
const (
	DefaultMaxAttempts    = 6
	DefaultMinBackoff     = 250 * time.Millisecond
	DefaultMaxBackoff     = 15 * time.Second
	DefaultMaxServerDelay = 2 * time.Minute
)

// RetryPolicy says how remote reads retry transient failures: 408, 429 and
// 5xx answers, connection resets, timeouts and bodies cut short. 404, 401,
// 403, 416, a changed object and a malformed answer fail at once. The zero
// value uses the defaults.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts in a row that fail without reading a
	// byte; 0 means DefaultMaxAttempts and 1 turns retries off. An attempt
	// that read part of a body before failing resets the count, because the
	// next one resumes at the offset reached: a flaky connection slows a
	// read down but does not fail it as long as bytes keep arriving.
	MaxAttempts int

	// MinBackoff is the wait after the first failure. It doubles with each
	// failure in a row up to MaxBackoff, and each wait is drawn uniformly
	// from [d/2, d] so that many clients failing together do not retry in
	// step. Zero means the defaults.
	MinBackoff, MaxBackoff time.Duration

	// MaxServerDelay is the longest wait a server may ask for with
	// Retry-After or the RateLimit headers; 0 means DefaultMaxServerDelay.
	// Such a wait replaces the backoff when it is longer. A server asking
	// for more fails the read at once: retrying sooner would be refused.
	MaxServerDelay time.Duration
}

func (p RetryPolicy) maxAttempts() int {
	if p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (p RetryPolicy) maxServerDelay() time.Duration {
	if p.MaxServerDelay > 0 {
		return p.MaxServerDelay
	}
	return DefaultMaxServerDelay
}

// backoff is the jittered wait after the given number of failures in a row
// (1 for the first).
func (p RetryPolicy) backoff(failures int) time.Duration {
	lo, hi := p.MinBackoff, p.MaxBackoff
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi <= 0 {
		hi = DefaultMaxBackoff
	}
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}

// do runs op until it succeeds, fails permanently, fails MaxAttempts times
// in a row or ctx ends. op reports whether it made progress before failing,
// which resets the count of failures in a row.
func (p RetryPolicy) do(ctx context.Context, op func(ctx context.Context) (progress bool, err error)) error {
	failures := 0
	for {
		progress, err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !temporary(err) {
			return err
		}
		if progress {
			failures = 0
		}
		failures++
		if failures >= p.maxAttempts() {
			return fmt.Errorf("%w (gave up after %d attempts in a row)", err, failures)
		}
		wait := p.backoff(failures)
		if d, ok := hintedDelay(err); ok {
			if d > p.maxServerDelay() {
				return fmt.Errorf("%w (server asks to wait %v, more than the %v allowed)", err, d, p.maxServerDelay())
			}
			wait = max(wait, d)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w; retry abandoned: %w", err, serr)
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// hintedDelay returns the wait the server asked for on the response behind
// err, if any.
func hintedDelay(err error) (time.Duration, bool) {
	var se *StatusError
	if errors.As(err, &se) && se.hinted {
		return se.delay, true
	}
	return 0, false
}
