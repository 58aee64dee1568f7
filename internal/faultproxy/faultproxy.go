// Package faultproxy serves objects over HTTP for tests and injects the
// faults real remote storage shows: connections reset before an answer or
// cut mid-body, bursts of 503 with Retry-After, bodies that trickle or
// stall, servers that ignore Range or If-Match, and objects replaced while
// a client reads them.
//
// An Object serves bytes with http.ServeContent (a correct Range, 206, 416
// and If-Match server) under an ETag of its content. A Proxy wraps any
// handler, logs and counts the requests it sees, and applies to each
// request the next Fault of its script, or its standing fault once the
// script is used up.
package faultproxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Object is a file served over HTTP whose content can be replaced.
type Object struct {
	mu      sync.Mutex
	name    string
	data    []byte
	etag    string
	modTime time.Time
	noETag  bool
}

// NewObject returns an object serving data. name only sets the
// Content-Type ServeContent guesses from its extension.
func NewObject(name string, data []byte) *Object {
	o := &Object{name: name, modTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	o.set(data)
	return o
}

// Set replaces the content; the ETag and modification time change with it.
func (o *Object) Set(data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.modTime = o.modTime.Add(time.Hour)
	o.set(data)
}

func (o *Object) set(data []byte) {
	o.data = bytes.Clone(data)
	sum := sha256.Sum256(data)
	o.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
}

// OmitETag makes the object answer without an ETag, as a plain file server
// does, leaving Last-Modified as the only validator.
func (o *Object) OmitETag() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.noETag = true
}

// ETag returns the current ETag, quotes included.
func (o *Object) ETag() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.etag
}

// ServeHTTP serves the current content with http.ServeContent.
func (o *Object) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	data, etag, mod, noETag := o.data, o.etag, o.modTime, o.noETag
	o.mu.Unlock()
	if !noETag {
		w.Header().Set("ETag", etag)
	}
	http.ServeContent(w, r, o.name, mod, bytes.NewReader(data))
}

// Request is what a Proxy logs of one request.
type Request struct {
	Method, Host, Path, RawQuery  string
	Range, IfMatch, Authorization string
}

// Proxy applies faults to the requests bound for a handler.
type Proxy struct {
	next http.Handler

	mu       sync.Mutex
	script   []Fault
	always   Fault
	log      []Request
	inFlight int
	peak     int
}

// New returns a proxy in front of next, passing everything through until
// given faults.
func New(next http.Handler) *Proxy { return &Proxy{next: next} }

// Script queues faults: each request takes the first one left, in place of
// the standing fault (see Always).
func (p *Proxy) Script(faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script = append(p.script, faults...)
}

// ClearScript drops the faults the script still holds.
func (p *Proxy) ClearScript() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script = nil
}

// Always sets the fault for requests that find the script empty; nil
// passes them through.
func (p *Proxy) Always(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always = f
}

// Requests returns the requests seen so far, in arrival order.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.log...)
}

// Count returns the number of requests seen so far.
func (p *Proxy) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.log)
}

// PeakInFlight returns the most requests that were being served at once.
func (p *Proxy) PeakInFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

// Reset forgets the log and the peak.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log, p.peak = nil, 0
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.log = append(p.log, Request{
		Method: r.Method, Host: r.Host, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Range: r.Header.Get("Range"), IfMatch: r.Header.Get("If-Match"),
		Authorization: r.Header.Get("Authorization"),
	})
	f := p.always
	if len(p.script) > 0 {
		f, p.script = p.script[0], p.script[1:]
	}
	p.inFlight++
	p.peak = max(p.peak, p.inFlight)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.inFlight--
		p.mu.Unlock()
	}()
	if f == nil {
		p.next.ServeHTTP(w, r)
		return
	}
	f(w, r, p.next)
}
