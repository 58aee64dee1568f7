package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// contentRange is a parsed Content-Range header (RFC 9110, section 14.4).
// first and last are -1 for an unsatisfied range ("bytes */N"); size is -1
// when the server does not know the complete length ("bytes 0-9/*").
type contentRange struct {
	first, last, size int64
}

var errContentRange = errors.New("malformed Content-Range")

// parseContentRange parses "bytes first-last/size", "bytes first-last/*"
// or "bytes */size". Numbers are decimal digits only: no signs, no spaces
// inside, nothing that would overflow an int64.
func parseContentRange(s string) (contentRange, error) {
	bad := func() (contentRange, error) {
		return contentRange{}, fmt.Errorf("%w %q", errContentRange, s)
	}
	unit, rest, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return bad()
	}
	span, total, ok := strings.Cut(strings.TrimLeft(rest, " "), "/")
	if !ok {
		return bad()
	}
	cr := contentRange{first: -1, last: -1, size: -1}
	if total != "*" {
		n, ok := digits(total)
		if !ok {
			return bad()
		}
		cr.size = n
	}
	if span == "*" {
		if cr.size < 0 {
			return bad() // "bytes */*" says nothing
		}
		return cr, nil
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return bad()
	}
	if cr.first, ok = digits(a); !ok {
		return bad()
	}
	if cr.last, ok = digits(b); !ok {
		return bad()
	}
	if cr.first > cr.last || (cr.size >= 0 && cr.last >= cr.size) {
		return bad()
	}
	return cr, nil
}

// digits parses a non-empty run of ASCII digits that fits an int64.
func digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
