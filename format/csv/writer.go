package csv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/textio"
)

// WriteOptions configure NewWriter.
type WriteOptions struct {
	// Delimiter separates fields; 0 means ','.
	Delimiter byte
	// NoHeader leaves out the header row of column names.
	NoHeader bool
	// Compression wraps the whole output in gzip or zstd.
	Compression format.Compression
}

// Writer writes record batches as CSV: a header row of column names, then
// one record per row, ended by "\n". A field is quoted (RFC 4180, quotes
// doubled) when it holds the delimiter, a quote, a line break or leading
// or trailing space, and when it is an empty string, so that "" (empty)
// and nothing (null) stay apart.
//
// Values are written as the text of format/rowjson's canonical JSON
// without the JSON string quotes: numbers as rowjson prints them (NaN and
// infinities as NaN, Infinity, -Infinity), decimals exactly, timestamps as
// RFC 3339, binary as base64. Nested values (lists, structs, maps, unions)
// are their canonical JSON text, e.g. [1,2] or {"a":"x"}. Dictionary and
// run-end encoded columns write their values. Read back with the same
// schema, every type but unions comes back as it was, with one exception:
// in a file with a single string column a null and an empty string are
// both written as "" (an empty line would read as a blank line), so they
// read back as the empty string.
//
// A Writer is not safe for concurrent use. Close must be called to flush
// the output; it does not close the io.Writer.
type Writer struct {
	out    *textio.Sink
	schema *arrow.Schema
	delim  byte
	cell   []byte
}

var _ format.Writer = (*Writer)(nil)

// NewWriter returns a Writer of batches with the given schema to w. The
// header row is written first, even if no batch follows.
func NewWriter(w io.Writer, schema *arrow.Schema, opts WriteOptions) (*Writer, error) {
	cw := &Writer{schema: schema, delim: opts.Delimiter}
	if cw.delim == 0 {
		cw.delim = ','
	}
	if cw.delim == '"' || cw.delim == '\r' || cw.delim == '\n' {
		return nil, fmt.Errorf("csv: %q cannot be the delimiter", cw.delim)
	}
	out, err := textio.NewSink(w, opts.Compression, "csv")
	if err != nil {
		return nil, err
	}
	cw.out = out
	if !opts.NoHeader {
		for i, f := range schema.Fields() {
			if i > 0 {
				cw.out.Buf = append(cw.out.Buf, cw.delim)
			}
			cw.out.Buf = cw.appendField(cw.out.Buf, []byte(f.Name), true)
		}
		cw.out.Buf = append(cw.out.Buf, '\n')
	}
	return cw, nil
}

// Write appends the rows of batch, whose columns must match the Writer's
// schema in number, names and types (an ErrSchema error otherwise).
func (w *Writer) Write(batch arrow.RecordBatch) error {
	if err := w.out.Usable(); err != nil {
		return err
	}
	if err := textio.CheckSchema("csv", w.schema, batch.Schema()); err != nil {
		return err
	}
	single := batch.NumCols() == 1
	for i := range int(batch.NumRows()) {
		for c := range int(batch.NumCols()) {
			if c > 0 {
				w.out.Buf = append(w.out.Buf, w.delim)
			}
			col := batch.Column(c)
			if isNull(col, i) && !single {
				continue
			}
			var present bool
			w.cell, present = cellText(w.cell[:0], col, i)
			w.out.Buf = w.appendField(w.out.Buf, w.cell, present || single)
		}
		w.out.Buf = append(w.out.Buf, '\n')
		if err := w.out.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// cellText appends the text of value i of arr and reports whether the
// value is present (not null).
func cellText(dst []byte, arr arrow.Array, i int) ([]byte, bool) {
	if isNull(arr, i) {
		return dst, false
	}
	switch a := arr.(type) {
	case *array.String:
		return append(dst, a.Value(i)...), true
	case *array.LargeString:
		return append(dst, a.Value(i)...), true
	case *array.StringView:
		return append(dst, a.Value(i)...), true
	case *array.Dictionary:
		return cellText(dst, a.Dictionary(), a.GetValueIndex(i))
	case *array.RunEndEncoded:
		return cellText(dst, a.Values(), a.GetPhysicalIndex(i))
	case array.ExtensionArray:
		return cellText(dst, a.Storage(), i)
	}
	start := len(dst)
	dst = rowjson.AppendValue(dst, arr, i)
	if nested(arr.DataType()) || dst[start] != '"' {
		return dst, true
	}
	// A scalar written as a JSON string (a timestamp, a decimal, base64,
	// NaN): the CSV cell is its content.
	text := dst[start:]
	if bytes.IndexByte(text, '\\') < 0 {
		n := copy(dst[start:], text[1:len(text)-1])
		return dst[:start+n], true
	}
	var s string
	if err := json.Unmarshal(text, &s); err != nil {
		return dst, true
	}
	return append(dst[:start], s...), true
}

// isNull reports whether value i is null. (arrow-go's Null arrays have no
// validity bitmap, and IsNull says false for them.)
func isNull(arr arrow.Array, i int) bool {
	return arr.DataType().ID() == arrow.NULL || arr.IsNull(i)
}

func nested(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.LIST, arrow.LARGE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW, arrow.FIXED_SIZE_LIST,
		arrow.STRUCT, arrow.MAP, arrow.SPARSE_UNION, arrow.DENSE_UNION, arrow.INTERVAL_MONTHS,
		arrow.INTERVAL_DAY_TIME, arrow.INTERVAL_MONTH_DAY_NANO:
		return true
	}
	return false
}

// appendField appends a cell, quoted when it must be. An empty present
// cell is quoted ("") to tell it from a null.
func (w *Writer) appendField(dst, text []byte, present bool) []byte {
	if !w.needsQuotes(text, present) {
		return append(dst, text...)
	}
	dst = append(dst, '"')
	for {
		i := bytes.IndexByte(text, '"')
		if i < 0 {
			break
		}
		dst = append(dst, text[:i+1]...)
		dst = append(dst, '"')
		text = text[i+1:]
	}
	dst = append(dst, text...)
	return append(dst, '"')
}

func (w *Writer) needsQuotes(text []byte, present bool) bool {
	if len(text) == 0 {
		return present
	}
	if text[0] == ' ' || text[0] == '\t' || text[len(text)-1] == ' ' || text[len(text)-1] == '\t' {
		return true
	}
	for _, c := range text {
		if c == w.delim || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// Close flushes what is buffered and ends the compressed stream. It does
// not close the underlying io.Writer. Calling it again is a no-op.
func (w *Writer) Close() error { return w.out.Close() }
