package shard

import (
	"fmt"
	"net/http"
	"net/url"
)

// maxRedirects matches net/http's own limit.
const maxRedirects = 10

// sensitiveHeaders carry credentials and go to the source's own host only.
var sensitiveHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization"}

// sameOrigin reports whether a and b name the same scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Host == b.Host
}

// redirectPolicy is the redirect policy of the clients of sources and Hub
// listings. net/http has already copied the first request's headers (Range
// and the validators among them) to req; this drops the credentials once
// the chain has left the first request's origin, even for a subdomain,
// refuses a downgrade from https to http, and lets setValidator send the
// pinned validator only to the origin it came from. next is the caller's
// own policy, if any.
func redirectPolicy(next func(*http.Request, []*http.Request) error, setValidator func(*http.Request)) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return fmt.Errorf("%w: stopped after %d redirects", ErrBadResponse, len(via))
		}
		first := via[0].URL
		if first.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: refusing a redirect from https to %s", ErrBadResponse, req.URL.Scheme)
		}
		left := !sameOrigin(req.URL, first)
		for _, r := range via[1:] {
			left = left || !sameOrigin(r.URL, first)
		}
		if left {
			for _, h := range sensitiveHeaders {
				req.Header.Del(h)
			}
		}
		if setValidator != nil {
			setValidator(req)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}
