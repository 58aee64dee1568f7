package jsonl

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/tome-data/tome/format"
)

// A valueError is a problem at one position of one JSON text: a syntax
// error (wrapping format.ErrCorrupt) or a value that does not fit its
// column (wrapping format.ErrSchema). The reader adds the file name and
// line number; ValueDecoder's callers add their own context.
type valueError struct {
	pos  int    // byte offset in the text, 0-based
	path string // column path, for schema errors
	msg  string
	kind error
}

func (e *valueError) Error() string {
	if e.path != "" {
		return fmt.Sprintf("column %s: %s: %v", strconv.Quote(e.path), e.msg, e.kind)
	}
	return fmt.Sprintf("%s: %v", e.msg, e.kind)
}

func (e *valueError) Unwrap() error { return e.kind }

// syntaxError reports malformed JSON at the scanner's position, naming the
// byte found there.
func (s *scanner) syntaxError(msg string) error {
	if s.pos < len(s.buf) {
		msg = fmt.Sprintf("%s, found %s", msg, quoteByte(s.buf[s.pos]))
	} else {
		msg += ", found end of line"
	}
	return &valueError{pos: s.pos, msg: "invalid JSON: " + msg, kind: format.ErrCorrupt}
}

// mismatch reports a well-formed value that does not fit the column at
// path. start is where the value begins; the message shows its JSON text
// (or the start of it).
func (s *scanner) mismatch(start int, path, want string) error {
	end := s.pos
	if end <= start {
		end = len(s.buf)
	}
	got := string(s.buf[start:min(end, start+40)])
	if end > start+40 {
		got += "..."
	}
	return &valueError{
		pos:  start,
		path: path,
		msg:  fmt.Sprintf("value %s does not fit %s", got, want),
		kind: format.ErrSchema,
	}
}

// schemaError reports a value-independent schema problem at pos.
func schemaError(pos int, path, msg string) error {
	return &valueError{pos: pos, path: path, msg: msg, kind: format.ErrSchema}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// quoteText quotes a prefix of raw input for an error message.
func quoteText(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "..."
	}
	return strconv.Quote(string(b))
}

// lineError places err, from decoding the given 1-based line of the named
// file, in the file. hint is appended to schema errors.
func lineError(name string, line int64, err error, hint string) error {
	var ve *valueError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%s: line %d: %w", name, line, err)
	}
	if errors.Is(ve.kind, format.ErrSchema) {
		hinted := *ve
		hinted.msg += hint
		return fmt.Errorf("%s: line %d: %w", name, line, &hinted)
	}
	return fmt.Errorf("%s: line %d, byte %d: %w", name, line, ve.pos+1, ve)
}

// notObject reports a line that holds valid JSON, or at least starts like
// it, but not an object.
func notObject(s *scanner) error {
	return &valueError{
		pos:  s.pos,
		msg:  "not a JSON object (JSON Lines holds one object per line), found " + quoteText(s.buf[s.pos:min(len(s.buf), s.pos+20)]),
		kind: format.ErrCorrupt,
	}
}

// duplicateKey reports a key that occurs twice in one object. JSON
// parsers disagree on which value wins, so tome takes neither.
func duplicateKey(pos int, path string, key []byte) error {
	return &valueError{pos: pos, path: path, msg: fmt.Sprintf("duplicate key %q", key), kind: format.ErrCorrupt}
}
