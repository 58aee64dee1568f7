package arrowjson

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tome-data/tome/format"
)

// TestReadRejects feeds malformed documents and checks each gives the
// right sentinel, a message naming the problem, and no leak.
func TestReadRejects(t *testing.T) {
	int32Field := leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 32}`)
	utf8Field := leaf("x", `{"name": "utf8"}`)
	listField := `{"name": "x", "type": {"name": "list"}, "nullable": true, "children": [` + leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 32}`) + `]}`
	item := func(count int, data string) string {
		return fmt.Sprintf(`{"name": "item", "count": %d, "DATA": %s}`, count, data)
	}
	dictField := func(id string) string {
		return `{"name": "x", "type": {"name": "utf8"}, "nullable": true, "children": [], "dictionary": {"id": ` + id + `, "indexType": {"name": "int", "isSigned": true, "bitWidth": 8}, "isOrdered": false}}`
	}
	dictZero := `{"id": 0, "data": {"count": 1, "columns": [{"name": "D", "count": 1, "OFFSET": [0, 1], "DATA": ["a"]}]}}`
	unionField := func(mode string) string {
		return `{"name": "x", "type": {"name": "union", "mode": "` + mode + `", "typeIds": [1, 2]}, "nullable": true, "children": [` +
			leaf("a", `{"name": "int", "isSigned": true, "bitWidth": 8}`) + `, ` + leaf("b", `{"name": "bool"}`) + `]}`
	}
	reeField := `{"name": "x", "type": {"name": "runendencoded"}, "nullable": true, "children": [
		{"name": "run_ends", "type": {"name": "int", "isSigned": true, "bitWidth": 16}, "nullable": false, "children": []},` + leaf("values", `{"name": "bool"}`) + `]}`
	viewField := leaf("x", `{"name": "binaryview"}`)

	tests := []struct {
		name string
		doc  string
		want error
		msg  string // a substring the message must contain
	}{
		{"not json", `{"schema": [`, format.ErrCorrupt, "invalid JSON at byte"},
		{"wrong json kind", `{"schema": {"fields": 3}}`, format.ErrCorrupt, "schema.fields"},
		{"no schema", `{"batches": []}`, format.ErrCorrupt, "no schema"},
		{"unknown type", document(leaf("x", `{"name": "tensor"}`), "", 0, ""), format.ErrUnsupported, `"tensor"`},
		{"odd int width", document(leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 7}`), "", 0, ""), format.ErrUnsupported, "bitWidth 7"},
		{"float precision", document(leaf("x", `{"name": "floatingpoint", "precision": "QUAD"}`), "", 0, ""), format.ErrUnsupported, "QUAD"},
		{"decimal precision", document(leaf("x", `{"name": "decimal", "precision": 0, "scale": 0}`), "", 0, ""), format.ErrCorrupt, "decimal128(0, 0)"},
		{"time width", document(leaf("x", `{"name": "time", "unit": "SECOND", "bitWidth": 64}`), "", 0, ""), format.ErrCorrupt, "bitWidth 64"},
		{"list without child", document(leaf("x", `{"name": "list"}`), "", 0, ""), format.ErrCorrupt, "needs 1 child"},
		{"negative list size", document(`{"name": "x", "type": {"name": "fixedsizelist", "listSize": -1}, "nullable": true, "children": [`+leaf("i", `{"name": "bool"}`)+`]}`, "", 0, ""), format.ErrCorrupt, "listSize -1"},
		{"nullable map entries", document(`{"name": "x", "type": {"name": "map"}, "nullable": true, "children": [{"name": "e", "type": {"name": "struct"}, "nullable": true, "children": [`+
			`{"name": "k", "type": {"name": "utf8"}, "nullable": false, "children": []}, `+leaf("v", `{"name": "bool"}`)+`]}]}`, "", 0, ""), format.ErrCorrupt, "non-nullable struct"},
		{"repeated union type ids", document(`{"name": "x", "type": {"name": "union", "mode": "SPARSE", "typeIds": [1, 1]}, "nullable": true, "children": [`+
			leaf("a", `{"name": "bool"}`)+`, `+leaf("b", `{"name": "bool"}`)+`]}`, "", 0, ""), format.ErrCorrupt, "typeIds"},
		{"float index type", document(`{"name": "x", "type": {"name": "utf8"}, "nullable": true, "children": [], "dictionary": {"id": 0, "indexType": {"name": "floatingpoint", "precision": "SINGLE"}}}`, "", 0, ""), format.ErrCorrupt, "not an integer"},
		{"dictionary id reused with another type", document(dictField("0")+", "+`{"name": "y", "type": {"name": "binary"}, "nullable": true, "children": [], "dictionary": {"id": 0, "indexType": {"name": "int", "isSigned": true, "bitWidth": 8}}}`, "", 0, ""), format.ErrCorrupt, "dictionary id 0"},
		{"too few columns", document(int32Field, "", 1, ""), format.ErrCorrupt, "0 columns for 1 fields"},
		{"column misnamed", document(int32Field, "", 1, `{"name": "y", "count": 1, "DATA": [1]}`), format.ErrCorrupt, `named "y"`},
		{"column shorter than batch", document(int32Field, "", 2, `{"name": "x", "count": 1, "DATA": [1]}`), format.ErrCorrupt, "1 rows, the batch 2"},
		{"negative count", document(int32Field, "", -1, `{"name": "x", "count": -1, "DATA": []}`), format.ErrCorrupt, "count -1"},
		{"huge count", document(leaf("x", `{"name": "null"}`), "", 1<<40, `{"name": "x", "count": 1099511627776}`), format.ErrCorrupt, "out of range"},
		{"validity length", document(int32Field, "", 2, `{"name": "x", "count": 2, "VALIDITY": [1], "DATA": [1, 2]}`), format.ErrCorrupt, "VALIDITY has 1 entries for 2 rows"},
		{"validity value", document(int32Field, "", 1, `{"name": "x", "count": 1, "VALIDITY": [2], "DATA": [1]}`), format.ErrCorrupt, "VALIDITY[0] is 2"},
		{"data length", document(int32Field, "", 2, `{"name": "x", "count": 2, "DATA": [1]}`), format.ErrCorrupt, "DATA has 1 entries for 2 rows"},
		{"int overflow", document(leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 8}`), "", 1, `{"name": "x", "count": 1, "DATA": [128]}`), format.ErrCorrupt, "DATA[0]: format: corrupt data: 128 is not an int8"},
		{"uint negative", document(leaf("x", `{"name": "int", "isSigned": false, "bitWidth": 64}`), "", 1, `{"name": "x", "count": 1, "DATA": ["-1"]}`), format.ErrCorrupt, "not a uint64"},
		{"bool as string", document(leaf("x", `{"name": "bool"}`), "", 1, `{"name": "x", "count": 1, "DATA": ["yes"]}`), format.ErrCorrupt, "not a bool"},
		{"float as object", document(leaf("x", `{"name": "floatingpoint", "precision": "DOUBLE"}`), "", 1, `{"name": "x", "count": 1, "DATA": [{}]}`), format.ErrCorrupt, "not a float64"},
		{"decimal overflow", document(leaf("x", `{"name": "decimal", "precision": 38, "scale": 0}`), "", 1, `{"name": "x", "count": 1, "DATA": ["170141183460469231731687303715884105728"]}`), format.ErrCorrupt, "does not fit in decimal128"},
		{"decimal not a number", document(leaf("x", `{"name": "decimal", "precision": 38, "scale": 0}`), "", 1, `{"name": "x", "count": 1, "DATA": ["1.5"]}`), format.ErrCorrupt, "not a decimal integer"},
		{"day_time without days", document(leaf("x", `{"name": "interval", "unit": "DAY_TIME"}`), "", 1, `{"name": "x", "count": 1, "DATA": [{"milliseconds": 1}]}`), format.ErrCorrupt, "not a day_time interval"},
		{"binary not hex", document(leaf("x", `{"name": "binary"}`), "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 1], "DATA": ["ZZ"]}`), format.ErrCorrupt, "not hex"},
		{"utf8 as number", document(utf8Field, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 1], "DATA": [1]}`), format.ErrCorrupt, "not a string"},
		{"offsets disagree with data", document(utf8Field, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 5], "DATA": ["abc"]}`), format.ErrCorrupt, "5 bytes but DATA[0] has 3"},
		{"offsets decrease", document(utf8Field, "", 2, `{"name": "x", "count": 2, "OFFSET": [0, 3, 1], "DATA": ["abc", ""]}`), format.ErrCorrupt, "decreases"},
		{"offset count", document(utf8Field, "", 2, `{"name": "x", "count": 2, "OFFSET": [0, 1], "DATA": ["a", ""]}`), format.ErrCorrupt, "OFFSET has 2 entries, want 3"},
		{"offset overflows int32", document(utf8Field, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 4294967296], "DATA": ["a"]}`), format.ErrCorrupt, "not an int32"},
		{"fixed size binary width", document(leaf("x", `{"name": "fixedsizebinary", "byteWidth": 2}`), "", 1, `{"name": "x", "count": 1, "DATA": ["AABBCC"]}`), format.ErrCorrupt, "3 bytes, want 2"},
		{"fixed size binary null slot empty", document(leaf("x", `{"name": "fixedsizebinary", "byteWidth": 1000000000}`), "", 1, `{"name": "x", "count": 1, "VALIDITY": [0], "DATA": [""]}`), format.ErrCorrupt, "0 bytes, want 1000000000"},
		{"list offset past child", document(listField, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 3], "children": [`+item(2, "[1, 2]")+`]}`), format.ErrCorrupt, "past the end (2)"},
		{"list child misnamed", document(listField, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 0], "children": [{"name": "element", "count": 0, "DATA": []}]}`), format.ErrCorrupt, `named "element"`},
		{"list child missing", document(listField, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 0]}`), format.ErrCorrupt, "0 children, want 1"},
		{"child error names the child", document(listField, "", 1, `{"name": "x", "count": 1, "OFFSET": [0, 1], "children": [`+item(1, `["x"]`)+`]}`), format.ErrCorrupt, `column "x.item"`},
		{"list view past child", document(`{"name": "x", "type": {"name": "listview"}, "nullable": true, "children": [`+leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 32}`)+`]}`, "", 1,
			`{"name": "x", "count": 1, "OFFSET": [1], "SIZE": [2], "children": [`+item(2, "[1, 2]")+`]}`), format.ErrCorrupt, "outside the child's 2 elements"},
		{"fixed size list short child", document(`{"name": "x", "type": {"name": "fixedsizelist", "listSize": 2}, "nullable": true, "children": [`+leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 32}`)+`]}`, "", 2,
			`{"name": "x", "count": 2, "children": [`+item(3, "[1, 2, 3]")+`]}`), format.ErrCorrupt, "3 elements for 2 rows of 2"},
		{"struct child short", document(`{"name": "x", "type": {"name": "struct"}, "nullable": true, "children": [`+leaf("a", `{"name": "bool"}`)+`]}`, "", 2,
			`{"name": "x", "count": 2, "children": [{"name": "a", "count": 1, "DATA": [true]}]}`), format.ErrCorrupt, `child "a" has 1 rows, want 2`},
		{"union type id undeclared", document(unionField("SPARSE"), "", 1, `{"name": "x", "count": 1, "TYPE_ID": [3], "children": [{"name": "a", "count": 1, "DATA": [1]}, {"name": "b", "count": 1, "DATA": [true]}]}`), format.ErrCorrupt, "TYPE_ID[0] = 3"},
		{"sparse union child short", document(unionField("SPARSE"), "", 1, `{"name": "x", "count": 1, "TYPE_ID": [1], "children": [{"name": "a", "count": 1, "DATA": [1]}, {"name": "b", "count": 0, "DATA": []}]}`), format.ErrCorrupt, `child "b" has 0 rows`},
		{"dense union offset", document(unionField("DENSE"), "", 1, `{"name": "x", "count": 1, "TYPE_ID": [2], "OFFSET": [1], "children": [{"name": "a", "count": 1, "DATA": [1]}, {"name": "b", "count": 1, "DATA": [true]}]}`), format.ErrCorrupt, `OFFSET[0] = 1 is outside child "b"`},
		{"union with nulls in a bitmap", document(unionField("SPARSE"), "", 1, `{"name": "x", "count": 1, "VALIDITY": [0], "TYPE_ID": [1], "children": [{"name": "a", "count": 1, "DATA": [1]}, {"name": "b", "count": 1, "DATA": [true]}]}`), format.ErrUnsupported, "pre-1.0"},
		{"run ends not increasing", document(reeField, "", 3, `{"name": "x", "count": 3, "children": [{"name": "run_ends", "count": 2, "DATA": [2, 2]}, {"name": "values", "count": 2, "DATA": [true, false]}]}`), format.ErrCorrupt, "does not increase"},
		{"runs too short", document(reeField, "", 3, `{"name": "x", "count": 3, "children": [{"name": "run_ends", "count": 1, "DATA": [2]}, {"name": "values", "count": 1, "DATA": [true]}]}`), format.ErrCorrupt, "before the 3 rows"},
		{"run ends with nulls", document(reeField, "", 1, `{"name": "x", "count": 1, "children": [{"name": "run_ends", "count": 1, "VALIDITY": [0], "DATA": [1]}, {"name": "values", "count": 1, "DATA": [true]}]}`), format.ErrCorrupt, "run ends have nulls"},
		{"view inline too long", document(viewField, "", 1, `{"name": "x", "count": 1, "VIEWS": [{"SIZE": 13, "INLINED": "00000000000000000000000000"}]}`), format.ErrCorrupt, "at most 12 inline"},
		{"view buffer index", document(viewField, "", 1, `{"name": "x", "count": 1, "VIEWS": [{"SIZE": 13, "PREFIX_HEX": "00000000", "BUFFER_INDEX": 1, "OFFSET": 0}], "VARIADIC_DATA_BUFFERS": ["00000000000000000000000000"]}`), format.ErrCorrupt, "BUFFER_INDEX 1"},
		{"view overruns buffer", document(viewField, "", 1, `{"name": "x", "count": 1, "VIEWS": [{"SIZE": 13, "PREFIX_HEX": "00000000", "BUFFER_INDEX": 0, "OFFSET": 1}], "VARIADIC_DATA_BUFFERS": ["00000000000000000000000000"]}`), format.ErrCorrupt, "overrun"},
		{"view prefix", document(viewField, "", 1, `{"name": "x", "count": 1, "VIEWS": [{"SIZE": 13, "PREFIX_HEX": "01000000", "BUFFER_INDEX": 0, "OFFSET": 0}], "VARIADIC_DATA_BUFFERS": ["00000000000000000000000000"]}`), format.ErrCorrupt, "PREFIX_HEX"},
		{"view incomplete", document(viewField, "", 1, `{"name": "x", "count": 1, "VIEWS": [{"SIZE": 13}]}`), format.ErrCorrupt, "neither INLINED"},
		{"missing dictionary", document(dictField("5"), "", 1, `{"name": "x", "count": 1, "DATA": [0]}`), format.ErrCorrupt, "no dictionary with id 5"},
		{"dictionary twice", document(dictField("0"), dictZero+", "+dictZero, 0, `{"name": "x", "count": 0, "DATA": []}`), format.ErrCorrupt, "appears twice"},
		{"dictionary with two columns", document(dictField("0"), `{"id": 0, "data": {"count": 0, "columns": [{"name": "a", "count": 0}, {"name": "b", "count": 0}]}}`, 0, `{"name": "x", "count": 0, "DATA": []}`), format.ErrCorrupt, "2 columns, want 1"},
		{"index out of dictionary", document(dictField("0"), dictZero, 2, `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [0, 1]}`), format.ErrCorrupt, "DATA[1] = 1 is outside dictionary 0 of 1 values"},
		{"negative index", document(dictField("0"), dictZero, 1, `{"name": "x", "count": 1, "DATA": [-1]}`), format.ErrCorrupt, "outside dictionary"},
		{"bad dictionary values", document(dictField("0"), `{"id": 0, "data": {"count": 1, "columns": [{"name": "D", "count": 1, "OFFSET": [0, 2], "DATA": ["a"]}]}}`, 1, `{"name": "x", "count": 1, "DATA": [0]}`), format.ErrCorrupt, `column "dictionary 0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAllocator(t)
			f, err := readString(t, tt.doc, mem)
			if err == nil {
				f.Release()
				t.Fatalf("no error reading\n%s", tt.doc)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestReadFileGzip(t *testing.T) {
	doc := document(leaf("x", `{"name": "bool"}`), "", 1, `{"name": "x", "count": 1, "DATA": [true]}`)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(doc))
	zw.Close()

	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
		want    error // nil for success
	}{
		{"plain.json", []byte(doc), nil},
		{"zipped.json.gz", zipped.Bytes(), nil},
		{"zipped-without-suffix.json", zipped.Bytes(), nil},
		{"truncated.json.gz", zipped.Bytes()[:zipped.Len()/2], format.ErrCorrupt},
		{"empty.json", nil, format.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAllocator(t)
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile(path, mem)
			if tt.want != nil {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.name) {
					t.Errorf("error %v, want %v naming the file", err, tt.want)
				}
				if err == nil {
					f.Release()
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Release()
			if len(f.Batches) != 1 || f.Batches[0].NumRows() != 1 {
				t.Errorf("read %d batches, want one of one row", len(f.Batches))
			}
		})
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
