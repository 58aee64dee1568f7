package arrowjson

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrMismatch marks the differences CompareBatch reports.
var ErrMismatch = errors.New("arrowjson: batches differ")

// equalOptions make floating point values equal within arrow-go's default
// absolute tolerance, and NaN equal to NaN: the JSON writes floats in
// decimal, and a NaN read back is as expected as the NaN written.
var equalOptions = []array.EqualOption{array.WithNaNsEqual(true)}

// CompareBatch returns nil when got holds what want does, and otherwise an
// error wrapping ErrMismatch that names the first difference: the column
// count, a column's name or type, the row count, or the first column and
// row whose values differ, with both values.
//
// Columns are compared by name and type (field metadata and nullability
// are not compared), and values with array.ApproxEqual, which is exact for
// everything but floats. Dictionary-encoded columns are compared by their
// decoded values, so the two sides may lay out their dictionaries
// differently, but both must be encoded alike.
func CompareBatch(want, got arrow.RecordBatch) error {
	if want == nil || got == nil {
		if want == nil && got == nil {
			return nil
		}
		return fmt.Errorf("%w: got %v, want %v", ErrMismatch, describe(got), describe(want))
	}
	ws, gs := want.Schema(), got.Schema()
	if ws.NumFields() != gs.NumFields() {
		return fmt.Errorf("%w: got %d columns, want %d", ErrMismatch, gs.NumFields(), ws.NumFields())
	}
	for i, wf := range ws.Fields() {
		gf := gs.Field(i)
		if gf.Name != wf.Name {
			return fmt.Errorf("%w: column %d is named %q, want %q", ErrMismatch, i, gf.Name, wf.Name)
		}
		if !typesEqual(wf.Type, gf.Type) {
			return fmt.Errorf("%w: column %q has type %s, want %s", ErrMismatch, wf.Name, gf.Type, wf.Type)
		}
	}
	if got.NumRows() != want.NumRows() {
		return fmt.Errorf("%w: got %d rows, want %d", ErrMismatch, got.NumRows(), want.NumRows())
	}
	for i, wf := range ws.Fields() {
		if err := compareColumn(wf.Name, want.Column(i), got.Column(i)); err != nil {
			return err
		}
	}
	return nil
}

func describe(b arrow.RecordBatch) string {
	if b == nil {
		return "no batch"
	}
	return fmt.Sprintf("a batch of %d rows", b.NumRows())
}

// compareColumn compares two columns of the same type and length, and on a
// difference looks for the first row that differs.
func compareColumn(name string, want, got arrow.Array) error {
	mem := memory.DefaultAllocator
	w, err := plainArray(want, mem)
	if err != nil {
		return fmt.Errorf("column %q: %w", name, err)
	}
	defer w.Release()
	g, err := plainArray(got, mem)
	if err != nil {
		return fmt.Errorf("column %q: %w", name, err)
	}
	defer g.Release()
	if array.ApproxEqual(w, g, equalOptions...) {
		return nil
	}
	for row := 0; row < w.Len(); row++ {
		if !rowEqual(w, g, row) {
			gs, ws := valueString(g, row), valueString(w, row)
			if gs == ws {
				// array.Equal also compares what a null hides, such as
				// the child values under a null struct slot.
				ws += " (the same as printed: they differ beneath, as in child values under a null)"
			}
			return fmt.Errorf("%w: column %q row %d: got %s, want %s", ErrMismatch, name, row, gs, ws)
		}
	}
	return fmt.Errorf("%w: column %q differs though no single row does: got %s, want %s",
		ErrMismatch, name, shorten(g.String()), shorten(w.String()))
}

func rowEqual(want, got arrow.Array, row int) bool {
	w := array.NewSlice(want, int64(row), int64(row+1))
	defer w.Release()
	g := array.NewSlice(got, int64(row), int64(row+1))
	defer g.Release()
	return array.ApproxEqual(w, g, equalOptions...)
}

// valueString renders one value for an error message.
func valueString(arr arrow.Array, row int) string {
	if arr.IsNull(row) {
		return "null"
	}
	return shorten(arr.ValueStr(row))
}

func shorten(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
