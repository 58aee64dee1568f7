package jsonl

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// A ValueDecoder appends JSON values to an Arrow builder of any type the
// reader supports, parsing them as the reader parses a column of an
// explicit schema. It is the inverse of format/rowjson's value encoding,
// for codecs that hold JSON or text in other containers (the CSV reader
// uses it for typed and nested cells).
//
// A ValueDecoder is bound to its builder and is not safe for concurrent
// use. Errors wrap format.ErrCorrupt (malformed JSON) or format.ErrSchema
// (a value that does not fit) and name the column.
type ValueDecoder struct {
	dec  decoder
	comp compiler
	s    scanner
}

// NewValueDecoder compiles a decoder appending to b. name is the column
// name used in errors; mem (nil for the default) allocates the scratch
// builders of dictionary columns. Types that JSON cannot carry (unions)
// give an error wrapping format.ErrUnsupported.
func NewValueDecoder(mem memory.Allocator, b array.Builder, name string) (*ValueDecoder, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	d := &ValueDecoder{comp: compiler{mem: mem}}
	dec, err := d.comp.compile(b, name)
	if err != nil {
		d.comp.release()
		return nil, err
	}
	d.dec = dec
	return d, nil
}

// AppendJSON parses data, which must hold exactly one JSON value, and
// appends it.
func (d *ValueDecoder) AppendJSON(data []byte) error {
	d.s.reset(data)
	if err := d.dec.decode(&d.s); err != nil {
		return d.located(err)
	}
	if !d.s.atEnd() {
		return d.located(d.s.syntaxError("unexpected data after value"))
	}
	return nil
}

// AppendText appends a value given as text, as if it were the content of
// a JSON string: "12" for an integer column, "2024-03-01T10:00:00Z" for a
// timestamp, base64 for binary. Nested types (lists, structs, maps) take
// their JSON text. Text is appended to string columns as it is.
func (d *ValueDecoder) AppendText(text []byte) error {
	return d.located(d.dec.appendText(text))
}

// AppendNull appends a null.
func (d *ValueDecoder) AppendNull() { d.dec.appendNull() }

// Release frees the scratch builders a dictionary column decodes through.
func (d *ValueDecoder) Release() { d.comp.release() }

// located adds the byte offset to syntax errors of a JSON text.
func (d *ValueDecoder) located(err error) error {
	if err == nil {
		return nil
	}
	var ve *valueError
	if errors.As(err, &ve) && errors.Is(ve.kind, format.ErrCorrupt) {
		return fmt.Errorf("byte %d: %w", ve.pos+1, err)
	}
	return err
}
