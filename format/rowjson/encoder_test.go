package rowjson

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
)

// fromJSON builds an array from Arrow's JSON test notation.
func fromJSON(t testing.TB, mem memory.Allocator, dt arrow.DataType, in string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(mem, dt, strings.NewReader(in))
	if err != nil {
		t.Fatalf("building %s from %s: %v", dt, in, err)
	}
	return arr
}

// encodeAll returns AppendValue for every slot of arr, checking that each
// is valid JSON.
func encodeAll(t testing.TB, arr arrow.Array) []string {
	t.Helper()
	got := make([]string, arr.Len())
	for i := range got {
		b := AppendValue(nil, arr, i)
		if !json.Valid(b) {
			t.Errorf("value %d: invalid JSON %q", i, b)
		}
		got[i] = string(b)
	}
	return got
}

func field(name string, dt arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: dt, Nullable: true}
}

// TestAppendValueGolden pins the rendering of every rule in the package
// documentation, for values that Arrow's JSON notation can express.
func TestAppendValueGolden(t *testing.T) {
	tests := []struct {
		name string
		dt   arrow.DataType
		in   string
		want []string
	}{
		{"null", arrow.Null, `[null, null]`, []string{"null", "null"}},
		{"bool", arrow.FixedWidthTypes.Boolean, `[true, false, null]`, []string{"true", "false", "null"}},
		{"int8", arrow.PrimitiveTypes.Int8, `[-128, 127, null]`, []string{"-128", "127", "null"}},
		{"int16", arrow.PrimitiveTypes.Int16, `[-32768, 32767]`, []string{"-32768", "32767"}},
		{"int32", arrow.PrimitiveTypes.Int32, `[-2147483648, 2147483647]`, []string{"-2147483648", "2147483647"}},
		{"int64 beyond 2^53", arrow.PrimitiveTypes.Int64,
			`[9007199254740993, -9223372036854775808, 9223372036854775807]`,
			[]string{"9007199254740993", "-9223372036854775808", "9223372036854775807"}},
		{"uint8", arrow.PrimitiveTypes.Uint8, `[0, 255]`, []string{"0", "255"}},
		{"uint16", arrow.PrimitiveTypes.Uint16, `[65535]`, []string{"65535"}},
		{"uint32", arrow.PrimitiveTypes.Uint32, `[4294967295]`, []string{"4294967295"}},
		{"uint64 exact", arrow.PrimitiveTypes.Uint64, `[18446744073709551615, null]`, []string{"18446744073709551615", "null"}},
		{"float64 shortest", arrow.PrimitiveTypes.Float64,
			`[0.1, 1e21, 1e20, 1e-7, 0.000001, -0.0, 123456789, 1.5e300, 9007199254740993, null]`,
			[]string{"0.1", "1e+21", "100000000000000000000", "1e-7", "0.000001", "-0", "123456789", "1.5e+300", "9007199254740992", "null"}},
		{"float32 shortest", arrow.PrimitiveTypes.Float32, `[0.1, 16777217, 3.4028235e38, 1e-7]`,
			[]string{"0.1", "16777216", "3.4028235e+38", "1e-7"}},
		// 65504, the largest half, prints as 65500 (as numpy prints it):
		// halves are 32 apart there, so 65500 rounds back to it.
		{"float16 shortest", arrow.FixedWidthTypes.Float16, `[0.1, 65504, 1, 0.00006104, -2.5]`,
			[]string{"0.1", "65500", "1", "0.00006104", "-2.5"}},
		{"decimal32", &arrow.Decimal32Type{Precision: 9, Scale: 3}, `["-1.500", "0.007"]`, []string{`"-1.500"`, `"0.007"`}},
		{"decimal64", &arrow.Decimal64Type{Precision: 18, Scale: 0}, `["42", "-999999999999999999"]`, []string{`"42"`, `"-999999999999999999"`}},
		{"decimal128", &arrow.Decimal128Type{Precision: 38, Scale: 2},
			`["123.45", "-0.05", "0", "999999999999999999999999999999999999.99", null]`,
			[]string{`"123.45"`, `"-0.05"`, `"0.00"`, `"999999999999999999999999999999999999.99"`, "null"}},
		{"decimal256", &arrow.Decimal256Type{Precision: 76, Scale: 10},
			`["-123456789012345678901234567890123456789012345678901234567890.0123456789"]`,
			[]string{`"-123456789012345678901234567890123456789012345678901234567890.0123456789"`}},
		{"string", arrow.BinaryTypes.String,
			`["héllo", "q\"b\\s\n\t\b\f\r\u0001\u001f\u007f", "\u2028\u2029", "<&>", "", null]`,
			[]string{`"héllo"`, `"q\"b\\s\n\t\b\f\r\u0001\u001f` + "\x7f" + `"`, `"\u2028\u2029"`, `"<&>"`, `""`, "null"}},
		{"large string", arrow.BinaryTypes.LargeString, `["a", null]`, []string{`"a"`, "null"}},
		{"string view", arrow.BinaryTypes.StringView, `["a", "longer than twelve bytes", null]`,
			[]string{`"a"`, `"longer than twelve bytes"`, "null"}},
		{"binary base64", arrow.BinaryTypes.Binary, `["AAEC/w==", "", null]`, []string{`"AAEC/w=="`, `""`, "null"}},
		{"large binary", arrow.BinaryTypes.LargeBinary, `["AAEC/w=="]`, []string{`"AAEC/w=="`}},
		{"binary view", arrow.BinaryTypes.BinaryView, `["AAEC/w==", null]`, []string{`"AAEC/w=="`, "null"}},
		{"fixed size binary", &arrow.FixedSizeBinaryType{ByteWidth: 3}, `["AQID", null]`, []string{`"AQID"`, "null"}},
		{"date32", arrow.FixedWidthTypes.Date32, `["2000-02-29", 0, -1, 2932897, -719528, -719893, null]`,
			[]string{`"2000-02-29"`, `"1970-01-01"`, `"1969-12-31"`, `"+10000-01-01"`, `"0000-01-01"`, `"-0001-01-01"`, "null"}},
		{"date64 drops time of day", arrow.FixedWidthTypes.Date64, `[951782400005, -1]`,
			[]string{`"2000-02-29"`, `"1969-12-31"`}},
		{"timestamp s naive", &arrow.TimestampType{Unit: arrow.Second}, `[1714566600, null]`,
			[]string{`"2024-05-01T12:30:00"`, "null"}},
		{"timestamp ms utc", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, `[1714566600250, -1]`,
			[]string{`"2024-05-01T12:30:00.250Z"`, `"1969-12-31T23:59:59.999Z"`}},
		{"timestamp us other zone prints utc", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"},
			`[1714566600000001]`, []string{`"2024-05-01T12:30:00.000001Z"`}},
		{"timestamp ns naive minimum", &arrow.TimestampType{Unit: arrow.Nanosecond}, `[-9223372036854775808, 0]`,
			[]string{`"1677-09-21T00:12:43.145224192"`, `"1970-01-01T00:00:00.000000000"`}},
		{"time32 s", arrow.FixedWidthTypes.Time32s, `[3661, -1, 90000]`, []string{`"01:01:01"`, `"-00:00:01"`, `"25:00:00"`}},
		{"time32 ms", arrow.FixedWidthTypes.Time32ms, `[45296789, null]`, []string{`"12:34:56.789"`, "null"}},
		{"time64 us", arrow.FixedWidthTypes.Time64us, `[1]`, []string{`"00:00:00.000001"`}},
		{"time64 ns", arrow.FixedWidthTypes.Time64ns, `[86399999999999]`, []string{`"23:59:59.999999999"`}},
		{"duration", arrow.FixedWidthTypes.Duration_ms, `[5, -7, null]`, []string{"5", "-7", "null"}},
		{"interval months", arrow.FixedWidthTypes.MonthInterval, `[{"months": -3}]`, []string{`{"months":-3}`}},
		{"interval day time", arrow.FixedWidthTypes.DayTimeInterval, `[{"days": 1, "milliseconds": 2}, null]`,
			[]string{`{"days":1,"milliseconds":2}`, "null"}},
		{"interval month day nano", arrow.FixedWidthTypes.MonthDayNanoInterval, `[{"months": 1, "days": 2, "nanoseconds": 3}]`,
			[]string{`{"months":1,"days":2,"nanoseconds":3}`}},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, null, 3], null, []]`, []string{"[1,null,3]", "null", "[]"}},
		{"large list", arrow.LargeListOf(arrow.BinaryTypes.String), `[["a"], []]`, []string{`["a"]`, "[]"}},
		{"fixed size list", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int32), `[[1, 2], null]`, []string{"[1,2]", "null"}},
		{"list view", arrow.ListViewOf(arrow.PrimitiveTypes.Int64), `[[1, 2], null, []]`, []string{"[1,2]", "null", "[]"}},
		{"large list view", arrow.LargeListViewOf(arrow.PrimitiveTypes.Int8), `[[1], []]`, []string{"[1]", "[]"}},
		{"struct in field order", arrow.StructOf(field("z", arrow.PrimitiveTypes.Int64), field(`b"q`, arrow.BinaryTypes.String)),
			`[{"z": 1, "b\"q": "x"}, null, {"z": null, "b\"q": null}]`,
			[]string{`{"z":1,"b\"q":"x"}`, "null", `{"z":null,"b\"q":null}`}},
		{"nested", arrow.ListOf(arrow.StructOf(field("x", arrow.ListOf(arrow.PrimitiveTypes.Float64)))),
			`[[{"x": [1.5, null]}, {"x": null}]]`, []string{`[{"x":[1.5,null]},{"x":null}]`}},
		{"map with string keys", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
			`[[{"key": "a", "value": 1}, {"key": "b", "value": null}], null, []]`,
			[]string{`{"a":1,"b":null}`, "null", "{}"}},
		{"map with other keys", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
			`[[{"key": 1, "value": "x"}, {"key": 2, "value": null}], []]`,
			[]string{`[{"key":1,"value":"x"},{"key":2,"value":null}]`, "[]"}},
		{"dictionary decoded", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String},
			`["a", "a", null, "b"]`, []string{`"a"`, `"a"`, "null", `"b"`}},
		{"run end encoded decoded", arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
			`["a", "a", null, "b"]`, []string{`"a"`, `"a"`, "null", `"b"`}},
		{"sparse union active child", arrow.SparseUnionOf([]arrow.Field{field("i", arrow.PrimitiveTypes.Int64), field("s", arrow.BinaryTypes.String)}, []arrow.UnionTypeCode{0, 5}),
			`[[0, 1], [5, "x"], [0, null]]`, []string{"1", `"x"`, "null"}},
		{"dense union active child", arrow.DenseUnionOf([]arrow.Field{field("i", arrow.PrimitiveTypes.Int64), field("s", arrow.BinaryTypes.String)}, []arrow.UnionTypeCode{0, 5}),
			`[[5, "x"], [0, 7], [5, "y"]]`, []string{`"x"`, "7", `"y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			arr := fromJSON(t, mem, tt.dt, tt.in)
			defer arr.Release()
			if diff := cmp.Diff(tt.want, encodeAll(t, arr)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.dt, diff)
			}
		})
	}
}

// TestAppendValueBuilt covers what Arrow's JSON notation cannot express:
// non-finite floats, invalid UTF-8, negative decimal scales, extension
// types and sliced arrays.
func TestAppendValueBuilt(t *testing.T) {
	tests := []struct {
		name  string
		build func(mem memory.Allocator) arrow.Array
		want  []string
	}{
		{"float64 non-finite", func(mem memory.Allocator) arrow.Array {
			b := array.NewFloat64Builder(mem)
			defer b.Release()
			b.AppendValues([]float64{math.NaN(), math.Inf(1), math.Inf(-1)}, nil)
			return b.NewArray()
		}, []string{`"NaN"`, `"Infinity"`, `"-Infinity"`}},
		{"float32 non-finite", func(mem memory.Allocator) arrow.Array {
			b := array.NewFloat32Builder(mem)
			defer b.Release()
			b.AppendValues([]float32{float32(math.NaN()), float32(math.Inf(-1))}, nil)
			return b.NewArray()
		}, []string{`"NaN"`, `"-Infinity"`}},
		{"float16 non-finite", func(mem memory.Allocator) arrow.Array {
			b := array.NewFloat16Builder(mem)
			defer b.Release()
			b.AppendValues([]float16.Num{float16.NaN(), float16.Inf(), float16.Inf().Negate()}, nil)
			return b.NewArray()
		}, []string{`"NaN"`, `"Infinity"`, `"-Infinity"`}},
		{"float16 subnormals", func(mem memory.Allocator) arrow.Array {
			// Built from bits: arrow-go's float16.New flushes subnormals.
			b := array.NewFloat16Builder(mem)
			defer b.Release()
			b.AppendValues([]float16.Num{float16.FromBits(0x0001), float16.FromBits(0x03ff), float16.FromBits(0x8001), float16.FromBits(0x8000)}, nil)
			return b.NewArray()
		}, []string{"6e-8", "0.000061", "-6e-8", "-0"}},
		{"invalid utf-8", func(mem memory.Allocator) arrow.Array {
			b := array.NewStringBuilder(mem)
			defer b.Release()
			b.AppendValues([]string{"a\xffb", "\xe2\x80", "\xed\xa0\x80"}, nil)
			return b.NewArray()
		}, []string{`"a\ufffdb"`, `"\ufffd\ufffd"`, `"\ufffd\ufffd\ufffd"`}},
		{"decimal negative scale", func(mem memory.Allocator) arrow.Array {
			b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 5, Scale: -2})
			defer b.Release()
			b.AppendValues([]decimal128.Num{decimal128.FromI64(12), decimal128.FromI64(-3), decimal128.FromI64(0)}, nil)
			return b.NewArray()
		}, []string{`"1200"`, `"-300"`, `"0"`}},
		{"decimal hostile scale", func(mem memory.Allocator) arrow.Array {
			b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 5, Scale: math.MaxInt32})
			defer b.Release()
			b.Append(decimal128.FromI64(-12))
			return b.NewArray()
		}, []string{`"-12e-2147483647"`}},
		{"extension as storage", func(mem memory.Allocator) arrow.Array {
			b := extensions.NewUUIDBuilder(mem)
			defer b.Release()
			b.Append([16]byte{0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
			b.AppendNull()
			return b.NewArray()
		}, []string{`"/wECAwQFBgcICQoLDA0ODw=="`, "null"}},
		{"sliced struct", func(mem memory.Allocator) arrow.Array {
			arr := fromJSON(t, mem, arrow.StructOf(field("a", arrow.PrimitiveTypes.Int64)), `[{"a": 1}, {"a": 2}, {"a": 3}]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 3)
		}, []string{`{"a":2}`, `{"a":3}`}},
		{"sliced list", func(mem memory.Allocator) arrow.Array {
			arr := fromJSON(t, mem, arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1], [2, 3], null, [4]]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 4)
		}, []string{"[2,3]", "null", "[4]"}},
		{"sliced fixed size list", func(mem memory.Allocator) arrow.Array {
			arr := fromJSON(t, mem, arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int64), `[[1, 2], [3, 4]]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 2)
		}, []string{"[3,4]"}},
		{"sliced map", func(mem memory.Allocator) arrow.Array {
			arr := fromJSON(t, mem, arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
				`[[{"key": "a", "value": 1}], [{"key": "b", "value": 2}]]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 2)
		}, []string{`{"b":2}`}},
		{"sliced sparse union", func(mem memory.Allocator) arrow.Array {
			dt := arrow.SparseUnionOf([]arrow.Field{field("i", arrow.PrimitiveTypes.Int64), field("s", arrow.BinaryTypes.String)}, []arrow.UnionTypeCode{0, 1})
			arr := fromJSON(t, mem, dt, `[[0, 1], [1, "x"], [0, 3]]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 3)
		}, []string{`"x"`, "3"}},
		{"sliced dense union", func(mem memory.Allocator) arrow.Array {
			dt := arrow.DenseUnionOf([]arrow.Field{field("i", arrow.PrimitiveTypes.Int64), field("s", arrow.BinaryTypes.String)}, []arrow.UnionTypeCode{0, 1})
			arr := fromJSON(t, mem, dt, `[[0, 1], [1, "x"], [0, 3]]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 3)
		}, []string{`"x"`, "3"}},
		{"sliced run end encoded", func(mem memory.Allocator) arrow.Array {
			arr := fromJSON(t, mem, arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int64), `[1, 1, 2, 2, 3]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 5)
		}, []string{"1", "2", "2", "3"}},
		{"sliced dictionary", func(mem memory.Allocator) arrow.Array {
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint32, ValueType: arrow.PrimitiveTypes.Float64}
			arr := fromJSON(t, mem, dt, `[0.5, 1.5, null, 0.5]`)
			defer arr.Release()
			return array.NewSlice(arr, 1, 4)
		}, []string{"1.5", "null", "0.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			arr := tt.build(mem)
			defer arr.Release()
			if diff := cmp.Diff(tt.want, encodeAll(t, arr)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", arr.DataType(), diff)
			}
		})
	}
}

func TestAppendRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		field("id", arrow.PrimitiveTypes.Int64),
		field("text", arrow.BinaryTypes.String),
		field("tags\n", arrow.ListOf(arrow.BinaryTypes.String)),
	}, nil)
	rec := newRecord(t, mem, schema, `[
		{"id": 1, "text": "a", "tags\n": ["x", "y"]},
		{"id": null, "text": null, "tags\n": null}
	]`)
	defer rec.Release()

	enc := NewEncoder(schema)
	want := []string{
		`{"id":1,"text":"a","tags\n":["x","y"]}`,
		`{"id":null,"text":null,"tags\n":null}`,
	}
	var dst []byte
	for row, w := range want {
		dst = enc.AppendRow(dst[:0], rec, row)
		if string(dst) != w {
			t.Errorf("row %d: got %s, want %s", row, dst, w)
		}
	}

	t.Run("appends to dst", func(t *testing.T) {
		got := enc.AppendRow([]byte("prefix "), rec, 0)
		if want := "prefix " + want[0]; string(got) != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})

	t.Run("batch of another column count uses its own schema", func(t *testing.T) {
		other := arrow.NewSchema([]arrow.Field{field("b", arrow.FixedWidthTypes.Boolean)}, nil)
		orec := newRecord(t, mem, other, `[{"b": true}]`)
		defer orec.Release()
		if got := string(enc.AppendRow(nil, orec, 0)); got != `{"b":true}` {
			t.Errorf("got %s", got)
		}
	})

	t.Run("column of another type is encoded by its own type", func(t *testing.T) {
		other := arrow.NewSchema([]arrow.Field{
			field("x", arrow.PrimitiveTypes.Float64),
			field("y", arrow.ListOf(arrow.PrimitiveTypes.Int64)),
			field("z", arrow.BinaryTypes.String),
		}, nil)
		orec := newRecord(t, mem, other, `[{"x": 0.5, "y": [1], "z": "s"}]`)
		defer orec.Release()
		if got, want := string(enc.AppendRow(nil, orec, 0)), `{"id":0.5,"text":[1],"tags\n":"s"}`; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

func newRecord(t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.RecordBatch {
	t.Helper()
	st := fromJSON(t, mem, arrow.StructOf(schema.Fields()...), rows).(*array.Struct)
	defer st.Release()
	return array.RecordFromStructArray(st, schema)
}

// TestAppendRowAllocs guards the promise that tome cat relies on: encoding
// a row into a buffer with room allocates nothing, for flat and nested
// columns alike.
func TestAppendRowAllocs(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		field("i", arrow.PrimitiveTypes.Int64),
		field("f", arrow.PrimitiveTypes.Float64),
		field("h", arrow.FixedWidthTypes.Float16),
		field("s", arrow.BinaryTypes.String),
		field("b", arrow.BinaryTypes.Binary),
		field("d", &arrow.Decimal128Type{Precision: 20, Scale: 3}),
		field("t", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}),
		field("l", arrow.ListOf(arrow.StructOf(field("k", arrow.BinaryTypes.String)))),
		field("m", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32)),
		field("e", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}),
	}, nil)
	rec := newRecord(t, mem, schema, `[{"i": 1, "f": 0.25, "h": 0.1, "s": "héllo\n", "b": "AAE=", "d": "-12.345",
		"t": 1714566600000001, "l": [{"k": "v"}], "m": [{"key": "a", "value": 1}], "e": "x"}]`)
	defer rec.Release()
	enc := NewEncoder(schema)
	dst := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		dst = enc.AppendRow(dst[:0], rec, 0)
	})
	if allocs != 0 {
		t.Errorf("AppendRow allocated %v times per row, want 0", allocs)
	}
	if !json.Valid(dst) {
		t.Errorf("invalid JSON %s", dst)
	}
}
