package shard

import (
	"context"
	"errors"

	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tome-data/tome/internal/faultproxy"
)

func TestHTTPReadAt(t *testing.T) {
	const size = 1<<20 + 12345
	f := newFixture(t, size)
	s := f.open(t, f.options())
	if s.Size() != size {
		t.Fatalf("Size = %d, want %d", s.Size(), size)
	}
	if s.Identity() != f.obj.ETag() {
		t.Fatalf("Identity = %q, want the ETag %q", s.Identity(), f.obj.ETag())
	}
	if s.Name() != f.url {
		t.Fatalf("Name = %q, want %q", s.Name(), f.url)
	}
	for _, tc := range []struct {
		name string
		off  int64
		n    int
	}{
		{"first byte", 0, 1},
		{"small", 1000, 100},
		{"across blocks", DefaultBlockSize - 10, 20},
		{"four blocks", 3, 4 * DefaultBlockSize},
		{"direct", 5000, 4*DefaultBlockSize + 1},
		{"in the tail", size - 100, 50},
		{"to the end", size - 100, 100},
		{"past the end", size - 100, 200},
		{"large past the end", size - 300000, 400000},
		{"at the end", size, 10},
		{"beyond the end", size + 10, 10},
		{"empty", 10, 0},
		{"empty at the end", size, 0},
		{"whole", 0, size},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRead(t, s, f.data, tc.off, tc.n) })
	}
	if err := iotest.TestReader(io.NewSectionReader(s, 1234, 300000), f.data[1234:301234]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAt(make([]byte, 1), -1); err == nil {
		t.Fatal("negative offset: no error")
	}
}

func TestHTTPParallelReads(t *testing.T) {
	const size = 3 << 20
	f := newFixture(t, size)
	s := f.open(t, f.options())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := randomBytes(64, uint64(g))
			for i := range 16 {
				off := int64(r[i]) * (size / 256)
				n := 1 + int(r[i+16])*int(r[i+32])*4
				checkRead(t, s, f.data, off, n)
			}
		})
	}
	wg.Wait()
}

func TestHTTPEmptyObject(t *testing.T) {
	checkLeaks(t)
	obj := faultproxy.NewObject("empty", nil)
	srv := newServer(t, obj)
	s, err := OpenHTTP(context.Background(), srv.URL+"/empty", HTTPOptions{Client: newTestClient(t), Limiter: NewHostLimiter(2)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Size() != 0 {
		t.Fatalf("Size = %d", s.Size())
	}
	if n, err := s.ReadAt(make([]byte, 4), 0); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt on an empty object = %d, %v; want 0, io.EOF", n, err)
	}
}

func TestHTTPIdentity(t *testing.T) {
	checkLeaks(t)
	withETag := faultproxy.NewObject("a", []byte("abc"))
	noETag := faultproxy.NewObject("b", []byte("abc"))
	noETag.OmitETag()
	mux := http.NewServeMux()
	mux.Handle("/etag", withETag)
	mux.Handle("/lastmod", noETag)
	mux.HandleFunc("/none", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", zeroTime, strings.NewReader("abc"))
	})
	srv := newServer(t, mux)
	client := newTestClient(t)
	for _, tc := range []struct{ path, want string }{
		{"/etag", withETag.ETag()},
		{"/lastmod", "last-modified: Mon, 01 Jan 2024 00:00:00 GMT"},
		{"/none", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s, err := OpenHTTP(context.Background(), srv.URL+tc.path, HTTPOptions{Client: client})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.Identity(); got != tc.want {
				t.Fatalf("Identity = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHTTPOpenErrors(t *testing.T) {
	f := newFixture(t, 100)
	for _, tc := range []struct {
		name   string
		fault  faultproxy.Fault
		want   error
		status int
		tries  int
	}{
		{"not found", faultproxy.Status(404), ErrNotFound, 404, 1},
		{"gone", faultproxy.Status(410), ErrNotFound, 410, 1},
		{"forbidden", faultproxy.Status(403), ErrDenied, 403, 1},
		{"unauthorized", faultproxy.Status(401), ErrDenied, 401, 1},
		{"bad request", faultproxy.Status(400), nil, 400, 1},
		{"not implemented", faultproxy.Status(501), nil, 501, 1},
		{"server error", faultproxy.Status(500), nil, 500, 4},
		{"unavailable", faultproxy.Status(503), nil, 503, 4},
		{"too many requests", faultproxy.Status(429), nil, 429, 4},
		{"bad gateway", faultproxy.Status(502), nil, 502, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.proxy.Always(tc.fault)
			defer f.proxy.Always(nil)
			f.proxy.Reset()
			_, err := OpenHTTP(context.Background(), f.url, f.options())
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tc.status {
				t.Fatalf("error %v, want a StatusError %d", err, tc.status)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), f.url) {
				t.Fatalf("error %q does not name the URL", err)
			}
			if got := f.proxy.Count(); got != tc.tries {
				t.Fatalf("%d requests, want %d", got, tc.tries)
			}
		})
	}
	t.Run("not http", func(t *testing.T) {
		for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "/local/path", "http://"} {
			if _, err := OpenHTTP(context.Background(), u, f.options()); err == nil {
				t.Errorf("OpenHTTP(%q): no error", u)
			}
		}
	})
}

func TestHTTPReadErrorsArePermanent(t *testing.T) {
	f := newFixture(t, 1<<20)
	for _, tc := range []struct {
		name  string
		fault faultproxy.Fault
		want  error
	}{
		{"deleted", faultproxy.Status(404), ErrNotFound},
		{"forbidden", faultproxy.Status(403), ErrDenied},
		{"not satisfiable", faultproxy.Status(416), ErrChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.open(t, f.options())
			f.proxy.Reset()
			f.proxy.Script(tc.fault)
			_, err := s.ReadAt(make([]byte, 10), 500000)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			// The offset is where the failed request started: the read is
			// widened to whole blocks.
			if !strings.Contains(err.Error(), f.url) || !strings.Contains(err.Error(), "offset 458752") {
				t.Fatalf("error %q names neither the URL nor the offset", err)
			}
			if n := f.proxy.Count(); n != 1 {
				t.Fatalf("%d requests for a permanent error, want 1", n)
			}
		})
	}
}

func TestHTTPClose(t *testing.T) {
	f := newFixture(t, 1<<20)
	s := f.open(t, f.options())
	f.proxy.Always(faultproxy.Slow(1000, time.Second))
	done := make(chan error, 1)
	go func() {
		_, err := s.ReadAt(make([]byte, 500000), 0)
		done <- err
	}()
	for f.proxy.Count() < 2 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("read in flight at Close: %v, want ErrClosed", err)
	}
	if _, err := s.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestHTTPReadAtContext(t *testing.T) {
	f := newFixture(t, 1<<20)
	s := f.open(t, f.options())
	f.proxy.Always(faultproxy.Slow(1000, time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.ReadAtContext(ctx, make([]byte, 500000), 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancelled read took %v", d)
	}
}

var zeroTime time.Time
