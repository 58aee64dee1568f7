package shard

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors of remote sources. Match them with errors.Is.
var (
	// ErrChanged marks a remote object that changed after it was opened:
	// its ETag (or Last-Modified date, or size) no longer matches the one
	// pinned at open. Reading on would mix two versions, so the read fails;
	// open the object again to read the new version.
	ErrChanged = errors.New("shard: remote object changed since open")

	// ErrDenied marks a request the server refused for lack of rights
	// (401 Unauthorized, 403 Forbidden): a private repository without a
	// token, an expired signed URL.
	ErrDenied = errors.New("shard: access denied")

	// ErrBadResponse marks a server answer that contradicts the request or
	// the protocol: a Content-Range other than the one asked for, a body of
	// the wrong length, a compressed body for a byte range.
	ErrBadResponse = errors.New("shard: bad response from server")

	// ErrNoRanges marks a server that ignores Range requests for an object
	// too large to read from the start each time (see
	// HTTPOptions.MaxDiscard).
	ErrNoRanges = errors.New("shard: server does not support range requests")
)

// StatusError is an HTTP response whose status code is an error. Its text is
// the status alone, for the callers that wrap it name the URL. It unwraps
// to ErrNotFound (404, 410), ErrDenied (401, 403) or ErrChanged (412), so
// errors.Is works on it; errors.As gives the code.
type StatusError struct {
	Method string
	URL    string // redacted: no user information
	Code   int

	// delay is the wait the server asked for (Retry-After, RateLimit),
	// valid when hinted.
	delay  time.Duration
	hinted bool
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

func (e *StatusError) Unwrap() error {
	switch e.Code {
	case http.StatusNotFound, http.StatusGone:
		return ErrNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrDenied
	case http.StatusPreconditionFailed:
		return ErrChanged
	}
	return nil
}

// Temporary reports whether retrying the request may succeed: request
// timeouts, rate limits and server errors other than 501 Not Implemented
// and 505 HTTP Version Not Supported, which no retry will change.
func (e *StatusError) Temporary() bool {
	switch e.Code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return e.Code >= 500 && e.Code <= 599
}
