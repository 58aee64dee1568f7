package arrowjson

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// FuzzRead checks that no document makes Read panic, leak or fail with an
// unclassified error, and that whatever it accepts is usable: every value
// can be printed and every batch equals itself.
func FuzzRead(f *testing.F) {
	int8Index := `{"name": "int", "isSigned": true, "bitWidth": 8}`
	seeds := []string{
		document(leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 32}`), "", 2, `{"name": "x", "count": 2, "VALIDITY": [1, 0], "DATA": [1, 2]}`),
		document(leaf("x", `{"name": "utf8"}`), "", 2, `{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 1, 3], "DATA": ["a", "bc"]}`),
		document(`{"name": "x", "type": {"name": "list"}, "nullable": true, "children": [`+leaf("item", `{"name": "bool"}`)+`]}`, "", 2,
			`{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 1, 2], "children": [{"name": "item", "count": 2, "VALIDITY": [1, 1], "DATA": [true, false]}]}`),
		document(`{"name": "x", "type": {"name": "utf8"}, "nullable": true, "children": [], "dictionary": {"id": 0, "indexType": `+int8Index+`, "isOrdered": false}}`,
			`{"id": 0, "data": {"count": 2, "columns": [{"name": "D", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 1, 2], "DATA": ["a", "b"]}]}}`, 3,
			`{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "DATA": [1, 0, 0]}`),
		document(`{"name": "x", "type": {"name": "union", "mode": "DENSE", "typeIds": [1, 2]}, "nullable": true, "children": [`+
			leaf("a", `{"name": "int", "isSigned": true, "bitWidth": 8}`)+`, `+leaf("b", `{"name": "binary"}`)+`]}`, "", 2,
			`{"name": "x", "count": 2, "TYPE_ID": [2, 1], "OFFSET": [0, 0], "children": [{"name": "a", "count": 1, "DATA": [5]}, {"name": "b", "count": 1, "OFFSET": [0, 1], "DATA": ["FF"]}]}`),
		document(`{"name": "x", "type": {"name": "runendencoded"}, "nullable": true, "children": [
			{"name": "run_ends", "type": {"name": "int", "isSigned": true, "bitWidth": 16}, "nullable": false, "children": []},`+leaf("values", `{"name": "bool"}`)+`]}`, "", 3,
			`{"name": "x", "count": 3, "children": [{"name": "run_ends", "count": 2, "DATA": [1, 3]}, {"name": "values", "count": 2, "VALIDITY": [1, 0], "DATA": [true, false]}]}`),
		document(leaf("x", `{"name": "utf8view"}`), "", 2,
			`{"name": "x", "count": 2, "VIEWS": [{"SIZE": 1, "INLINED": "a"}, {"SIZE": 13, "PREFIX_HEX": "74686972", "BUFFER_INDEX": 0, "OFFSET": 0}], "VARIADIC_DATA_BUFFERS": ["746869727465656E206279746573"]}`),
		document(`{"name": "x", "type": {"name": "listview"}, "nullable": true, "children": [`+leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 16}`)+`]}`, "", 2,
			`{"name": "x", "count": 2, "OFFSET": [1, 0], "SIZE": [1, 2], "children": [{"name": "item", "count": 2, "DATA": [7, 8]}]}`),
		document(leaf("x", `{"name": "decimal", "precision": 40, "scale": 2, "bitWidth": 256}`), "", 1, `{"name": "x", "count": 1, "DATA": ["-12345"]}`),
		document(leaf("x", `{"name": "interval", "unit": "MONTH_DAY_NANO"}`), "", 1, `{"name": "x", "count": 1, "DATA": [{"months": 1, "days": 2, "nanoseconds": "3"}]}`),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		file, err := Read(bytes.NewReader(doc), mem)
		if err != nil {
			if !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		defer file.Release()
		for i, b := range file.Batches {
			if err := CompareBatch(b, b); err != nil {
				t.Fatalf("batch %d differs from itself: %v", i, err)
			}
			if b.NumRows() > 1000 {
				continue // printing every value of a huge null column proves nothing more
			}
			for _, col := range b.Columns() {
				if unbacked(col.DataType()) {
					continue
				}
				for row := 0; row < col.Len(); row++ {
					_ = col.ValueStr(row)
				}
			}
		}
	})
}

// unbacked reports whether dt contains a type whose length no buffer
// backs (null, or a struct without fields): a document may give it any
// length up to maxRows, too many to print in a fuzz iteration.
func unbacked(dt arrow.DataType) bool {
	switch dt := dt.(type) {
	case *arrow.NullType:
		return true
	case *arrow.DictionaryType:
		return unbacked(dt.ValueType)
	case *arrow.StructType:
		if dt.NumFields() == 0 {
			return true
		}
	}
	if nested, ok := dt.(arrow.NestedType); ok {
		for _, f := range nested.Fields() {
			if unbacked(f.Type) {
				return true
			}
		}
	}
	return false
}
