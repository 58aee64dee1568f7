package shard

import (
	"net/http"
	"strings"
	"time"
)

// maxHeaderDelay caps the delays parsed from headers before they become a
// time.Duration, so that a hostile "Retry-After: 99999999999999" cannot
// overflow. It is far beyond any RetryPolicy.MaxServerDelay.
const maxHeaderDelay = 7 * 24 * time.Hour

// serverDelay returns how long the server asked the client to wait before
// retrying, and whether it asked at all. It reads Retry-After (seconds or an
// HTTP date), then the RateLimit headers of the IETF drafts: "RateLimit:
// limit=100, remaining=0, reset=30" (draft 7), "RateLimit: "api";r=0;t=30"
// (draft 8 and later, as the Hugging Face Hub sends) and
// "RateLimit-Reset: 30" (earlier drafts). A reset only counts for a quota
// that is spent (remaining 0) or whose remaining count is not given. The
// longest delay wins.
func serverDelay(h http.Header, now time.Time) (time.Duration, bool) {
	var d time.Duration
	found := false
	use := func(v time.Duration, ok bool) {
		if ok {
			found = true
			d = max(d, v)
		}
	}
	use(retryAfter(h.Get("Retry-After"), now))
	for _, v := range h.Values("RateLimit") {
		use(rateLimitReset(v))
	}
	if rem := strings.TrimSpace(h.Get("RateLimit-Remaining")); rem == "" || rem == "0" {
		use(seconds(h.Get("RateLimit-Reset")))
	}
	return d, found
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date. A
// date in the past means no wait.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if d, ok := seconds(v); ok {
		return d, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxHeaderDelay), true
}

// rateLimitReset reads the reset delay of the spent quotas in one RateLimit
// header value, in either draft syntax.
func rateLimitReset(v string) (time.Duration, bool) {
	var d time.Duration
	found := false
	items := splitOutsideQuotes(v, ',')
	if !strings.Contains(v, ";") {
		// Draft 7: one dictionary, "limit=100, remaining=0, reset=30".
		params := map[string]string{}
		for _, it := range items {
			k, val, _ := strings.Cut(it, "=")
			params[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
		}
		if rem, ok := params["remaining"]; ok && rem != "0" {
			return 0, false
		}
		return seconds(params["reset"])
	}
	// Draft 8+: a list of quota policies, `"name";r=0;t=30`.
	for _, it := range items {
		params := map[string]string{}
		for _, p := range splitOutsideQuotes(it, ';')[1:] {
			k, val, _ := strings.Cut(p, "=")
			params[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
		}
		if rem, ok := params["r"]; ok && rem != "0" {
			continue
		}
		if t, ok := seconds(params["t"]); ok {
			found = true
			d = max(d, t)
		}
	}
	return d, found
}

// seconds parses a non-negative decimal number of seconds.
func seconds(v string) (time.Duration, bool) {
	n, ok := digits(strings.TrimSpace(v))
	if !ok {
		return 0, false
	}
	if n > int64(maxHeaderDelay/time.Second) {
		return maxHeaderDelay, true
	}
	return time.Duration(n) * time.Second, true
}

// splitOutsideQuotes splits s at sep where sep is not inside a quoted
// string, honouring backslash escapes inside quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
