package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// tokenCheck checks bearer tokens in constant time: both sides are hashed
// first, so that neither the token's content nor its length shows in the
// time a comparison takes.
type tokenCheck struct {
	want [sha256.Size]byte
	on   bool
}

func newTokenCheck(token string) tokenCheck {
	return tokenCheck{want: sha256.Sum256([]byte(token)), on: token != ""}
}

// allows reports whether an Authorization header value carries the
// token (always true when no token is configured).
func (t tokenCheck) allows(authorization string) bool {
	if !t.on {
		return true
	}
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		// Still compare, so a malformed header costs the same time.
		token = ""
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], t.want[:]) == 1 && ok
}
