package jsonl

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// A decoder appends JSON values to one Arrow builder. Decoders are compiled
// once per schema into a tree that mirrors the type, each bound to its
// builder, so decoding a value is a walk over the bytes with no reflection
// and no intermediate Go values.
type decoder interface {
	// decode appends the JSON value at the scanner's position (whitespace
	// allowed before it) and leaves the scanner just past it.
	decode(s *scanner) error
	// appendText appends a value given as the content of a JSON string
	// (a CSV cell, a map key). Errors are *valueError at position 0.
	appendText(b []byte) error
	appendNull()
}

// Token kinds returned by scanner.scalar.
const (
	tokNull   = 'n'
	tokTrue   = 't'
	tokFalse  = 'f'
	tokInt    = 'i' // a number with no fraction or exponent
	tokFloat  = 'd' // any other number
	tokString = '"'
	tokArray  = '['
	tokObject = '{'
)

// scalar reads the value at the scanner's position when it is a scalar and
// returns where it starts, its kind and its text: a number's digits or a
// string's unescaped content. Arrays and objects are reported by kind and
// left unread.
func (s *scanner) scalar() (start int, kind byte, tok []byte, err error) {
	c := s.skipSpace()
	start = s.pos
	switch {
	case c == '"':
		tok, err = s.str()
		return start, tokString, tok, err
	case c == '-' || '0' <= c && c <= '9':
		tok, integer, err := s.number()
		if integer {
			return start, tokInt, tok, err
		}
		return start, tokFloat, tok, err
	case c == 'n':
		return start, tokNull, nil, s.literal("null")
	case c == 't':
		return start, tokTrue, nil, s.literal("true")
	case c == 'f':
		return start, tokFalse, nil, s.literal("false")
	case c == '[', c == '{':
		return start, c, nil, nil
	}
	return start, 0, nil, s.syntaxError("expected a value")
}

// errMisfit is the reason-less answer of a leaf to a value it cannot hold.
var errMisfit = errors.New("does not fit")

// misfit reports that the value starting at start does not fit the column
// at path, whose type is want. An unread array or object is read first, so
// that malformed JSON is reported as such rather than as a type problem.
func (s *scanner) misfit(start int, kind byte, path, want string, reason error) error {
	if kind == tokArray || kind == tokObject {
		s.pos = start
		if _, err := s.skipValue(0); err != nil {
			return err
		}
	}
	err := s.mismatch(start, path, want)
	if reason != nil && reason != errMisfit {
		err.(*valueError).msg += ": " + reason.Error()
	}
	return err
}

// textMisfit reports text (from appendText) that does not fit.
func textMisfit(text []byte, path, want string, reason error) error {
	msg := fmt.Sprintf("value %s does not fit %s", quoteText(text), want)
	if reason != nil && reason != errMisfit {
		msg += ": " + reason.Error()
	}
	return &valueError{path: path, msg: msg, kind: format.ErrSchema}
}

// at moves a *valueError from appendText to position pos of a text.
func at(err error, pos int) error {
	if err == nil {
		return nil
	}
	var ve *valueError
	if errors.As(err, &ve) {
		ve.pos = pos
	}
	return err
}

// compiler builds decoder trees.
type compiler struct {
	// strict makes keys that are not in a struct an error. It is set for
	// inferred schemas, where such a key means the sample missed it.
	strict bool
	// mem allocates the scratch builders dictionary columns decode through.
	mem memory.Allocator
	// owned are those scratch builders, released with the tree.
	owned []array.Builder
}

func (c *compiler) release() {
	for _, b := range c.owned {
		b.Release()
	}
	c.owned = nil
}

// compile returns the decoder for builder b, whose values sit at path.
func (c *compiler) compile(b array.Builder, path string) (dec decoder, err error) {
	// arrow-go's builders panic on types they cannot build; a schema is
	// user input, so that is an error here, not a crash.
	defer func() {
		if r := recover(); r != nil {
			dec, err = nil, unsupported(path, b.Type(), fmt.Sprint(r))
		}
	}()
	if d := compileLeaf(b, path); d != nil {
		return d, nil
	}
	return c.compileNested(b, path)
}

// field wraps the decoder of a non-nullable field or element so that a
// null is an error rather than an invalid array.
func field(dec decoder, nullable bool, path string) decoder {
	if nullable {
		return dec
	}
	return &required{decoder: dec, path: path}
}

type required struct {
	decoder
	path string
}

func (r *required) decode(s *scanner) error {
	if s.skipSpace() == 'n' {
		return schemaError(s.pos, r.path, "null in a non-nullable field")
	}
	return r.decoder.decode(s)
}

func unsupported(path string, dt arrow.DataType, why string) error {
	msg := fmt.Sprintf("column %s: type %s cannot be read from JSON", strconv.Quote(path), dt)
	if why != "" {
		msg += " (" + why + ")"
	}
	return fmt.Errorf("%s: %w", msg, format.ErrUnsupported)
}

// join appends a struct field name to a path.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
