package shard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
)

// HTTPSource is a Source over an object on an HTTP(S) server, read with
// range requests.
//
// # Versions
//
// OpenHTTP pins the object's ETag (or, failing that, its Last-Modified
// date) and its size. Every later request carries the ETag in If-Match, to
// the host that gave it, and every response is checked against both: a
// changed object fails the read with ErrChanged instead of mixing bytes of
// two versions. A server that gives neither validator is only checked by
// size, and Identity returns "".
//
// # Reads
//
// ReadAt and ReadAtContext are safe for concurrent use and keep the
// io.ReaderAt contract: fewer than len(p) bytes only with an error (io.EOF
// at the end of the object). A read of up to four blocks (see
// HTTPOptions.BlockSize) goes through a small in-memory block cache that
// also merges concurrent reads of the same blocks; longer reads go to the
// server as one range request each. Transient failures are retried per
// HTTPOptions.Retry, a body cut short resuming where it stopped.
//
// A server that ignores Range (answering 200 with the whole object) is
// still read correctly: the bytes before the offset are skipped, up to
// HTTPOptions.MaxDiscard, and reads further in fail with ErrNoRanges.
//
// # Errors
//
// Errors name the URL and the offset and wrap ErrNotFound (404, 410),
// ErrDenied (401, 403), ErrChanged, ErrBadResponse, ErrNoRanges or
// ErrClosed; a *StatusError gives the HTTP status.
type HTTPSource struct {
	url    string // as requested
	name   string // redacted for messages
	origin *url.URL
	opts   HTTPOptions
	client *http.Client

	size         int64
	etag         string // pinned validator: the ETag, or
	lastModified string // the Last-Modified date when there is no ETag
	pinOrigin    *url.URL
	rangeIgnored bool // the opening range request was answered with 200

	blocks *blockCache   // nil when turned off
	disk   *cachedObject // nil without a disk cache or a validator

	life   context.Context // cancelled by Close
	cancel context.CancelFunc
	closed atomic.Bool
}

var _ Source = (*HTTPSource)(nil)

// Name returns the URL the source was opened from, without any user
// information.
func (s *HTTPSource) Name() string { return s.name }

// Size returns the object's length, learnt at open.
func (s *HTTPSource) Size() int64 { return s.size }

// Identity returns the ETag pinned at open, or "last-modified: " and the
// date when the server sent no ETag, or "" when it sent neither.
func (s *HTTPSource) Identity() string {
	switch {
	case s.etag != "":
		return s.etag
	case s.lastModified != "":
		return "last-modified: " + s.lastModified
	}
	return ""
}

// ReadAt reads len(p) bytes at off. It is ReadAtContext with a context
// that only Close cancels.
func (s *HTTPSource) ReadAt(p []byte, off int64) (int, error) {
	return s.ReadAtContext(s.life, p, off)
}

// ReadAtContext is ReadAt under ctx: cancelling it abandons the read and any
// retry wait. Close cancels it too.
func (s *HTTPSource) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	if s.closed.Load() {
		return 0, fmt.Errorf("reading %s: %w", s.name, ErrClosed)
	}
	if off < 0 {
		return 0, fmt.Errorf("reading %s: negative offset %d", s.name, off)
	}
	if off >= s.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	var eof error
	if rest := s.size - off; int64(len(p)) > rest {
		p, eof = p[:rest], io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.life, cancel)
	defer func() { stop(); cancel() }()
	var err error
	if s.blocks != nil && int64(len(p)) <= directBlocks*s.opts.BlockSize {
		err = s.blocks.read(ctx, p, off, s.load)
	} else {
		err = s.load(ctx, p, off)
	}
	if err != nil {
		if s.closed.Load() {
			return 0, fmt.Errorf("reading %s: %w", s.name, ErrClosed)
		}
		return 0, err
	}
	return len(p), eof
}

// load reads p at off from the disk cache or the server.
func (s *HTTPSource) load(ctx context.Context, p []byte, off int64) error {
	if s.disk != nil {
		return s.disk.read(ctx, p, off, s.fetch)
	}
	return s.fetch(ctx, p, off)
}

// fetch reads p at off from the server, retrying transient failures and
// resuming a body cut short at the offset it reached.
func (s *HTTPSource) fetch(ctx context.Context, p []byte, off int64) error {
	got := 0
	err := s.opts.Retry.do(ctx, func(ctx context.Context) (bool, error) {
		n, err := s.attempt(ctx, p[got:], off+int64(got))
		got += n
		return n > 0, err
	})
	if err != nil {
		return fmt.Errorf("reading %s at offset %d: %w", s.name, off+int64(got), err)
	}
	return nil
}

// Close ends the source: reads in flight are abandoned and later reads
// fail with ErrClosed. Calling it twice is a no-op.
func (s *HTTPSource) Close() error {
	if !s.closed.Swap(true) {
		s.cancel()
	}
	return nil
}
