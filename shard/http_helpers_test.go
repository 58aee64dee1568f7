package shard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tome-data/tome/internal/faultproxy"
)

// fixture is an object served through a fault proxy on loopback, with a
// client of its own.
type fixture struct {
	data   []byte
	obj    *faultproxy.Object
	proxy  *faultproxy.Proxy
	srv    *httptest.Server
	url    string
	client *http.Client
}

// checkLeaks registers, before anything else is cleaned up, a check that
// the test left no goroutine behind. It runs last, after the servers and
// clients the test made are closed.
func checkLeaks(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		defaultClient().CloseIdleConnections()
		goleak.VerifyNone(t)
	})
}

// newTestClient returns a client whose idle connections are closed when
// the test ends.
func newTestClient(t testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// newServer starts h on 127.0.0.1 and stops it when the test ends.
func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func newFixture(t *testing.T, size int) *fixture {
	t.Helper()
	checkLeaks(t)
	f := &fixture{data: randomBytes(size, uint64(size))}
	f.obj = faultproxy.NewObject("object.bin", f.data)
	f.proxy = faultproxy.New(f.obj)
	f.srv = newServer(t, f.proxy)
	f.url = f.srv.URL + "/object.bin"
	f.client = newTestClient(t)
	return f
}

// options returns fast-failing test options: short backoffs and timeouts,
// a limiter of the test's own.
func (f *fixture) options() HTTPOptions {
	return HTTPOptions{
		Client:        f.client,
		Limiter:       NewHostLimiter(8),
		Retry:         RetryPolicy{MaxAttempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
		HeaderTimeout: 2 * time.Second,
		StallTimeout:  2 * time.Second,
	}
}

func (f *fixture) open(t *testing.T, opts HTTPOptions) *HTTPSource {
	t.Helper()
	s, err := OpenHTTP(context.Background(), f.url, opts)
	if err != nil {
		t.Fatalf("OpenHTTP: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// checkRead reads len(want) bytes at off and checks the io.ReaderAt
// contract and the bytes against the object.
func checkRead(t *testing.T, r io.ReaderAt, data []byte, off int64, n int) {
	t.Helper()
	p := make([]byte, n)
	got, err := r.ReadAt(p, off)
	wantN := max(0, min(int64(n), int64(len(data))-off))
	if int64(got) != wantN {
		t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d bytes", n, off, got, err, wantN)
	}
	if wantN < int64(n) && !errors.Is(err, io.EOF) {
		t.Fatalf("ReadAt(%d bytes at %d) short without io.EOF: %v", n, off, err)
	}
	if wantN == int64(n) && err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("ReadAt(%d bytes at %d): %v", n, off, err)
	}
	if wantN > 0 && !bytes.Equal(p[:got], data[off:off+wantN]) {
		t.Fatalf("ReadAt(%d bytes at %d): wrong bytes", n, off)
	}
}
