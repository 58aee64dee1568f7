package dataset

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tome-data/tome/format"
)

// A DecodeError reports a value that cannot be decoded into a Go value.
//
// NewDecoder returns one (with Row -1) when a struct cannot match the
// schema: a column of the wrong type, a missing column, a Go type tome does
// not decode. While decoding, a DecodeError carries the row of a value that
// does not fit its field (an int64 of 300 into an int8, a list of three
// elements into a [4]float32) or of malformed array data.
//
// errors.Is(err, format.ErrSchema) holds for mismatches and values that do
// not fit; errors.Is(err, format.ErrCorrupt) holds for malformed batches.
type DecodeError struct {
	Field  string // Go field path, such as "Meta.Label"; empty for Get
	Column string // column path, such as "meta.label"
	Row    int    // row within the batch, or -1 when no row is involved
	Err    error  // what is wrong, without the field and column

	kind error // format.ErrSchema or format.ErrCorrupt
}

func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("dataset: ")
	if e.Row >= 0 {
		b.WriteString("row ")
		b.WriteString(strconv.Itoa(e.Row))
		b.WriteString(": ")
	}
	switch {
	case e.Field != "" && e.Column != "":
		fmt.Fprintf(&b, "field %s (column %q): ", e.Field, e.Column)
	case e.Field != "":
		fmt.Fprintf(&b, "field %s: ", e.Field)
	case e.Column != "":
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap gives both the cause and the format sentinel, so that errors.Is
// matches format.ErrSchema or format.ErrCorrupt while the message stays free
// of the sentinel's text.
func (e *DecodeError) Unwrap() []error { return []error{e.Err, e.kind} }

// decodeSchemaErr is a value or type that does not fit: format.ErrSchema.
func decodeSchemaErr(msg string, args ...any) error {
	return &DecodeError{Row: -1, Err: fmt.Errorf(msg, args...), kind: format.ErrSchema}
}

// decodeCorruptErr is array data that contradicts itself: format.ErrCorrupt.
func decodeCorruptErr(msg string, args ...any) error {
	return &DecodeError{Row: -1, Err: fmt.Errorf(msg, args...), kind: format.ErrCorrupt}
}

// decodeAt gives err the field and column of p unless a deeper field already
// named itself, and the row when it is known (row >= 0).
func decodeAt(err error, p decodePath, row int) error {
	var de *DecodeError
	if !errors.As(err, &de) {
		de = &DecodeError{Row: -1, Err: err, kind: format.ErrCorrupt}
	}
	out := *de
	if out.Field == "" && out.Column == "" {
		out.Field, out.Column = p.field, p.column
	}
	if row >= 0 {
		out.Row = row
	}
	return &out
}
