package shard

import (
	"context"
	"io"
	"net/http"
	"strconv"
)

// headFetch is the speculative read of an object's first block, sent
// alongside the opening tail request: every codec reads the head of a file
// it opens (a format's magic, the first lines of text), so asking for it
// in the same round trip as the tail saves a round trip per remote file.
//
// It is sent before the object's validator is known, so it carries no
// If-Match; its answer is kept only if it shows the validator and size the
// open pinned, and is otherwise dropped for an ordinary, validated read.
type headFetch struct {
	n    int64
	done chan struct{}
	// Set before done closes: the bytes, and what the response said of
	// the object. ok is false when the answer is unusable.
	data         []byte
	size         int64
	etag, lastMo string
	ok           bool
}

// startHead sends the head request for the first n bytes under ctx.
func (s *HTTPSource) startHead(ctx context.Context, n int64) *headFetch {
	h := &headFetch{n: n, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		h.fetch(ctx, s)
	}()
	return h
}

func (h *headFetch) fetch(ctx context.Context, s *HTTPSource) {
	release, err := s.opts.Limiter.acquire(ctx, s.origin.Host)
	if err != nil {
		return
	}
	defer release()
	wd := startWatchdog(ctx, s.opts.HeaderTimeout, s.opts.StallTimeout)
	defer wd.stop()
	u := *s.origin
	header := s.opts.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	req := (&http.Request{Method: http.MethodGet, URL: &u, Header: header, Host: u.Host}).WithContext(wd.ctx)
	req.Header.Set("Range", "bytes=0-"+strconv.FormatInt(h.n-1, 10))
	req.Header.Set("Accept-Encoding", "identity")
	// The source's own client sets the pinned validator on redirects,
	// which the open is still writing: this one only guards credentials.
	client := *s.opts.Client
	client.CheckRedirect = redirectPolicy(s.opts.Client.CheckRedirect, nil)
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || checkEncoding(resp) != nil {
		return // a server that ignores ranges is left to the ordinary reads
	}
	cr, err := parseContentRange(resp.Header.Get("Content-Range"))
	if err != nil || cr.first != 0 || cr.last != h.n-1 || (resp.ContentLength >= 0 && resp.ContentLength != h.n) {
		return
	}
	data := make([]byte, h.n)
	if _, err := io.ReadFull(wd.body(resp.Body), data); err != nil {
		return
	}
	h.data, h.size, h.ok = data, cr.size, true
	h.etag, h.lastMo = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
}

// matches reports whether the head's answer is of the version the open
// pinned. Call it after done has closed and the open has pinned.
func (h *headFetch) matches(s *HTTPSource) bool {
	if !h.ok || h.size != s.size {
		return false
	}
	switch {
	case s.etag != "":
		return h.etag == s.etag
	case s.lastModified != "":
		return h.lastMo == s.lastModified
	}
	return true // neither validator: the size is all there is to compare
}

// adoptHead makes the head's answer the fetch of the first block in the
// block cache, so that reads of it wait for the head request instead of
// sending their own. An answer that does not match the pinned version is
// replaced by an ordinary read.
func (s *HTTPSource) adoptHead(h *headFetch) {
	fl := s.blocks.startFlight(0, h.n)
	if fl == nil {
		return
	}
	go s.blocks.fill(s.life, fl, func(ctx context.Context, p []byte, off int64) error {
		select {
		case <-h.done:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if off == 0 && int64(len(p)) == h.n && h.matches(s) {
			copy(p, h.data)
			return nil
		}
		return s.load(ctx, p, off)
	})
}
