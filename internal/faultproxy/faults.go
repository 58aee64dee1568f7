package faultproxy

import (
	"net/http"
	"time"
)

// A Fault handles one request in place of the proxied handler, which it may
// call (as next) with a changed request or response writer.
type Fault func(w http.ResponseWriter, r *http.Request, next http.Handler)

// Pass hands the request on unchanged.
func Pass() Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }
}

// Chain applies faults from the outside in: the first one's next is the
// second, and so on down to the proxied handler.
func Chain(faults ...Fault) Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		h := next
		for i := len(faults) - 1; i >= 0; i-- {
			f, inner := faults[i], h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(w, r, inner) })
		}
		h.ServeHTTP(w, r)
	}
}

// Status answers with code and the given header key, value pairs, without
// a body worth reading.
func Status(code int, header ...string) Fault {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// Drop closes the connection without answering.
func Drop() Fault {
	return func(http.ResponseWriter, *http.Request, http.Handler) {
		panic(http.ErrAbortHandler)
	}
}

// CutAfter lets the answer through but closes the connection after n bytes
// of body, which the client sees as a body cut short.
func CutAfter(n int64) Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&cutWriter{ResponseWriter: w, left: n}, r)
	}
}

type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(b []byte) (int, error) {
	if int64(len(b)) <= c.left {
		c.left -= int64(len(b))
		return c.ResponseWriter.Write(b)
	}
	if c.left > 0 {
		_, _ = c.ResponseWriter.Write(b[:c.left])
	}
	_ = http.NewResponseController(c.ResponseWriter).Flush()
	panic(http.ErrAbortHandler)
}

// Slow sends the body in pieces of size bytes with a pause before each, as
// a congested link does; a pause longer than the client's stall timeout
// makes it give up and resume.
func Slow(size int, pause time.Duration) Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&slowWriter{ResponseWriter: w, r: r, size: max(size, 1), pause: pause}, r)
	}
}

type slowWriter struct {
	http.ResponseWriter
	r     *http.Request
	size  int
	pause time.Duration
}

func (s *slowWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		t := time.NewTimer(s.pause)
		select {
		case <-t.C:
		case <-s.r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
		n := min(s.size, len(b))
		m, err := s.ResponseWriter.Write(b[:n])
		written += m
		if err != nil {
			return written, err
		}
		_ = http.NewResponseController(s.ResponseWriter).Flush()
		b = b[n:]
	}
	return written, nil
}

// IgnoreRange drops the Range header (and If-Range), so the whole object
// comes back with 200, as from a server without range support.
func IgnoreRange() Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		r = r.Clone(r.Context())
		r.Header.Del("Range")
		r.Header.Del("If-Range")
		next.ServeHTTP(w, r)
	}
}

// IgnorePreconditions drops If-Match and If-Unmodified-Since, as a server
// that does not honour them would; only the response's validator can then
// show that the object changed.
func IgnorePreconditions() Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		r = r.Clone(r.Context())
		r.Header.Del("If-Match")
		r.Header.Del("If-Unmodified-Since")
		next.ServeHTTP(w, r)
	}
}

// Swap replaces o's content with data, then serves the request.
func Swap(o *Object, data []byte) Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		o.Set(data)
		next.ServeHTTP(w, r)
	}
}

// Header sets response headers (key, value pairs) before serving, as a
// misbehaving server or proxy might: a wrong Content-Range, a
// Content-Encoding.
func Header(kv ...string) Fault {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&headerWriter{ResponseWriter: w, kv: kv}, r)
	}
}

type headerWriter struct {
	http.ResponseWriter
	kv   []string
	done bool
}

func (h *headerWriter) WriteHeader(code int) {
	if !h.done {
		h.done = true
		for i := 0; i+1 < len(h.kv); i += 2 {
			h.Header().Set(h.kv[i], h.kv[i+1])
		}
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWriter) Write(b []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}
