package arrowjson

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// leaf makes the JSON of a field without children.
func leaf(name, typ string) string {
	return fmt.Sprintf(`{"name": %q, "type": %s, "nullable": true, "children": []}`, name, typ)
}

// TestReadTypes reads one column of every type the format has, written by
// hand as the specification lays it out, and checks it against the same
// values built by arrow-go.
func TestReadTypes(t *testing.T) {
	tests := []struct {
		name   string
		field  string
		rows   int
		column string
		want   arrow.DataType
		values string // arrow-go's JSON notation, for array.FromJSON
	}{
		{
			name:   "null",
			field:  leaf("x", `{"name": "null"}`),
			rows:   3,
			column: `{"name": "x", "count": 3}`,
			want:   arrow.Null, values: `[null, null, null]`,
		},
		{
			name:   "bool",
			field:  leaf("x", `{"name": "bool"}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "DATA": [true, true, false]}`,
			want:   arrow.FixedWidthTypes.Boolean, values: `[true, null, false]`,
		},
		{
			name:   "int8",
			field:  leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 8}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 1, 0], "DATA": [-128, 127, 5]}`,
			want:   arrow.PrimitiveTypes.Int8, values: `[-128, 127, null]`,
		},
		{
			name:   "int16",
			field:  leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 16}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [-32768, 32767]}`,
			want:   arrow.PrimitiveTypes.Int16, values: `[-32768, 32767]`,
		},
		{
			name:   "int32",
			field:  leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 32}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [-2147483648, 2147483647]}`,
			want:   arrow.PrimitiveTypes.Int32, values: `[-2147483648, 2147483647]`,
		},
		{
			name:   "int64 as strings",
			field:  leaf("x", `{"name": "int", "isSigned": true, "bitWidth": 64}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": ["-9223372036854775808", "9223372036854775807"]}`,
			want:   arrow.PrimitiveTypes.Int64, values: `[-9223372036854775808, 9223372036854775807]`,
		},
		{
			name:   "uint8",
			field:  leaf("x", `{"name": "int", "isSigned": false, "bitWidth": 8}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [0, 255]}`,
			want:   arrow.PrimitiveTypes.Uint8, values: `[0, 255]`,
		},
		{
			name:   "uint16",
			field:  leaf("x", `{"name": "int", "isSigned": false, "bitWidth": 16}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": [65535]}`,
			want:   arrow.PrimitiveTypes.Uint16, values: `[65535]`,
		},
		{
			name:   "uint32",
			field:  leaf("x", `{"name": "int", "isSigned": false, "bitWidth": 32}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": [4294967295]}`,
			want:   arrow.PrimitiveTypes.Uint32, values: `[4294967295]`,
		},
		{
			name:   "uint64",
			field:  leaf("x", `{"name": "int", "isSigned": false, "bitWidth": 64}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 0], "DATA": ["18446744073709551615", "0"]}`,
			want:   arrow.PrimitiveTypes.Uint64, values: `[18446744073709551615, null]`,
		},
		{
			name:   "float16",
			field:  leaf("x", `{"name": "floatingpoint", "precision": "HALF"}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 1, 0], "DATA": [1.5, -0.25, 0]}`,
			want:   arrow.FixedWidthTypes.Float16, values: `[1.5, -0.25, null]`,
		},
		{
			name:   "float32",
			field:  leaf("x", `{"name": "floatingpoint", "precision": "SINGLE"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [1059.843, -0.5]}`,
			want:   arrow.PrimitiveTypes.Float32, values: `[1059.843, -0.5]`,
		},
		{
			name:   "float64",
			field:  leaf("x", `{"name": "floatingpoint", "precision": "DOUBLE"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [1e300, -2.5]}`,
			want:   arrow.PrimitiveTypes.Float64, values: `[1e300, -2.5]`,
		},
		{
			name:   "decimal32",
			field:  leaf("x", `{"name": "decimal", "precision": 5, "scale": 1, "bitWidth": 32}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": ["123", "-99999"]}`,
			want:   &arrow.Decimal32Type{Precision: 5, Scale: 1}, values: `["12.3", "-9999.9"]`,
		},
		{
			name:   "decimal64",
			field:  leaf("x", `{"name": "decimal", "precision": 15, "scale": 3, "bitWidth": 64}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": ["-123456789012"]}`,
			want:   &arrow.Decimal64Type{Precision: 15, Scale: 3}, values: `["-123456789.012"]`,
		},
		{
			name:   "decimal128 without bitWidth",
			field:  leaf("x", `{"name": "decimal", "precision": 38, "scale": 2}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 1, 0], "DATA": ["12345", "-99999999999999999999999999999999999999", "0"]}`,
			want:   &arrow.Decimal128Type{Precision: 38, Scale: 2}, values: `["123.45", "-999999999999999999999999999999999999.99", null]`,
		},
		{
			name:   "decimal256",
			field:  leaf("x", `{"name": "decimal", "precision": 76, "scale": 0, "bitWidth": 256}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": ["-1234567890123456789012345678901234567890123456789012345678901234567890123456", "7"]}`,
			want:   &arrow.Decimal256Type{Precision: 76, Scale: 0}, values: `["-1234567890123456789012345678901234567890123456789012345678901234567890123456", "7"]`,
		},
		{
			name:   "date32",
			field:  leaf("x", `{"name": "date", "unit": "DAY"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [-719162, 2932896]}`,
			want:   arrow.FixedWidthTypes.Date32, values: `["0001-01-01", "9999-12-31"]`,
		},
		{
			name:   "date64",
			field:  leaf("x", `{"name": "date", "unit": "MILLISECOND"}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": ["86400000"]}`,
			want:   arrow.FixedWidthTypes.Date64, values: `["1970-01-02"]`,
		},
		{
			name:   "time32 seconds",
			field:  leaf("x", `{"name": "time", "unit": "SECOND", "bitWidth": 32}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": [3661]}`,
			want:   arrow.FixedWidthTypes.Time32s, values: `["01:01:01"]`,
		},
		{
			name:   "time64 nanoseconds",
			field:  leaf("x", `{"name": "time", "unit": "NANOSECOND", "bitWidth": 64}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": ["1000000001"]}`,
			want:   arrow.FixedWidthTypes.Time64ns, values: `["00:00:01.000000001"]`,
		},
		{
			name:   "timestamp with time zone",
			field:  leaf("x", `{"name": "timestamp", "unit": "MILLISECOND", "timezone": "Europe/Paris"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 0], "DATA": ["1000", "0"]}`,
			want:   &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Europe/Paris"}, values: `[1000, null]`,
		},
		{
			name:   "duration",
			field:  leaf("x", `{"name": "duration", "unit": "MICROSECOND"}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": ["-5"]}`,
			want:   arrow.FixedWidthTypes.Duration_us, values: `[-5]`,
		},
		{
			name:   "interval year_month",
			field:  leaf("x", `{"name": "interval", "unit": "YEAR_MONTH"}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": [-14]}`,
			want:   arrow.FixedWidthTypes.MonthInterval, values: `[{"months": -14}]`,
		},
		{
			name:   "interval day_time",
			field:  leaf("x", `{"name": "interval", "unit": "DAY_TIME"}`),
			rows:   1,
			column: `{"name": "x", "count": 1, "VALIDITY": [1], "DATA": [{"days": 3, "milliseconds": -40937103}]}`,
			want:   arrow.FixedWidthTypes.DayTimeInterval, values: `[{"days": 3, "milliseconds": -40937103}]`,
		},
		{
			name:   "interval month_day_nano",
			field:  leaf("x", `{"name": "interval", "unit": "MONTH_DAY_NANO"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "DATA": [{"months": 1, "days": -2, "nanoseconds": "9223372036854775807"}, {"months": 0, "days": 0, "nanoseconds": 3}]}`,
			want:   arrow.FixedWidthTypes.MonthDayNanoInterval, values: `[{"months": 1, "days": -2, "nanoseconds": 9223372036854775807}, {"months": 0, "days": 0, "nanoseconds": 3}]`,
		},
		{
			name:   "binary",
			field:  leaf("x", `{"name": "binary"}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [0, 2, 2, 5], "DATA": ["ABCD", "", "010203"]}`,
			want:   arrow.BinaryTypes.Binary, values: `["q80=", null, "AQID"]`,
		},
		{
			name:   "large binary",
			field:  leaf("x", `{"name": "largebinary"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": ["0", "1", "1"], "DATA": ["FF", ""]}`,
			want:   arrow.BinaryTypes.LargeBinary, values: `["/w==", ""]`,
		},
		{
			name:   "utf8 with offsets not starting at zero",
			field:  leaf("x", `{"name": "utf8"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": [4, 7, 11], "DATA": ["hé", "日x"]}`,
			want:   arrow.BinaryTypes.String, values: `["hé", "日x"]`,
		},
		{
			name:   "large utf8",
			field:  leaf("x", `{"name": "largeutf8"}`),
			rows:   2,
			column: `{"name": "x", "count": 2, "VALIDITY": [0, 1], "OFFSET": ["0", "0", "3"], "DATA": ["", "abc"]}`,
			want:   arrow.BinaryTypes.LargeString, values: `[null, "abc"]`,
		},
		{
			name:  "binary view",
			field: leaf("x", `{"name": "binaryview"}`),
			rows:  3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 1, 0],
				"VIEWS": [{"SIZE": 3, "INLINED": "616263"}, {"SIZE": 14, "PREFIX_HEX": "6C6F6E67", "BUFFER_INDEX": 1, "OFFSET": 2}, {"SIZE": 0, "INLINED": ""}],
				"VARIADIC_DATA_BUFFERS": ["", "00006C6F6E672076616C75652068657265"]}`,
			want: arrow.BinaryTypes.BinaryView, values: `["YWJj", "bG9uZyB2YWx1ZSBoZXI=", null]`,
		},
		{
			name:  "utf8 view",
			field: leaf("x", `{"name": "utf8view"}`),
			rows:  2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1],
				"VIEWS": [{"SIZE": 12, "INLINED": "twelve bytes"}, {"SIZE": 13, "PREFIX_HEX": "74686972", "BUFFER_INDEX": 0, "OFFSET": 0}],
				"VARIADIC_DATA_BUFFERS": ["746869727465656E206279746573"]}`,
			want: arrow.BinaryTypes.StringView, values: `["twelve bytes", "thirteen byte"]`,
		},
		{
			name:   "fixed size binary",
			field:  leaf("x", `{"name": "fixedsizebinary", "byteWidth": 2}`),
			rows:   3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "DATA": ["0102", "0000", "FFFE"]}`,
			want:   &arrow.FixedSizeBinaryType{ByteWidth: 2}, values: `["AQI=", null, "//4="]`,
		},
		{
			name:  "list",
			field: `{"name": "x", "type": {"name": "list"}, "nullable": true, "children": [` + leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 32}`) + `]}`,
			rows:  3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [0, 2, 2, 3],
				"children": [{"name": "item", "count": 3, "VALIDITY": [1, 0, 1], "DATA": [1, 0, 3]}]}`,
			want: arrow.ListOf(arrow.PrimitiveTypes.Int32), values: `[[1, null], null, [3]]`,
		},
		{
			name:  "large list",
			field: `{"name": "x", "type": {"name": "largelist"}, "nullable": true, "children": [` + leaf("item", `{"name": "bool"}`) + `]}`,
			rows:  2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": ["0", "0", "2"],
				"children": [{"name": "item", "count": 2, "VALIDITY": [1, 1], "DATA": [true, false]}]}`,
			want: arrow.LargeListOf(arrow.FixedWidthTypes.Boolean), values: `[[], [true, false]]`,
		},
		{
			name:  "list view",
			field: `{"name": "x", "type": {"name": "listview"}, "nullable": true, "children": [` + leaf("item", `{"name": "int", "isSigned": true, "bitWidth": 16}`) + `]}`,
			rows:  3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [2, 0, 0], "SIZE": [1, 0, 3],
				"children": [{"name": "item", "count": 3, "VALIDITY": [1, 1, 1], "DATA": [7, 8, 9]}]}`,
			want: arrow.ListViewOf(arrow.PrimitiveTypes.Int16), values: `[[9], null, [7, 8, 9]]`,
		},
		{
			name:  "large list view",
			field: `{"name": "x", "type": {"name": "largelistview"}, "nullable": true, "children": [` + leaf("item", `{"name": "utf8"}`) + `]}`,
			rows:  2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 1], "OFFSET": ["1", "0"], "SIZE": ["1", "2"],
				"children": [{"name": "item", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 1, 2], "DATA": ["a", "b"]}]}`,
			want: arrow.LargeListViewOf(arrow.BinaryTypes.String), values: `[["b"], ["a", "b"]]`,
		},
		{
			name:  "fixed size list",
			field: `{"name": "x", "type": {"name": "fixedsizelist", "listSize": 2}, "nullable": true, "children": [` + leaf("item", `{"name": "int", "isSigned": false, "bitWidth": 8}`) + `]}`,
			rows:  2,
			column: `{"name": "x", "count": 2, "VALIDITY": [0, 1],
				"children": [{"name": "item", "count": 4, "VALIDITY": [1, 1, 1, 0], "DATA": [1, 2, 3, 4]}]}`,
			want: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Uint8), values: `[null, [3, null]]`,
		},
		{
			name: "struct",
			field: `{"name": "x", "type": {"name": "struct"}, "nullable": true, "children": [` +
				leaf("a", `{"name": "int", "isSigned": true, "bitWidth": 32}`) + `, ` + leaf("b", `{"name": "utf8"}`) + `]}`,
			rows: 3,
			column: `{"name": "x", "count": 3, "VALIDITY": [1, 0, 1], "children": [
				{"name": "a", "count": 3, "VALIDITY": [1, 0, 0], "DATA": [1, 2, 3]},
				{"name": "b", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [0, 1, 1, 2], "DATA": ["p", "", "r"]}]}`,
			want:   arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}),
			values: `[{"a": 1, "b": "p"}, null, {"a": null, "b": "r"}]`,
		},
		{
			name: "map with its own entry names",
			field: `{"name": "x", "type": {"name": "map", "keysSorted": true}, "nullable": true, "children": [
				{"name": "some_entries", "type": {"name": "struct"}, "nullable": false, "children": [
					{"name": "some_key", "type": {"name": "utf8"}, "nullable": false, "children": []},
					{"name": "some_value", "type": {"name": "int", "isSigned": true, "bitWidth": 32}, "nullable": true, "children": []}]}]}`,
			rows: 2,
			column: `{"name": "x", "count": 2, "VALIDITY": [1, 0], "OFFSET": [0, 2, 2], "children": [
				{"name": "some_entries", "count": 2, "VALIDITY": [1, 1], "children": [
					{"name": "some_key", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 1, 2], "DATA": ["a", "b"]},
					{"name": "some_value", "count": 2, "VALIDITY": [1, 0], "DATA": [1, 0]}]}]}`,
			want: func() arrow.DataType {
				m := arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32)
				m.KeysSorted = true
				return m
			}(),
			values: `[[{"key": "a", "value": 1}, {"key": "b", "value": null}], null]`,
		},
		{
			name: "sparse union",
			field: `{"name": "x", "type": {"name": "union", "mode": "SPARSE", "typeIds": [5, 7]}, "nullable": true, "children": [` +
				leaf("i", `{"name": "int", "isSigned": true, "bitWidth": 32}`) + `, ` + leaf("s", `{"name": "utf8"}`) + `]}`,
			rows: 3,
			column: `{"name": "x", "count": 3, "TYPE_ID": [5, 7, 5], "children": [
				{"name": "i", "count": 3, "VALIDITY": [1, 0, 0], "DATA": [1, 0, 0]},
				{"name": "s", "count": 3, "VALIDITY": [0, 1, 0], "OFFSET": [0, 0, 2, 2], "DATA": ["", "hi", ""]}]}`,
			want: arrow.SparseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}},
				[]arrow.UnionTypeCode{5, 7}),
			values: `[[5, 1], [7, "hi"], [5, null]]`,
		},
		{
			name: "dense union",
			field: `{"name": "x", "type": {"name": "union", "mode": "DENSE", "typeIds": [10, 20]}, "nullable": true, "children": [` +
				leaf("i", `{"name": "int", "isSigned": true, "bitWidth": 16}`) + `, ` + leaf("b", `{"name": "binary"}`) + `]}`,
			rows: 3,
			column: `{"name": "x", "count": 3, "TYPE_ID": [20, 10, 20], "OFFSET": [0, 0, 1], "children": [
				{"name": "i", "count": 1, "VALIDITY": [1], "DATA": [-3]},
				{"name": "b", "count": 2, "VALIDITY": [1, 0], "OFFSET": [0, 1, 1], "DATA": ["0A", ""]}]}`,
			want: arrow.DenseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int16, Nullable: true}, {Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true}},
				[]arrow.UnionTypeCode{10, 20}),
			values: `[[20, "Cg=="], [10, -3], [20, null]]`,
		},
		{
			name: "run-end encoded",
			field: `{"name": "x", "type": {"name": "runendencoded"}, "nullable": true, "children": [
				{"name": "run_ends", "type": {"name": "int", "isSigned": true, "bitWidth": 32}, "nullable": false, "children": []},` +
				leaf("values", `{"name": "utf8"}`) + `]}`,
			rows: 5,
			column: `{"name": "x", "count": 5, "children": [
				{"name": "run_ends", "count": 3, "VALIDITY": [1, 1, 1], "DATA": [2, 3, 5]},
				{"name": "values", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [0, 1, 1, 2], "DATA": ["a", "", "b"]}]}`,
			want:   arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
			values: `["a", "a", null, "b", "b"]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAllocator(t)
			f := mustRead(t, document(tt.field, "", tt.rows, tt.column), mem)
			defer f.Release()
			if len(f.Batches) != 1 {
				t.Fatalf("got %d batches, want 1", len(f.Batches))
			}
			got := f.Batches[0].Column(0)
			if !arrow.TypeEqual(got.DataType(), tt.want) {
				t.Fatalf("type %s, want %s", got.DataType(), tt.want)
			}
			want := fromJSON(t, mem, tt.want, tt.values)
			defer want.Release()
			if !array.Equal(want, got) {
				t.Errorf("got %v, want %v", got, want)
			}
			// Reading must not depend on the comparison being lenient.
			if want.NullN() != got.NullN() {
				t.Errorf("null count %d, want %d", got.NullN(), want.NullN())
			}
		})
	}
}

// TestReadDecimalExtremes checks values that need every bit of their width,
// which arrow-go's decimal parsers cannot take from text.
func TestReadDecimalExtremes(t *testing.T) {
	mem := checkedAllocator(t)
	doc := document(leaf("a", `{"name": "decimal", "precision": 38, "scale": 0}`)+", "+
		leaf("b", `{"name": "decimal", "precision": 76, "scale": 0, "bitWidth": 256}`), "", 2,
		`{"name": "a", "count": 2, "VALIDITY": [1, 1], "DATA": ["-170141183460469231731687303715884105728", "170141183460469231731687303715884105727"]},
		 {"name": "b", "count": 2, "VALIDITY": [1, 1], "DATA": ["-57896044618658097711785492504343953926634992332820282019728792003956564819968", "-1"]}`)
	f := mustRead(t, doc, mem)
	defer f.Release()
	a := f.Batches[0].Column(0).(*array.Decimal128)
	if got, want := a.Value(0), decimal128.New(-1<<63, 0); got != want {
		t.Errorf("min decimal128 = %v, want %v", got, want)
	}
	if got, want := a.Value(1), decimal128.New(1<<63-1, 1<<64-1); got != want {
		t.Errorf("max decimal128 = %v, want %v", got, want)
	}
	b := f.Batches[0].Column(1).(*array.Decimal256)
	if got, want := b.Value(0), decimal256.New(1<<63, 0, 0, 0); got != want {
		t.Errorf("min decimal256 = %v, want %v", got, want)
	}
	if got, want := b.Value(1), decimal256.New(1<<64-1, 1<<64-1, 1<<64-1, 1<<64-1); got != want {
		t.Errorf("-1 as decimal256 = %v, want %v", got, want)
	}
}
