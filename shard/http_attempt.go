package shard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// attempt sends one range request for p at off and reads its body into p.
// It returns the bytes read, which a retry does not read again.
func (s *HTTPSource) attempt(ctx context.Context, p []byte, off int64) (int, error) {
	if s.rangeIgnored && off > max(s.opts.MaxDiscard, 0) {
		return 0, s.noRanges(off) // known since the open: spare the server the whole object
	}
	release, err := s.opts.Limiter.acquire(ctx, s.origin.Host)
	if err != nil {
		return 0, err
	}
	defer release()
	wd := startWatchdog(ctx, s.opts.HeaderTimeout, s.opts.StallTimeout)
	defer wd.stop()
	last := off + int64(len(p)) - 1
	resp, err := s.client.Do(s.newRequest(wd.ctx, "bytes="+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(last, 10)))
	if err != nil {
		return 0, wd.explain(transportError(err))
	}
	defer resp.Body.Close()

	var body io.Reader
	switch resp.StatusCode {
	case http.StatusPartialContent:
		cr, err := s.checkPartial(resp)
		if err != nil {
			return 0, err
		}
		if cr.first != off || cr.last != last {
			return 0, fmt.Errorf("%w: asked for bytes %d-%d, got Content-Range %q",
				ErrBadResponse, off, last, resp.Header.Get("Content-Range"))
		}
		body = wd.body(resp.Body)
	case http.StatusOK:
		if body, err = s.skipTo(resp, wd, off); err != nil {
			return 0, err
		}
	case http.StatusRequestedRangeNotSatisfiable:
		return 0, fmt.Errorf("%w: 416 for bytes %d-%d of an object of %d bytes (Content-Range %q)",
			ErrChanged, off, last, s.size, resp.Header.Get("Content-Range"))
	default:
		return 0, newStatusError(resp, s.name)
	}
	n, err := io.ReadFull(body, p)
	if err != nil {
		return n, wd.explain(bodyError(err, n, len(p)))
	}
	return n, nil
}

// skipTo handles a 200 answer to a range request: the server ignored the
// range and sends the whole object, whose first off bytes are read and
// dropped if off is within MaxDiscard.
func (s *HTTPSource) skipTo(resp *http.Response, wd *watchdog, off int64) (io.Reader, error) {
	if err := checkEncoding(resp); err != nil {
		return nil, err
	}
	if err := s.checkValidator(resp); err != nil {
		return nil, err
	}
	if resp.ContentLength >= 0 && resp.ContentLength != s.size {
		return nil, fmt.Errorf("%w: the object is %d bytes long now, was %d", ErrChanged, resp.ContentLength, s.size)
	}
	if off > max(s.opts.MaxDiscard, 0) {
		return nil, s.noRanges(off)
	}
	body := wd.body(resp.Body)
	if n, err := io.CopyN(io.Discard, body, off); err != nil {
		return nil, wd.explain(bodyError(err, int(n), int(off)))
	}
	return body, nil
}

func (s *HTTPSource) noRanges(off int64) error {
	return fmt.Errorf("%w: it sends the whole object, and reaching offset %d would mean discarding more than %d bytes",
		ErrNoRanges, off, max(s.opts.MaxDiscard, 0))
}

// newRequest builds a GET of the source's URL with the given Range.
func (s *HTTPSource) newRequest(ctx context.Context, byteRange string) *http.Request {
	u := *s.origin
	header := s.opts.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	req := (&http.Request{Method: http.MethodGet, URL: &u, Header: header, Host: u.Host}).WithContext(ctx)
	req.Header.Set("Range", byteRange)
	// Explicitly, so that the transport neither asks for gzip nor unpacks
	// it: a byte range must be of the object's own bytes.
	req.Header.Set("Accept-Encoding", "identity")
	s.setValidator(req)
	return req
}

// setValidator adds the pinned validator to a request bound for the origin
// that gave it, and removes it from one bound elsewhere: a CDN behind a
// redirect has ETags of its own, and an If-Match it cannot match would
// fail every read. Weak ETags never match under If-Match, so they are only
// compared on the responses.
func (s *HTTPSource) setValidator(req *http.Request) {
	req.Header.Del("If-Match")
	req.Header.Del("If-Unmodified-Since")
	if s.pinOrigin == nil || !sameOrigin(req.URL, s.pinOrigin) {
		return
	}
	switch {
	case s.etag != "" && !strings.HasPrefix(s.etag, "W/"):
		req.Header.Set("If-Match", s.etag)
	case s.etag == "" && s.lastModified != "":
		req.Header.Set("If-Unmodified-Since", s.lastModified)
	}
}

// checkPartial validates a 206 answer: no content coding, the pinned
// validator and size, one range with a body of its length.
func (s *HTTPSource) checkPartial(resp *http.Response) (contentRange, error) {
	if err := checkEncoding(resp); err != nil {
		return contentRange{}, err
	}
	cr, err := parseContentRange(resp.Header.Get("Content-Range"))
	if err != nil || cr.first < 0 {
		return contentRange{}, fmt.Errorf("%w: 206 with Content-Range %q (Content-Type %q)",
			ErrBadResponse, resp.Header.Get("Content-Range"), resp.Header.Get("Content-Type"))
	}
	if resp.ContentLength >= 0 && resp.ContentLength != cr.last-cr.first+1 {
		return contentRange{}, fmt.Errorf("%w: Content-Length %d for Content-Range %q",
			ErrBadResponse, resp.ContentLength, resp.Header.Get("Content-Range"))
	}
	if s.pinOrigin == nil {
		return cr, nil // the opening request: nothing pinned yet
	}
	if err := s.checkValidator(resp); err != nil {
		return contentRange{}, err
	}
	if cr.size >= 0 && cr.size != s.size {
		return contentRange{}, fmt.Errorf("%w: the object is %d bytes long now, was %d", ErrChanged, cr.size, s.size)
	}
	return cr, nil
}

// checkValidator compares a response's ETag (or Last-Modified) with the
// pinned one. A response without one is let through: the size check and
// If-Match still stand guard.
func (s *HTTPSource) checkValidator(resp *http.Response) error {
	switch {
	case s.etag != "":
		if got := resp.Header.Get("ETag"); got != "" && got != s.etag {
			return fmt.Errorf("%w: ETag %s, was %s", ErrChanged, got, s.etag)
		}
	case s.lastModified != "":
		if got := resp.Header.Get("Last-Modified"); got != "" && got != s.lastModified {
			return fmt.Errorf("%w: Last-Modified %s, was %s", ErrChanged, got, s.lastModified)
		}
	}
	return nil
}

// checkEncoding refuses a compressed body: its bytes are not the object's.
func checkEncoding(resp *http.Response) error {
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return fmt.Errorf("%w: Content-Encoding %q on a range read", ErrBadResponse, ce)
	}
	return nil
}

// newStatusError describes an error status, with the wait the server asks
// for before a retry.
// The URL is the one requested, not a redirect's, which may be signed.
func newStatusError(resp *http.Response, url string) *StatusError {
	e := &StatusError{Method: resp.Request.Method, URL: url, Code: resp.StatusCode}
	e.delay, e.hinted = serverDelay(resp.Header, time.Now())
	// Drain a little of the error body so that the connection can be
	// reused; a long one is not worth the wait.
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	return e
}

// transportError unwraps the *url.Error net/http returns: callers add the
// URL themselves, and a redirect's URL may carry a signature that does not
// belong in logs.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// bodyError describes a body that ended or failed after got of want bytes.
func bodyError(err error, got, want int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("body ended after %d of %d bytes: %w", got, want, io.ErrUnexpectedEOF)
	}
	return err
}
