package shard

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

// footerFixture serves an object laid out like a Parquet file: a footer of
// footerLen bytes, then its length and "PAR1".
func footerFixture(t *testing.T, size, footerLen int) *fixture {
	f := newFixture(t, size)
	binary.LittleEndian.PutUint32(f.data[size-8:], uint32(footerLen))
	copy(f.data[size-4:], "PAR1")
	f.obj.Set(f.data)
	return f
}

// readFooter reads a footer the way Parquet readers do: the last 8 bytes,
// then the footer they give the length of.
func readFooter(t *testing.T, f *fixture, s *HTTPSource) {
	t.Helper()
	tail := make([]byte, 8)
	checkRead(t, s, f.data, s.Size()-8, 8)
	if _, err := s.ReadAt(tail, s.Size()-8); err != nil {
		t.Fatal(err)
	}
	n := int(binary.LittleEndian.Uint32(tail))
	checkRead(t, s, f.data, s.Size()-8-int64(n), n)
}

func TestHTTPFooterInOneRequest(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size      int
		footer    int
		tail      int64
		requests  int
		explained string
	}{
		{"footer in the tail", 5 << 20, 40000, 0, 1, "the opening request brings the footer"},
		{"whole file in the tail", 30000, 20000, 0, 1, "the file is smaller than the tail"},
		{"footer beyond the tail", 5 << 20, 150000, 0, 2, "one more request for the footer's start"},
		{"larger tail", 5 << 20, 150000, 256 << 10, 1, "TailSize covers it"},
		{"no tail", 5 << 20, 1000, -1, 2, "one block request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := footerFixture(t, tc.size, tc.footer)
			opts := f.options()
			opts.TailSize = tc.tail
			s := f.open(t, opts)
			readFooter(t, f, s)
			if got := f.proxy.Count(); got != tc.requests {
				t.Fatalf("%d requests, want %d: %s", got, tc.requests, tc.explained)
			}
		})
	}
}

// TestHTTPNearbyReadsCoalesce: small reads within a block cost one request,
// sequential or concurrent.
func TestHTTPNearbyReadsCoalesce(t *testing.T) {
	f := newFixture(t, 4<<20)
	s := f.open(t, f.options())

	f.proxy.Reset()
	for i := range 100 {
		checkRead(t, s, f.data, 1<<20+int64(i)*600, 100)
	}
	if got := f.proxy.Count(); got != 1 {
		t.Fatalf("100 small reads in one block: %d requests, want 1", got)
	}

	// Concurrent readers of another block wait for the first one's fetch.
	f.proxy.Reset()
	f.proxy.Script(faultproxy.Slow(DefaultBlockSize, 100*time.Millisecond))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { checkRead(t, s, f.data, 2<<20+int64(i)*5000, 3000) })
	}
	wg.Wait()
	if got := f.proxy.Count(); got != 1 {
		t.Fatalf("8 concurrent reads of one block: %d requests, want 1", got)
	}

	// A read spanning cached and missing blocks fetches only the missing.
	f.proxy.Reset()
	checkRead(t, s, f.data, 2<<20-100, DefaultBlockSize)
	reqs := f.proxy.Requests()
	if len(reqs) != 1 || reqs[0].Range != "bytes=2031616-2097151" {
		t.Fatalf("requests %+v, want one for the block before the cached one", reqs)
	}
}

func TestHTTPBlockCacheOff(t *testing.T) {
	f := newFixture(t, 1<<20)
	opts := f.options()
	opts.BlockCacheBytes = -1
	s := f.open(t, opts)
	f.proxy.Reset()
	checkRead(t, s, f.data, 100, 10)
	checkRead(t, s, f.data, 100, 10)
	reqs := f.proxy.Requests()
	if len(reqs) != 2 || reqs[0].Range != "bytes=100-109" {
		t.Fatalf("requests %+v, want two exactly as asked", reqs)
	}
}

func TestHTTPHostLimit(t *testing.T) {
	f := newFixture(t, 4<<20)
	opts := f.options()
	opts.Limiter = NewHostLimiter(2)
	a, b := f.open(t, opts), f.open(t, opts) // two sources, one host, one limiter
	f.proxy.Reset()
	f.proxy.Always(faultproxy.Slow(100000, 5*time.Millisecond))
	var wg sync.WaitGroup
	for i := range 6 {
		src := a
		if i%2 == 1 {
			src = b
		}
		wg.Go(func() { checkRead(t, src, f.data, int64(i)*500000, 300000) })
	}
	wg.Wait()
	if peak := f.proxy.PeakInFlight(); peak != 2 {
		t.Fatalf("peak of %d requests in flight, want the limit of 2", peak)
	}
}
