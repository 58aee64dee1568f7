package dataset

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tome-data/tome/format"
)

// A Decoder decodes the rows of record batches into Go values of type T: a
// struct whose fields name columns, or a map with string keys (one entry
// per column; of columns with the same name, the last wins).
//
// NewDecoder matches T to a schema once and builds a decode function per
// field, so every check that does not depend on a value happens there: a
// struct that cannot match the schema fails in NewDecoder, naming the Go
// field and the column, not on row 1,000,000. Decoding then runs column by
// column in tight loops, without reflection per value for scalars.
//
// # Fields and columns
//
// A field's column is named by its `tome:"name"` tag, else by the name in
// its `json:"name"` tag, else by the field's name; `tome:"-"` (or
// `json:"-"` without a tome tag) skips the field. A column with exactly
// that name wins; otherwise the one equal to it ignoring case, so field
// Label finds column "label" as encoding/json would; two candidates are an
// error. Fields of embedded structs are promoted as in encoding/json.
// Columns without a field are ignored.
//
// A field whose column is missing from the schema is an error, unless the
// field is a pointer or tagged `tome:",optional"`: such a field is left as
// it is by Decode (so a default set beforehand survives) and is zero in
// AppendBatch.
//
// # Types
//
// Values convert as follows; anything else is a NewDecoder error.
//
//   - Integer columns into any Go integer type. When every value of the
//     column fits (int8 into int64, uint16 into int32) values are copied;
//     when one might not (int64 into int8, int32 into uint64), each value is
//     checked and one that does not fit is an error naming its row.
//   - Floating-point, decimal and integer columns into float32 and float64.
//     A float64 rounds to the nearest float32, but a finite value beyond
//     float32's range is an error; an integer must convert exactly (2^53+1
//     into a float64 is an error). Floats never decode into integers.
//   - bool columns into bool.
//   - String and binary columns (all widths, views, fixed-size) into string
//     and []byte; decimals into string as exact text; fixed_size_binary(N)
//     into [N]byte.
//   - Timestamps (in their time zone; UTC without one) and dates into
//     time.Time; durations, and times of day as the time since midnight,
//     into time.Duration.
//   - Lists, large lists, list views and fixed-size lists into []E, and
//     into [N]E (a fixed-size list must have size N; a variable list is
//     checked per row); maps into []E of key/value structs too.
//   - Struct columns into structs (fields matched as above) and into
//     map[string]V; map columns into map[K]V.
//   - Any column into any (the value Row.Value gives) and into *E: nil for
//     null, else a pointer to the decoded E.
//   - Dictionary-encoded and run-end encoded columns decode as their values,
//     extension types as their storage type, and null columns as zero.
//
// A null decoded into a non-pointer is the zero value, as in encoding/json:
// use a pointer field to tell null from zero.
//
// # Memory
//
// Decoded values never borrow the batch: strings, byte slices, slices and
// maps are copies that outlive it, so a batch can be released as soon as
// it is decoded. To keep that cheap, AppendBatch copies each column's
// strings, bytes and list elements into one block per batch and hands out
// pieces of it (byte slices and slices are capped at their own length, so
// appending to one never writes into another); the values pointer fields
// point to likewise share one array per column and batch. Keeping any one
// decoded value therefore keeps its column's block for that batch alive;
// copy the value to let the rest go.
//
// Decode overwrites every field it decodes: slices, maps and pointers are
// replaced, never merged into or reused.
//
// # Concurrency
//
// A Decoder is safe for concurrent use.
type Decoder[T any] struct {
	schema *arrow.Schema
	decode func(count int, cols func(int) arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error
	stride uintptr

	// seen is the last batch schema found equal to schema: batches of one
	// stream usually share a schema, so the full comparison runs once.
	seen atomic.Pointer[arrow.Schema]
}

// NewDecoder returns a Decoder of rows of the given schema into T, or an
// error (a *DecodeError wrapping format.ErrSchema) naming the first field
// that cannot be decoded and why.
func NewDecoder[T any](schema *arrow.Schema) (*Decoder[T], error) {
	return newDecoder[T](schema, false)
}

// newDecoder is NewDecoder, and with borrow set a Decoder whose strings,
// byte slices and slices of numbers point into the batch's buffers
// instead of copies of them (a slice still capped at its own length).
// That saves copying every row's bytes once more, which for rows of
// embeddings is most of the decoding, but it is sound only for batches
// whose buffers are ordinary Go memory that nothing writes to or reuses
// once the batch is released: the garbage collector then keeps them alive
// for as long as a decoded value points into them, exactly as it keeps a
// copied block. Memory-mapped, pooled and C-allocated buffers do not
// qualify; Scan decides (Dataset.batchesOnGoHeap).
func newDecoder[T any](schema *arrow.Schema, borrow bool) (*Decoder[T], error) {
	if schema == nil {
		return nil, fmt.Errorf("dataset: NewDecoder needs a schema: %w", format.ErrSchema)
	}
	rt := reflect.TypeFor[T]()
	names := make([]string, schema.NumFields())
	types := make([]arrow.DataType, schema.NumFields())
	for i := range names {
		f := schema.Field(i)
		names[i], types[i] = f.Name, f.Type
	}
	d := &Decoder[T]{schema: schema, stride: rt.Size()}
	switch rt.Kind() {
	case reflect.Struct:
		fields, err := decodeResolve(decodeRootPath(borrow), names, types, rt)
		if err != nil {
			return nil, err
		}
		d.decode = func(count int, cols func(int) arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			return decodeFieldsInto(fields, count, cols, from, n, dst, stride)
		}
	case reflect.Map:
		m, err := decodeNewNamedMap(decodeRootPath(borrow), names, types, rt)
		if err != nil {
			return nil, err
		}
		d.decode = func(count int, cols func(int) arrow.Array, from, n int, dst unsafe.Pointer, stride uintptr) error {
			return m.decode(count, cols, nil, from, n, dst, stride)
		}
	default:
		return nil, decodeSchemaErr("cannot decode rows into %s: want a struct, or a map with string keys", rt)
	}
	return d, nil
}

// Schema is the schema the Decoder was built for.
func (d *Decoder[T]) Schema() *arrow.Schema { return d.schema }

// Decode decodes row `row` of rec into *dst. rec must have the Decoder's
// schema (the same column names and types).
func (d *Decoder[T]) Decode(rec arrow.RecordBatch, row int, dst *T) error {
	if dst == nil {
		return errors.New("dataset: Decode into a nil pointer")
	}
	if err := d.check(rec); err != nil {
		return err
	}
	if row < 0 || int64(row) >= rec.NumRows() {
		return fmt.Errorf("dataset: row %d outside a batch of %d rows", row, rec.NumRows())
	}
	if err := d.run(rec, row, 1, unsafe.Pointer(dst), 0); err != nil {
		return decodeAt(err, decodePath{}, row)
	}
	return nil
}

// AppendBatch decodes every row of rec and appends them to dst, returning
// the extended slice; it is the fast way to decode, a column at a time. On
// error it returns dst as it was (its spare capacity may have been written)
// and an error naming the row, field and column at fault.
func (d *Decoder[T]) AppendBatch(dst []T, rec arrow.RecordBatch) ([]T, error) {
	if err := d.check(rec); err != nil {
		return dst, err
	}
	n := int(rec.NumRows())
	if n == 0 {
		return dst, nil
	}
	start := len(dst)
	out := slices.Grow(dst, n)[:start+n]
	clear(out[start:]) // fields without a column are zero, not stale
	if err := d.run(rec, 0, n, unsafe.Pointer(&out[start]), d.stride); err != nil {
		return dst, d.locate(rec, err)
	}
	return out, nil
}

// run decodes rows [from, from+n) of rec, turning a panic inside arrow-go
// (an array whose buffers contradict its header) into an ErrCorrupt error.
func (d *Decoder[T]) run(rec arrow.RecordBatch, from, n int, dst unsafe.Pointer, stride uintptr) (err error) {
	defer decodeRecover(&err)
	return d.decode(int(rec.NumCols()), rec.Column, from, n, dst, stride)
}

// locate finds the row a batch error comes from by decoding the rows one at
// a time into a scratch value. Errors are rare, so the common path pays
// nothing for knowing the row.
func (d *Decoder[T]) locate(rec arrow.RecordBatch, batchErr error) error {
	var scratch T
	for row := range int(rec.NumRows()) {
		if err := d.run(rec, row, 1, unsafe.Pointer(&scratch), 0); err != nil {
			return decodeAt(err, decodePath{}, row)
		}
	}
	return batchErr
}

// decodeRecover converts a panic into an ErrCorrupt error in *err.
func decodeRecover(err *error) {
	if r := recover(); r != nil {
		*err = &DecodeError{Row: -1, Err: fmt.Errorf("malformed batch: %v", r), kind: format.ErrCorrupt}
	}
}

// check verifies that rec has the Decoder's schema, since the plans index
// columns by position and assume their types.
func (d *Decoder[T]) check(rec arrow.RecordBatch) error {
	if rec == nil {
		return errors.New("dataset: decoding a nil batch")
	}
	s := rec.Schema()
	if s == d.schema || s == d.seen.Load() {
		return nil
	}
	if err := decodeSameSchema(d.schema, s); err != nil {
		return err
	}
	d.seen.Store(s)
	return nil
}

// decodeSameSchema tells whether batches of schema got decode with plans
// built for want: same column names and types in the same order. Field
// nullability and metadata do not matter to decoding, so they may differ.
func decodeSameSchema(want, got *arrow.Schema) error {
	if got == nil || got.NumFields() != want.NumFields() {
		n := 0
		if got != nil {
			n = got.NumFields()
		}
		return fmt.Errorf("dataset: batch has %d columns, the decoder's schema %d: %w", n, want.NumFields(), format.ErrSchema)
	}
	for i := range want.NumFields() {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || !decodeSameType(w.Type, g.Type) {
			return fmt.Errorf("dataset: batch column %d is %q (%s), the decoder's schema has %q (%s): %w",
				i, g.Name, g.Type, w.Name, w.Type, format.ErrSchema)
		}
	}
	return nil
}

// decodeSameType is arrow.TypeEqual without nullability and without the
// names of list items, which do not change how values decode.
func decodeSameType(a, b arrow.DataType) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.ID() != b.ID() {
		return false
	}
	switch at := a.(type) {
	case *arrow.DictionaryType:
		bt := b.(*arrow.DictionaryType)
		return decodeSameType(at.IndexType, bt.IndexType) && decodeSameType(at.ValueType, bt.ValueType)
	case *arrow.FixedSizeListType:
		bt := b.(*arrow.FixedSizeListType)
		return at.Len() == bt.Len() && decodeSameType(at.Elem(), bt.Elem())
	case *arrow.ListType, *arrow.LargeListType, *arrow.ListViewType, *arrow.LargeListViewType,
		*arrow.MapType, *arrow.StructType, *arrow.RunEndEncodedType:
		af, bf := a.(arrow.NestedType).Fields(), b.(arrow.NestedType).Fields()
		if len(af) != len(bf) {
			return false
		}
		_, isStruct := a.(*arrow.StructType)
		for i := range af {
			if isStruct && af[i].Name != bf[i].Name || !decodeSameType(af[i].Type, bf[i].Type) {
				return false
			}
		}
		return true
	}
	return arrow.TypeEqual(a, b)
}
