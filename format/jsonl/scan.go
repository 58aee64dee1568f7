package jsonl

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of arrays and objects the scanner follows, so
// that a hostile line of a million '[' cannot exhaust the stack.
const maxDepth = 1000

// inString[b] is true for the bytes a JSON string holds as they are: all
// but '"', '\\' and control characters. (Non-ASCII bytes are checked as
// UTF-8 separately.)
var inString = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// A scanner walks one JSON text (a line of the file, or a single value) in
// place. It never copies the input; strings with escapes are unescaped into
// a scratch buffer that the next string reuses.
type scanner struct {
	buf     []byte
	pos     int
	scratch []byte
}

// reset points the scanner at a new text.
func (s *scanner) reset(b []byte) {
	s.buf = b
	s.pos = 0
}

// skipSpace advances past JSON whitespace and returns the next byte, or 0
// at the end of the input.
func (s *scanner) skipSpace() byte {
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// atEnd reports whether only whitespace is left.
func (s *scanner) atEnd() bool {
	return s.skipSpace() == 0 && s.pos >= len(s.buf)
}

// expect consumes byte c after optional whitespace.
func (s *scanner) expect(c byte, what string) error {
	if s.skipSpace() != c || s.pos >= len(s.buf) {
		return s.syntaxError("expected " + what)
	}
	s.pos++
	return nil
}

// literal consumes the literal word (true, false, null) starting at pos.
func (s *scanner) literal(word string) error {
	if len(s.buf)-s.pos < len(word) || string(s.buf[s.pos:s.pos+len(word)]) != word {
		return s.syntaxError("invalid literal")
	}
	s.pos += len(word)
	return nil
}

// str consumes a string starting at the opening quote and returns its
// unescaped content. The result aliases the input when the string has no
// escapes and the scratch buffer otherwise; either way it is valid only
// until the next call. The content is checked to be valid UTF-8.
func (s *scanner) str() ([]byte, error) {
	b := s.buf
	start := s.pos + 1
	i, high := skipPlain(b, start)
	switch {
	case i >= len(b):
		s.pos = i
		return nil, s.syntaxError("unterminated string")
	case b[i] == '"':
		if high && !utf8.Valid(b[start:i]) {
			s.pos = start
			return nil, s.syntaxError("invalid UTF-8 in string")
		}
		s.pos = i + 1
		return b[start:i], nil
	case b[i] == '\\':
		s.pos = i
		return s.strEscaped(start, high)
	}
	s.pos = i
	return nil, s.syntaxError("control character in string")
}

// Word-at-a-time constants for skipPlain.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipPlain returns the index of the first quote, backslash or control
// character at or after i, and whether any byte before it was non-ASCII
// (for the caller to validate as UTF-8 in one pass). It looks at eight
// bytes at a time: string content is most of a JSON Lines file.
func skipPlain(b []byte, i int) (int, bool) {
	var seen uint64
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (ones * '"')
		e := x ^ (ones * '\\')
		// Nonzero exactly when some byte is < 0x20 or is '"' or '\\' (the
		// classic has-less and has-zero tricks).
		if ((x-ones*0x20)&^x|(q-ones)&^q|(e-ones)&^e)&highs != 0 {
			break
		}
		seen |= x
		i += 8
	}
	for i < len(b) && inString[b[i]] {
		seen |= uint64(b[i])
		i++
	}
	return i, seen&highs != 0
}

// strEscaped finishes a string that has escapes: the content from start up
// to pos is plain, and pos is at a backslash. high says whether that
// content had non-ASCII bytes.
func (s *scanner) strEscaped(start int, high bool) ([]byte, error) {
	b := s.buf
	out := append(s.scratch[:0], b[start:s.pos]...)
	i := s.pos
	for {
		j, h := skipPlain(b, i)
		high = high || h
		out = append(out, b[i:j]...)
		i = j
		if i >= len(b) {
			s.pos = i
			return nil, s.syntaxError("unterminated string")
		}
		switch c := b[i]; {
		case c == '"':
			s.scratch = out
			if high && !utf8.Valid(out) {
				s.pos = start
				return nil, s.syntaxError("invalid UTF-8 in string")
			}
			s.pos = i + 1
			return out, nil
		case c < 0x20:
			s.pos = i
			return nil, s.syntaxError("control character in string")
		}
		// A backslash.
		if i+1 >= len(b) {
			s.pos = i
			return nil, s.syntaxError("unterminated string")
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, ok := s.unicodeEscape(i)
			if !ok {
				s.pos = i
				return nil, s.syntaxError("invalid \\u escape")
			}
			out = utf8.AppendRune(out, r)
			i += n
			continue
		default:
			s.pos = i
			return nil, s.syntaxError("invalid escape")
		}
		i += 2
	}
}

// unicodeEscape decodes \uXXXX at i, joining a surrogate pair. It returns
// the rune and the bytes consumed. A lone surrogate becomes U+FFFD, as in
// encoding/json, since it has no UTF-8 form.
func (s *scanner) unicodeEscape(i int) (rune, int, bool) {
	r, ok := hex4(s.buf, i+2)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if i+12 <= len(s.buf) && s.buf[i+6] == '\\' && s.buf[i+7] == 'u' {
		if r2, ok := hex4(s.buf, i+8); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12, true
			}
		}
	}
	return utf8.RuneError, 6, true
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number consumes a number starting at pos and returns its text and
// whether it is an integer (no fraction, no exponent). The grammar is
// JSON's: no leading zeros, no leading '+', no bare '.'.
func (s *scanner) number() (tok []byte, integer bool, err error) {
	start := s.pos
	i := start
	b := s.buf
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return nil, false, s.syntaxError("invalid number")
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return nil, false, s.syntaxError("invalid number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integer = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			s.pos = i
			return nil, false, s.syntaxError("invalid number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	s.pos = i
	return b[start:i], integer, nil
}

// skipValue consumes any JSON value, checking its syntax, and returns its
// raw text. depth is the nesting already entered.
func (s *scanner) skipValue(depth int) ([]byte, error) {
	c := s.skipSpace()
	start := s.pos
	switch c {
	case '"':
		if _, err := s.str(); err != nil {
			return nil, err
		}
	case '{':
		if err := s.skipObject(depth + 1); err != nil {
			return nil, err
		}
	case '[':
		if err := s.skipArray(depth + 1); err != nil {
			return nil, err
		}
	case 't':
		if err := s.literal("true"); err != nil {
			return nil, err
		}
	case 'f':
		if err := s.literal("false"); err != nil {
			return nil, err
		}
	case 'n':
		if err := s.literal("null"); err != nil {
			return nil, err
		}
	default:
		if _, _, err := s.number(); err != nil {
			return nil, err
		}
	}
	return s.buf[start:s.pos], nil
}

func (s *scanner) skipObject(depth int) error {
	if depth > maxDepth {
		return s.syntaxError("nesting too deep")
	}
	s.pos++ // '{'
	if s.skipSpace() == '}' {
		s.pos++
		return nil
	}
	for {
		if s.skipSpace() != '"' {
			return s.syntaxError("expected string key in object")
		}
		if _, err := s.str(); err != nil {
			return err
		}
		if err := s.expect(':', "':' after object key"); err != nil {
			return err
		}
		if _, err := s.skipValue(depth); err != nil {
			return err
		}
		if done, err := s.objectNext(); done || err != nil {
			return err
		}
	}
}

func (s *scanner) skipArray(depth int) error {
	if depth > maxDepth {
		return s.syntaxError("nesting too deep")
	}
	s.pos++ // '['
	if s.skipSpace() == ']' {
		s.pos++
		return nil
	}
	for {
		if _, err := s.skipValue(depth); err != nil {
			return err
		}
		if done, err := s.arrayNext(); done || err != nil {
			return err
		}
	}
}

// objectNext consumes the ',' or '}' after an object member and reports
// whether the object ended.
func (s *scanner) objectNext() (bool, error) {
	switch s.skipSpace() {
	case ',':
		s.pos++
		return false, nil
	case '}':
		s.pos++
		return true, nil
	}
	return false, s.syntaxError("expected ',' or '}' in object")
}

// arrayNext consumes the ',' or ']' after an array element and reports
// whether the array ended.
func (s *scanner) arrayNext() (bool, error) {
	switch s.skipSpace() {
	case ',':
		s.pos++
		return false, nil
	case ']':
		s.pos++
		return true, nil
	}
	return false, s.syntaxError("expected ',' or ']' in array")
}

// key reads an object key and the colon after it. At entry pos is at
// whatever follows '{' or ','.
func (s *scanner) key() ([]byte, error) {
	if s.skipSpace() != '"' {
		return nil, s.syntaxError("expected string key in object")
	}
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	if s.pos < len(s.buf) && s.buf[s.pos] == ':' {
		s.pos++
		return k, nil
	}
	// The key may alias scratch; expect does not touch it.
	if err := s.expect(':', "':' after object key"); err != nil {
		return nil, err
	}
	return k, nil
}
