package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// A Row is one row of a record batch: a view, not a copy. It borrows the
// batch and is valid only while the batch is (until the loop body that
// yielded it returns, or until the last Release of a batch you retained);
// Retain a Row to keep it longer, and Release it when done. The values it
// gives (from Get and Value) are copies that outlive it.
//
// Read typed values with Get, which converts with the Decoder's rules and
// reports what does not fit as an error; read dynamic values with Value.
// A Row is a small value; copy it freely.
type Row struct {
	rec arrow.RecordBatch
	i   int
}

// NewRow returns row i of rec. Like indexing a slice, it panics when i is
// outside the batch: that is a bug in the caller, not bad data.
func NewRow(rec arrow.RecordBatch, i int) Row {
	if i < 0 || int64(i) >= rec.NumRows() {
		panic(fmt.Sprintf("dataset: row %d outside a batch of %d rows", i, rec.NumRows()))
	}
	return Row{rec: rec, i: i}
}

// Batch is the batch the row belongs to.
func (r Row) Batch() arrow.RecordBatch { return r.rec }

// Index is the row's position in its batch.
func (r Row) Index() int { return r.i }

// NumColumns is the number of columns (0 for the zero Row).
func (r Row) NumColumns() int {
	if r.rec == nil {
		return 0
	}
	return int(r.rec.NumCols())
}

// ColumnIndex returns the index of the column with the given name, matched
// as Decoder matches field names: exactly, else ignoring case. It returns
// -1 when no column matches or when two match equally well.
func (r Row) ColumnIndex(name string) int {
	if r.rec == nil {
		return -1
	}
	i, _ := rowFindColumn(r.rec.Schema(), name)
	return i
}

// IsNull tells whether column col of the row is null, looking through
// dictionary and run-end encodings. It panics when col is out of range.
func (r Row) IsNull(col int) bool {
	return decodeIsNull(r.column(col), r.i)
}

// Value returns column col of the row as a natural Go value:
//
//	null                         nil
//	signed integers              int64
//	unsigned integers            uint64
//	floats (16, 32, 64 bits)     float64
//	bool                         bool
//	strings                      string
//	binary                       []byte
//	timestamps, dates            time.Time (timestamps in their time zone)
//	durations, times of day      time.Duration
//	decimals                     string, the exact decimal text
//	lists                        []any
//	structs                      map[string]any
//	maps with string keys        map[string]any
//	other maps                   map[any]any
//	intervals                    arrow.MonthInterval, DayTimeInterval, MonthDayNanoInterval
//
// Dictionary, run-end encoded and union columns give the values they
// encode, extension types their storage's value. Values are copies that
// outlive the batch.
//
// Value never fails: it is meant for display and dynamic code. It panics
// when col is out of range, and returns nil for the rare value that has no
// Go form (a duration beyond ±292 years) or for malformed array data;
// Get[any] reports those as errors.
func (r Row) Value(col int) any {
	v, err := Get[any](r, col)
	if err != nil {
		r.column(col) // an index out of range panics, as documented
		return nil
	}
	return v
}

// String formats the row as {name: value, ...}, strings quoted, for
// logging and debugging.
func (r Row) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range r.NumColumns() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.rec.ColumnName(i))
		b.WriteString(": ")
		switch v := r.Value(i).(type) {
		case nil:
			b.WriteString("null")
		case string:
			fmt.Fprintf(&b, "%q", v)
		case []byte:
			fmt.Fprintf(&b, "%q", v)
		case time.Time:
			b.WriteString(v.Format(time.RFC3339Nano))
		default:
			fmt.Fprint(&b, v)
		}
	}
	b.WriteByte('}')
	return b.String()
}

func (r Row) column(col int) arrow.Array {
	if col < 0 || col >= r.NumColumns() {
		panic(fmt.Sprintf("dataset: column %d outside a batch of %d columns", col, r.NumColumns()))
	}
	return r.rec.Column(col)
}

// Get returns a column of row r, by index or by name, as a T. It converts
// exactly as a Decoder field of type T would (see Decoder): any integer
// width with a range check where one is needed, floats, bool, string,
// []byte, time.Time, time.Duration, slices, maps, structs, any. A null is
// T's zero value; ask for a pointer (Get[*int64]) to tell null from zero,
// or use Row.IsNull.
//
// Get returns an error, never a panic: a *DecodeError wrapping
// format.ErrSchema for a column that does not exist or whose type cannot
// decode into T, or for a value that does not fit T (300 into int8). A
// column's name, type and values come from the data, not from the code
// reading it, so a file that differs from what the code expects must be
// an error the caller can handle, not a crash; and one generic function
// with a type argument covers every Go type with the Decoder's rules
// instead of a method per type with rules of its own.
//
// Get works out the conversion on every call, which costs a little
// (roughly 0.1–1 µs); to read many rows into the same types, a Decoder
// with AppendBatch is faster by orders of magnitude.
func Get[T any, C int | string](r Row, col C) (T, error) {
	var v T
	var idx int
	switch c := any(col).(type) {
	case int:
		idx = c
		if idx < 0 || idx >= r.NumColumns() {
			return v, decodeSchemaErr("column %d outside a batch of %d columns", idx, r.NumColumns())
		}
	case string:
		if r.rec == nil {
			return v, decodeAt(decodeSchemaErr("no such column in the zero Row"), decodePath{column: c}, -1)
		}
		var findErr error
		if idx, findErr = rowFindColumn(r.rec.Schema(), c); idx < 0 {
			return v, decodeAt(findErr, decodePath{column: c}, -1)
		}
	}
	arr := r.rec.Column(idx)
	p := decodePath{column: r.rec.ColumnName(idx), subject: "column"}
	fn, err := decodePlan(p, arr.DataType(), reflect.TypeFor[T]())
	if err != nil {
		return v, err
	}
	if err := rowDecode(fn, arr, r.i, unsafe.Pointer(&v)); err != nil {
		var zero T
		return zero, decodeAt(err, p, r.i)
	}
	return v, nil
}

// rowFindColumn finds a column by name as Decoder does, with an error
// saying why when there is none.
func rowFindColumn(s *arrow.Schema, name string) (int, error) {
	i, err := decodeMatchColumn(s.NumFields(), func(i int) string { return s.Field(i).Name }, name)
	if err == nil && i < 0 {
		err = decodeSchemaErr("no such column")
	}
	return i, err
}

// rowDecode decodes value i of arr into dst, turning a panic inside
// arrow-go into an ErrCorrupt error.
func rowDecode(fn decodeFn, arr arrow.Array, i int, dst unsafe.Pointer) (err error) {
	defer decodeRecover(&err)
	return fn(arr, i, 1, dst, 0)
}
