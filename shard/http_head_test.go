package shard

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

// TestPrefetchHead: with PrefetchHead the open asks for the tail and the
// first block at once, and reading the head afterwards sends nothing.
func TestPrefetchHead(t *testing.T) {
	f := newFixture(t, 1<<20)
	opts := f.options()
	opts.PrefetchHead = true
	s := f.open(t, opts)
	checkRead(t, s, f.data, 0, 4096)
	checkRead(t, s, f.data, 100, 60000)
	reqs := f.proxy.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want the tail and the head: %+v", len(reqs), reqs)
	}
	ranges := map[string]bool{reqs[0].Range: true, reqs[1].Range: true}
	if !ranges["bytes=-65536"] || !ranges["bytes=0-65535"] {
		t.Errorf("ranges %v", ranges)
	}
	for _, r := range reqs {
		if r.Range == "bytes=0-65535" && r.IfMatch != "" {
			t.Errorf("the head request carries If-Match %q before any ETag is known", r.IfMatch)
		}
	}
}

// TestPrefetchHeadSmall: the tail holds a small object whole; the head
// request is not used.
func TestPrefetchHeadSmall(t *testing.T) {
	small := newFixture(t, 1000)
	opts := small.options()
	opts.PrefetchHead = true
	checkRead(t, small.open(t, opts), small.data, 0, 1000)
}

// TestPrefetchHeadOtherVersion: a head answered from another version of
// the object than the tail (it changed between the two) is dropped, and
// the read gets the pinned version's bytes.
func TestPrefetchHeadOtherVersion(t *testing.T) {
	f := newFixture(t, 1<<20)
	old := faultproxy.NewObject("object.bin", randomBytes(1<<20, 99))
	f.proxy.Always(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Header.Get("Range") == "bytes=0-65535" && r.Header.Get("If-Match") == "" {
			old.ServeHTTP(w, r) // the speculative head, from the old version
			return
		}
		next.ServeHTTP(w, r)
	})
	opts := f.options()
	opts.PrefetchHead = true
	s := f.open(t, opts)
	checkRead(t, s, f.data, 0, 4096)
	if n := f.proxy.Count(); n != 3 {
		t.Errorf("%d requests, want tail, head and the head again, validated", n)
	}
}

// TestPrefetchHeadFailedOpen: an open that fails leaves no head request
// running (checkLeaks).
func TestPrefetchHeadFailedOpen(t *testing.T) {
	f := newFixture(t, 1<<20)
	f.proxy.Always(faultproxy.Status(http.StatusNotFound))
	opts := f.options()
	opts.PrefetchHead = true
	if _, err := OpenHTTP(context.Background(), f.url, opts); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open of a missing object: %v", err)
	}
}

// TestLimiterKeepsSlotsFromReadAhead: read-ahead requests take at most
// three quarters of a host's slots, so a request a caller waits for still
// gets one.
func TestLimiterKeepsSlotsFromReadAhead(t *testing.T) {
	l := NewHostLimiter(4)
	ahead := ReadAhead(context.Background())
	var releases []func()
	for range 3 {
		release, err := l.acquire(ahead, "h")
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	ctx, cancel := context.WithTimeout(ahead, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx, "h"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a fourth read-ahead request got a slot (%v)", err)
	}
	release, err := l.acquire(context.Background(), "h")
	if err != nil {
		t.Fatalf("a waited-for request got no slot: %v", err)
	}
	release()
	for _, r := range releases {
		r()
	}
	if len(l.hosts) != 0 {
		t.Errorf("%d hosts left in the limiter", len(l.hosts))
	}
	if got := aheadSlots(1); got != 1 {
		t.Errorf("one slot: read-ahead may hold %d", got)
	}
}
