package shard

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

// TestHTTPFaults reads through each kind of transient fault and checks the
// bytes and the requests it took.
func TestHTTPFaults(t *testing.T) {
	const size = 1 << 20
	f := newFixture(t, size)
	const off, n = 100000, 500000 // a direct read: one request per attempt
	for _, tc := range []struct {
		name   string
		script []faultproxy.Fault
		// ranges are the Range headers of the requests after the open.
		ranges []string
	}{
		{"clean", nil, []string{"bytes=100000-599999"}},
		{"cut mid-body resumes at the offset reached",
			[]faultproxy.Fault{faultproxy.CutAfter(70000), faultproxy.CutAfter(1000)},
			[]string{"bytes=100000-599999", "bytes=170000-599999", "bytes=171000-599999"}},
		{"503 burst with Retry-After",
			[]faultproxy.Fault{
				faultproxy.Status(503, "Retry-After", "0"),
				faultproxy.Status(503, "Retry-After", "0"),
				faultproxy.Status(503, "Retry-After", "0"),
			},
			[]string{"bytes=100000-599999", "bytes=100000-599999", "bytes=100000-599999", "bytes=100000-599999"}},
		{"429 and 408 and 502",
			[]faultproxy.Fault{faultproxy.Status(429), faultproxy.Status(408), faultproxy.Status(502)},
			[]string{"bytes=100000-599999", "bytes=100000-599999", "bytes=100000-599999", "bytes=100000-599999"}},
		{"connection dropped before the answer",
			[]faultproxy.Fault{faultproxy.Drop()},
			nil}, // net/http may itself retry a dropped idempotent request
		{"stalled body resumes",
			[]faultproxy.Fault{faultproxy.Chain(faultproxy.CutAfter(200000), faultproxy.Slow(100000, 10*time.Millisecond)),
				faultproxy.Slow(200000, time.Second)},
			nil},
		{"range ignored",
			[]faultproxy.Fault{faultproxy.IgnoreRange()},
			[]string{"bytes=100000-599999"}},
		{"range ignored and cut",
			[]faultproxy.Fault{faultproxy.Chain(faultproxy.IgnoreRange(), faultproxy.CutAfter(300000))},
			[]string{"bytes=100000-599999", "bytes=300000-599999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := f.options()
			opts.StallTimeout = 150 * time.Millisecond
			s := f.open(t, opts)
			f.proxy.Reset()
			f.proxy.Script(tc.script...)
			checkRead(t, s, f.data, off, n)
			if tc.ranges == nil {
				return
			}
			var got []string
			for _, r := range f.proxy.Requests() {
				got = append(got, r.Range)
			}
			if strings.Join(got, " ") != strings.Join(tc.ranges, " ") {
				t.Fatalf("requests %q, want %q", got, tc.ranges)
			}
		})
	}
}

// TestHTTPRetryAfterIsHonoured waits as long as the server says, in
// seconds and as a date.
func TestHTTPRetryAfterIsHonoured(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a second")
	}
	f := newFixture(t, 1<<20)
	s := f.open(t, f.options())
	f.proxy.Script(faultproxy.Status(503, "Retry-After", "1"))
	start := time.Now()
	checkRead(t, s, f.data, 0, 300000)
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %v, before the second Retry-After asked for", d)
	}
}

func TestHTTPGivesUp(t *testing.T) {
	f := newFixture(t, 1<<20)
	for _, tc := range []struct {
		name     string
		fault    faultproxy.Fault
		want     string
		requests int
	}{
		{"always 503", faultproxy.Status(503), "gave up after 4 attempts", 4},
		{"Retry-After too long", faultproxy.Status(429, "Retry-After", "3600"), "server asks to wait 1h0m0s", 1},
		{"RateLimit too long", faultproxy.Status(429, "RateLimit", `"api";r=0;t=600`), "server asks to wait 10m0s", 1},
		{"body always cut before a byte", faultproxy.CutAfter(0), "gave up after 4 attempts", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.open(t, f.options())
			f.proxy.Reset()
			f.proxy.Always(tc.fault)
			defer f.proxy.Always(nil)
			_, err := s.ReadAt(make([]byte, 300000), 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if got := f.proxy.Count(); got != tc.requests {
				t.Fatalf("%d requests, want %d", got, tc.requests)
			}
		})
	}
}

// TestHTTPProgressResetsAttempts: a body cut short after some bytes does
// not count against MaxAttempts, since the read moves on each time.
func TestHTTPProgressResetsAttempts(t *testing.T) {
	f := newFixture(t, 1<<20)
	s := f.open(t, f.options())
	f.proxy.Always(faultproxy.CutAfter(50000))
	checkRead(t, s, f.data, 0, 500000)
	if got := f.proxy.Count(); got != 1+10 {
		t.Fatalf("%d requests, want the open and 10 pieces of 50000 bytes", got)
	}
}

func TestHTTPChangedObject(t *testing.T) {
	const size = 1 << 20
	for _, tc := range []struct {
		name  string
		setup func(*faultproxy.Object)
		fault faultproxy.Fault
		want  string
	}{
		{"If-Match honoured", nil, nil, "HTTP 412"},
		{"If-Match ignored", nil, faultproxy.IgnorePreconditions(), "ETag"},
		{"Last-Modified only", (*faultproxy.Object).OmitETag, faultproxy.IgnorePreconditions(), "Last-Modified"},
		{"If-Unmodified-Since honoured", (*faultproxy.Object).OmitETag, nil, "HTTP 412"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, size)
			if tc.setup != nil {
				tc.setup(f.obj)
			}
			f.proxy.Always(tc.fault)
			s := f.open(t, f.options())
			checkRead(t, s, f.data, 0, 300000)
			f.obj.Set(randomBytes(size, 99)) // same size, new content
			_, err := s.ReadAt(make([]byte, 300000), 300000)
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("read after the swap: %v, want ErrChanged mentioning %q", err, tc.want)
			}
		})
	}
	t.Run("size changed", func(t *testing.T) {
		f := newFixture(t, size)
		f.obj.OmitETag()
		f.proxy.Always(faultproxy.IgnorePreconditions())
		s := f.open(t, f.options())
		f.proxy.Script(faultproxy.Chain(faultproxy.IgnorePreconditions(), faultproxy.Swap(f.obj, f.data[:size-1]),
			faultproxy.Header("Last-Modified", "")))
		_, err := s.ReadAt(make([]byte, 300000), 0)
		if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "long now") {
			t.Fatalf("read after shrinking: %v, want ErrChanged about the size", err)
		}
	})
	t.Run("swapped mid-body", func(t *testing.T) {
		// The swap happens while a resumed read is under way: the resumed
		// request must not splice the new bytes onto the old ones.
		f := newFixture(t, size)
		s := f.open(t, f.options())
		f.proxy.Script(faultproxy.CutAfter(100000), faultproxy.Swap(f.obj, randomBytes(size, 5)))
		_, err := s.ReadAt(make([]byte, 400000), 0)
		if !errors.Is(err, ErrChanged) {
			t.Fatalf("read across the swap: %v, want ErrChanged", err)
		}
	})
}

func TestHTTPBadResponses(t *testing.T) {
	f := newFixture(t, 1<<20)
	for _, tc := range []struct {
		name  string
		fault faultproxy.Fault
	}{
		{"wrong range", faultproxy.Header("Content-Range", "bytes 0-499999/1048576")},
		{"garbage range", faultproxy.Header("Content-Range", "bytes banana")},
		{"compressed", faultproxy.Header("Content-Encoding", "gzip")},
		{"wrong length", faultproxy.Header("Content-Range", "bytes 100000-599998/1048576")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.open(t, f.options())
			f.proxy.Reset()
			f.proxy.Script(tc.fault)
			_, err := s.ReadAt(make([]byte, 500000), 100000)
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("error %v, want ErrBadResponse", err)
			}
			if f.proxy.Count() != 1 {
				t.Fatalf("%d requests: a bad response is not retried", f.proxy.Count())
			}
		})
	}
}

func TestHTTPRangeIgnored(t *testing.T) {
	const size = 1 << 20
	f := newFixture(t, size)
	f.proxy.Always(faultproxy.IgnoreRange())
	opts := f.options()
	opts.MaxDiscard = 400000
	s := f.open(t, opts)
	if s.Size() != size {
		t.Fatalf("Size = %d", s.Size())
	}
	checkRead(t, s, f.data, 0, 1000)
	checkRead(t, s, f.data, 350000, 300000)
	f.proxy.Reset()
	_, err := s.ReadAt(make([]byte, 300000), 600000)
	if !errors.Is(err, ErrNoRanges) {
		t.Fatalf("read beyond MaxDiscard: %v, want ErrNoRanges", err)
	}
	if n := f.proxy.Count(); n != 0 {
		t.Fatalf("%d requests for a read the server is known not to serve", n)
	}
}

func TestHTTPRangeIgnoredSmallObject(t *testing.T) {
	f := newFixture(t, 1000)
	f.proxy.Always(faultproxy.IgnoreRange())
	s := f.open(t, f.options())
	checkRead(t, s, f.data, 0, 1000)
	checkRead(t, s, f.data, 500, 100)
	if n := f.proxy.Count(); n != 1 {
		t.Fatalf("%d requests, want 1: the open reads it whole", n)
	}
}

// TestHTTPFaultsProperty reads random ranges through random faults: every
// read returns the object's bytes or fails with an error that says why.
func TestHTTPFaultsProperty(t *testing.T) {
	const size = 1 << 20
	f := newFixture(t, size)
	opts := f.options()
	opts.StallTimeout = 100 * time.Millisecond
	opts.Retry.MaxAttempts = 3
	opts.MaxDiscard = size
	rounds := 60
	if testing.Short() {
		rounds = 15
	}
	r := rand.New(rand.NewPCG(1, 2))
	faults := []func() faultproxy.Fault{
		faultproxy.Pass,
		func() faultproxy.Fault { return faultproxy.CutAfter(r.Int64N(200000)) },
		func() faultproxy.Fault { return faultproxy.Status(503, "Retry-After", "0") },
		func() faultproxy.Fault { return faultproxy.Status(500) },
		faultproxy.Drop,
		faultproxy.IgnoreRange,
		func() faultproxy.Fault { return faultproxy.Slow(50000, time.Duration(r.IntN(2))*200*time.Millisecond) },
	}
	for round := range rounds {
		s := f.open(t, opts)
		var script []faultproxy.Fault
		swapped := false
		for range r.IntN(6) {
			if r.IntN(8) == 0 && !swapped {
				swapped = true
				next := randomBytes(size, uint64(round)+100)
				script = append(script, faultproxy.Swap(f.obj, next))
				continue
			}
			script = append(script, faults[r.IntN(len(faults))]())
		}
		f.proxy.Script(script...)
		for range 4 {
			off := r.Int64N(size)
			p := make([]byte, 1+r.IntN(400000))
			n, err := s.ReadAt(p, off)
			switch {
			case err == nil || (errors.Is(err, io.EOF) && off+int64(n) == size):
				if !bytes.Equal(p[:n], f.data[off:off+int64(n)]) {
					t.Fatalf("round %d: wrong bytes at %d (+%d)", round, off, n)
				}
			case errors.Is(err, ErrChanged) && swapped:
			case strings.Contains(err.Error(), "gave up after"):
			default:
				t.Fatalf("round %d: read at %d: unexpected error %v", round, off, err)
			}
		}
		s.Close()
		f.proxy.ClearScript()
		f.obj.Set(f.data)
	}
}
