package jsonl

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// The decoders in this file serve the types inference produces (bool,
// int64, float64, string). They are written out rather than going through
// leafDecoder because nearly every value of a typical file passes through
// them.

var errWidth = errors.New("has the wrong number of bytes for the column's width")

type boolDecoder struct {
	b    *array.BooleanBuilder
	path string
}

func (d *boolDecoder) decode(s *scanner) error {
	start, kind, tok, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == tokTrue:
		d.b.Append(true)
		return nil
	case kind == tokFalse:
		d.b.Append(false)
		return nil
	case kind == tokNull:
		d.b.AppendNull()
		return nil
	case kind == tokString:
		if v, ok := parseBool(tok); ok {
			d.b.Append(v)
			return nil
		}
	}
	return s.misfit(start, kind, d.path, "bool", nil)
}

func (d *boolDecoder) appendText(b []byte) error {
	v, ok := parseBool(b)
	if !ok {
		return textMisfit(b, d.path, "bool", nil)
	}
	d.b.Append(v)
	return nil
}

func (d *boolDecoder) appendNull() { d.b.AppendNull() }

type int64Decoder struct {
	b    *array.Int64Builder
	path string
}

func (d *int64Decoder) decode(s *scanner) error {
	c := s.skipSpace()
	if c == '-' || '0' <= c && c <= '9' {
		// The common case: parse digits in place, falling back to the
		// general path for anything unusual.
		start := s.pos
		tok, integer, err := s.number()
		if err != nil {
			return err
		}
		if integer {
			if v, ok := parseInt(tok); ok {
				d.b.Append(v)
				return nil
			}
		}
		return s.misfit(start, tokFloat, d.path, "int64", nil)
	}
	start, kind, tok, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == tokNull:
		d.b.AppendNull()
		return nil
	case kind == tokString:
		if v, ok := parseInt(tok); ok {
			d.b.Append(v)
			return nil
		}
	}
	return s.misfit(start, kind, d.path, "int64", nil)
}

func (d *int64Decoder) appendText(b []byte) error {
	v, ok := parseInt(b)
	if !ok {
		return textMisfit(b, d.path, "int64", nil)
	}
	d.b.Append(v)
	return nil
}

func (d *int64Decoder) appendNull() { d.b.AppendNull() }

type float64Decoder struct {
	b    *array.Float64Builder
	path string
}

func (d *float64Decoder) decode(s *scanner) error {
	if c := s.skipSpace(); c == '-' || '0' <= c && c <= '9' {
		if v, ok := s.float64Number(); ok {
			d.b.Append(v)
			return nil
		}
	}
	start, kind, tok, err := s.scalar()
	switch {
	case err != nil:
		return err
	case kind == tokInt || kind == tokFloat || kind == tokString:
		if v, ok := parseFloat(tok, 64); ok {
			d.b.Append(v)
			return nil
		}
	case kind == tokNull:
		d.b.AppendNull()
		return nil
	}
	return s.misfit(start, kind, d.path, "float64", nil)
}

func (d *float64Decoder) appendText(b []byte) error {
	v, ok := parseFloat(b, 64)
	if !ok {
		return textMisfit(b, d.path, "float64", nil)
	}
	d.b.Append(v)
	return nil
}

func (d *float64Decoder) appendNull() { d.b.AppendNull() }

// stringDecoder appends strings as they are and any other value as its
// JSON text, exactly as it appears in the input: a column inferred as
// string because its values disagree keeps every one of them.
type stringDecoder struct {
	b interface {
		Append([]byte)
		AppendNull()
	}
}

func (d *stringDecoder) decode(s *scanner) error {
	switch s.skipSpace() {
	case '"':
		v, err := s.str()
		if err != nil {
			return err
		}
		d.b.Append(v)
		return nil
	case 'n':
		if err := s.literal("null"); err != nil {
			return err
		}
		d.b.AppendNull()
		return nil
	}
	raw, err := s.skipValue(0)
	if err != nil {
		return err
	}
	d.b.Append(raw)
	return nil
}

func (d *stringDecoder) appendText(b []byte) error {
	d.b.Append(b)
	return nil
}

func (d *stringDecoder) appendNull() { d.b.AppendNull() }
