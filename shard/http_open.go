package shard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// OpenHTTP opens the object at rawURL (http or https) for range reads.
//
// The opening request asks for the last HTTPOptions.TailSize bytes: its
// answer gives the object's size and validator (see HTTPSource) and the
// tail lands in the block cache, so reading a Parquet footer afterwards
// costs no further request. ctx bounds the opening only; the source's
// reads run until Close (or under ReadAtContext's own context).
func OpenHTTP(ctx context.Context, rawURL string, opts HTTPOptions) (*HTTPSource, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("opening %q: %w", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("opening %s: not an http or https URL", u.Redacted())
	}
	opts = opts.normalized()
	s := &HTTPSource{url: rawURL, name: u.Redacted(), origin: u, opts: opts}
	client := *opts.Client
	client.CheckRedirect = redirectPolicy(opts.Client.CheckRedirect, s.setValidator)
	s.client = &client

	s.life, s.cancel = context.WithCancel(context.Background())
	var head *headFetch
	if opts.PrefetchHead && opts.Cache == nil && opts.BlockCacheBytes > 0 {
		head = s.startHead(s.life, opts.BlockSize) // under the source's life: it outlives ctx
	}
	var tailOff int64
	var tail []byte
	err = opts.Retry.do(ctx, func(ctx context.Context) (bool, error) {
		var err error
		tailOff, tail, err = s.openAttempt(ctx)
		return false, err
	})
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("opening %s: %w", s.name, err)
	}
	if opts.BlockCacheBytes > 0 {
		s.blocks = newBlockCache(s.size, opts.BlockSize, opts.BlockCacheBytes)
		s.blocks.insert(tailOff, tail)
		if head != nil && tailOff > 0 && s.size >= head.n {
			s.adoptHead(head)
		}
	}
	if opts.Cache != nil {
		s.disk = opts.Cache.object(s.url, s.Identity(), s.size)
	}
	return s, nil
}

// openAttempt sends the opening suffix-range request, pins the size and
// validator, and returns the tail it brought (nil when the server ignored
// the range for an object larger than the tail, or the object is empty).
func (s *HTTPSource) openAttempt(ctx context.Context) (tailOff int64, tail []byte, err error) {
	release, err := s.opts.Limiter.acquire(ctx, s.origin.Host)
	if err != nil {
		return 0, nil, err
	}
	defer release()
	s.pinOrigin, s.rangeIgnored = nil, false // a retry pins afresh
	wd := startWatchdog(ctx, s.opts.HeaderTimeout, s.opts.StallTimeout)
	defer wd.stop()
	resp, err := s.client.Do(s.newRequest(wd.ctx, "bytes=-"+strconv.FormatInt(s.opts.TailSize, 10)))
	if err != nil {
		return 0, nil, wd.explain(transportError(err))
	}
	defer resp.Body.Close()

	switch resp.StatusCode {
	case http.StatusPartialContent:
		if resp.ContentLength == 0 && strings.HasSuffix(resp.Header.Get("Content-Range"), "/0") {
			// An empty object. Go's http.ServeContent says so with the
			// impossible "bytes 0--1/0".
			s.pin(resp, 0)
			return 0, nil, nil
		}
		cr, err := s.checkPartial(resp)
		if err != nil {
			return 0, nil, err
		}
		if cr.size < 0 || cr.last != cr.size-1 || cr.first != max(cr.size-s.opts.TailSize, 0) {
			return 0, nil, fmt.Errorf("%w: asked for the last %d bytes, got Content-Range %q",
				ErrBadResponse, s.opts.TailSize, resp.Header.Get("Content-Range"))
		}
		s.pin(resp, cr.size)
		// The length is at most TailSize: checked above, not taken on trust.
		tail = make([]byte, cr.last-cr.first+1)
		if _, err := io.ReadFull(wd.body(resp.Body), tail); err != nil {
			return 0, nil, wd.explain(bodyError(err, 0, len(tail)))
		}
		return cr.first, tail, nil

	case http.StatusOK:
		if err := checkEncoding(resp); err != nil {
			return 0, nil, err
		}
		if resp.ContentLength < 0 {
			return 0, nil, fmt.Errorf("%w: the server ignores Range and does not give the length", ErrNoRanges)
		}
		s.rangeIgnored = true
		s.pin(resp, resp.ContentLength)
		if s.size > s.opts.TailSize {
			return 0, nil, nil // closing the body unread drops the connection
		}
		tail = make([]byte, s.size)
		if _, err := io.ReadFull(wd.body(resp.Body), tail); err != nil {
			return 0, nil, wd.explain(bodyError(err, 0, len(tail)))
		}
		return 0, tail, nil

	case http.StatusRequestedRangeNotSatisfiable:
		// A suffix range fits any non-empty object, so this is an empty one;
		// the size is in "Content-Range: bytes */0".
		cr, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || cr.first >= 0 {
			return 0, nil, fmt.Errorf("%w: 416 without the object's length", ErrBadResponse)
		}
		s.pin(resp, cr.size)
		return 0, nil, nil
	}
	return 0, nil, newStatusError(resp, s.name)
}

// pin records the object's size and validator from the opening response,
// and the origin that gave them, to which If-Match will be sent.
func (s *HTTPSource) pin(resp *http.Response, size int64) {
	s.size = size
	s.etag = resp.Header.Get("ETag")
	s.lastModified = ""
	if s.etag == "" {
		s.lastModified = resp.Header.Get("Last-Modified")
	}
	s.pinOrigin = resp.Request.URL
}
