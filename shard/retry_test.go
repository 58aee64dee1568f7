package shard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestServerDelay(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header http.Header
		want   time.Duration
		found  bool
	}{
		{"nothing", http.Header{}, 0, false},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{"zero", http.Header{"Retry-After": {"0"}}, 0, true},
		{"date", http.Header{"Retry-After": {"Sun, 01 Jun 2025 12:00:30 GMT"}}, 30 * time.Second, true},
		{"past date", http.Header{"Retry-After": {"Sun, 01 Jun 2025 11:00:00 GMT"}}, 0, true},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"negative", http.Header{"Retry-After": {"-5"}}, 0, false},
		{"huge", http.Header{"Retry-After": {"99999999999999999999"}}, 0, false},
		{"very long", http.Header{"Retry-After": {"9999999999"}}, maxHeaderDelay, true},
		{"draft 7 spent", http.Header{"Ratelimit": {"limit=100, remaining=0, reset=12"}}, 12 * time.Second, true},
		{"draft 7 left", http.Header{"Ratelimit": {"limit=100, remaining=3, reset=12"}}, 0, false},
		{"draft 8 hub", http.Header{"Ratelimit": {`"api";r=0;t=55`}}, 55 * time.Second, true},
		{"draft 8 several", http.Header{"Ratelimit": {`"burst";r=5;t=1, "daily";r=0;t=300, "hourly";r=0;t=60`}}, 300 * time.Second, true},
		{"draft 8 quoted comma", http.Header{"Ratelimit": {`"a,b";r=0;t=9`}}, 9 * time.Second, true},
		{"draft 8 left", http.Header{"Ratelimit": {`"api";r=10;t=55`}}, 0, false},
		{"reset header", http.Header{"Ratelimit-Reset": {"4"}}, 4 * time.Second, true},
		{"reset header, quota left", http.Header{"Ratelimit-Reset": {"4"}, "Ratelimit-Remaining": {"2"}}, 0, false},
		{"longest wins", http.Header{"Retry-After": {"3"}, "Ratelimit": {`"api";r=0;t=8`}}, 8 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found := serverDelay(tc.header, now)
			if got != tc.want || found != tc.found {
				t.Fatalf("serverDelay = %v, %v; want %v, %v", got, found, tc.want, tc.found)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for _, tc := range []struct {
		failures int
		max      time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{50, time.Second},
	} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.backoff(tc.failures)
			if d < tc.max/2 || d > tc.max {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tc.failures, d, tc.max/2, tc.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("backoff(%d) took only %d values in 200 draws: not jittered", tc.failures, len(seen))
		}
	}
	if d := (RetryPolicy{}).backoff(1); d < DefaultMinBackoff/2 || d > DefaultMinBackoff {
		t.Fatalf("default first backoff %v", d)
	}
}

func TestTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&StatusError{Code: 408}, true},
		{&StatusError{Code: 429}, true},
		{&StatusError{Code: 500}, true},
		{&StatusError{Code: 503}, true},
		{&StatusError{Code: 501}, false},
		{&StatusError{Code: 404}, false},
		{&StatusError{Code: 403}, false},
		{&StatusError{Code: 416}, false},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{io.EOF, true},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{&url.Error{Op: "Get", Err: syscall.ECONNREFUSED}, true},
		{&errTimeout{"no data"}, true},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{&net.DNSError{Err: "server misbehaving", IsTemporary: true}, true},
		{&tls.CertificateVerificationError{Err: errors.New("bad cert")}, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{fmt.Errorf("x: %w", ErrChanged), false},
		{fmt.Errorf("x: %w", ErrBadResponse), false},
		{errors.New("stream error: stream ID 3; INTERNAL_ERROR"), true},
		{errors.New("something unknown"), false},
	} {
		if got := temporary(tc.err); got != tc.want {
			t.Errorf("temporary(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestRetryDo(t *testing.T) {
	fast := RetryPolicy{MaxAttempts: 3, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond}
	transient := &StatusError{Code: 503}
	t.Run("succeeds after failures", func(t *testing.T) {
		calls := 0
		err := fast.do(context.Background(), func(context.Context) (bool, error) {
			if calls++; calls < 3 {
				return false, transient
			}
			return false, nil
		})
		if err != nil || calls != 3 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
	})
	t.Run("gives up", func(t *testing.T) {
		calls := 0
		err := fast.do(context.Background(), func(context.Context) (bool, error) { calls++; return false, transient })
		if !errors.Is(err, transient) || calls != 3 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
	})
	t.Run("permanent at once", func(t *testing.T) {
		calls := 0
		err := fast.do(context.Background(), func(context.Context) (bool, error) { calls++; return false, ErrChanged })
		if !errors.Is(err, ErrChanged) || calls != 1 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
	})
	t.Run("progress resets the count", func(t *testing.T) {
		calls := 0
		err := fast.do(context.Background(), func(context.Context) (bool, error) {
			if calls++; calls < 20 {
				return calls%2 == 0, io.ErrUnexpectedEOF // progress every other call
			}
			return true, nil
		})
		if err != nil || calls != 20 {
			t.Fatalf("err %v after %d calls", err, calls)
		}
	})
	t.Run("context ends the wait", func(t *testing.T) {
		slow := RetryPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		err := slow.do(ctx, func(context.Context) (bool, error) { return false, transient })
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, transient) {
			t.Fatalf("err %v, want both the last failure and the context's error", err)
		}
	})
	t.Run("server delay honoured", func(t *testing.T) {
		calls := 0
		start := time.Now()
		err := fast.do(context.Background(), func(context.Context) (bool, error) {
			if calls++; calls == 1 {
				return false, &StatusError{Code: 429, delay: 30 * time.Millisecond, hinted: true}
			}
			return false, nil
		})
		if err != nil || time.Since(start) < 30*time.Millisecond {
			t.Fatalf("err %v after %v, want a wait of 30ms", err, time.Since(start))
		}
	})
}

func TestHostLimiter(t *testing.T) {
	l := NewHostLimiter(2)
	ctx := context.Background()
	r1, _ := l.acquire(ctx, "a")
	r2, _ := l.acquire(ctx, "a")
	rb, err := l.acquire(ctx, "b") // another host is not held up
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(short, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third slot of two: %v", err)
	}
	r1()
	r3, err := l.acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	r2()
	r3()
	rb()
	if len(l.hosts) != 0 {
		t.Fatalf("%d hosts left in the limiter after every release", len(l.hosts))
	}
}
