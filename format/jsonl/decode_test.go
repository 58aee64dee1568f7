package jsonl

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"

	"github.com/tome-data/tome/format"
)

// oneColumn is a schema with a single nullable column "v".
func oneColumn(dt arrow.DataType) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: "v", Type: dt, Nullable: true}}, nil)
}

var (
	utc    = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	naiveS = &arrow.TimestampType{Unit: arrow.Second}
	nanoTS = &arrow.TimestampType{Unit: arrow.Nanosecond}
)

// TestExplicitTypes reads values into every Arrow type through an explicit
// schema and checks the result in rowjson's canonical form, which for
// canonical input is the input itself.
func TestExplicitTypes(t *testing.T) {
	tests := []struct {
		name string
		dt   arrow.DataType
		in   []string // JSON values of column v, one row each
		want []string // canonical JSON of the values read; nil means in
	}{
		{"null", arrow.Null, []string{"null"}, nil},
		{"bool", arrow.FixedWidthTypes.Boolean, []string{"true", "false", "null", `"true"`, `"FALSE"`, `"1"`}, []string{"true", "false", "null", "true", "false", "true"}},
		{"int8", arrow.PrimitiveTypes.Int8, []string{"127", "-128", `"12"`}, []string{"127", "-128", "12"}},
		{"int16", arrow.PrimitiveTypes.Int16, []string{"32767", "-32768"}, nil},
		{"int32", arrow.PrimitiveTypes.Int32, []string{"2147483647", "-2147483648"}, nil},
		{"int64 beyond 2^53", arrow.PrimitiveTypes.Int64, []string{"9007199254740993", "-9223372036854775808", `"9223372036854775807"`}, []string{"9007199254740993", "-9223372036854775808", "9223372036854775807"}},
		{"uint8", arrow.PrimitiveTypes.Uint8, []string{"255", "0"}, nil},
		{"uint16", arrow.PrimitiveTypes.Uint16, []string{"65535"}, nil},
		{"uint32", arrow.PrimitiveTypes.Uint32, []string{"4294967295"}, nil},
		{"uint64", arrow.PrimitiveTypes.Uint64, []string{"18446744073709551615", `"18446744073709551614"`}, []string{"18446744073709551615", "18446744073709551614"}},
		{"float16", arrow.FixedWidthTypes.Float16, []string{"0.1", "-2.5", `"NaN"`, `"Infinity"`}, nil},
		{"float32", arrow.PrimitiveTypes.Float32, []string{"0.1", "16777217", "3.4e39", `"-Infinity"`}, []string{"0.1", "16777216", `"Infinity"`, `"-Infinity"`}},
		{"float64", arrow.PrimitiveTypes.Float64, []string{"0.1", "1e+308", "5e-324", "-0", `"NaN"`, `"Infinity"`, `"-Infinity"`, `"2.5"`, "1e400"}, []string{"0.1", "1e+308", "5e-324", "-0", `"NaN"`, `"Infinity"`, `"-Infinity"`, "2.5", `"Infinity"`}},
		{"decimal32", &arrow.Decimal32Type{Precision: 5, Scale: 2}, []string{`"123.45"`, "-1.5", `"0.00"`}, []string{`"123.45"`, `"-1.50"`, `"0.00"`}},
		{"decimal64", &arrow.Decimal64Type{Precision: 18, Scale: 3}, []string{`"123456789012345.678"`}, nil},
		{"decimal128", &arrow.Decimal128Type{Precision: 38, Scale: 2}, []string{`"123.45"`, "123.45", `"-0.05"`, `"1.5e1"`, `"12345678901234567890123456789012345.67"`, `"1.2300"`}, []string{`"123.45"`, `"123.45"`, `"-0.05"`, `"15.00"`, `"12345678901234567890123456789012345.67"`, `"1.23"`}},
		{"decimal128 negative scale", &arrow.Decimal128Type{Precision: 5, Scale: -2}, []string{`"1200"`, `"-99900"`}, nil},
		{"decimal256", &arrow.Decimal256Type{Precision: 76, Scale: 5}, []string{`"-12345678901234567890123456789012345678901234567890123456789012345678901.12345"`}, nil},
		{"decimal128 huge scale", &arrow.Decimal128Type{Precision: 10, Scale: 300}, []string{`"12e-300"`}, nil},
		{"string", arrow.BinaryTypes.String, []string{`"héllo \"w\"\n\u2028"`, `""`, "12", `{"a": 1}`}, []string{`"héllo \"w\"\n\u2028"`, `""`, `"12"`, `"{\"a\": 1}"`}},
		{"large string", arrow.BinaryTypes.LargeString, []string{`"x"`}, nil},
		{"string view", arrow.BinaryTypes.StringView, []string{`"a string longer than twelve bytes"`, `"short"`}, nil},
		{"binary", arrow.BinaryTypes.Binary, []string{`"aGVsbG8="`, `""`, `"aGVsbG8"`}, []string{`"aGVsbG8="`, `""`, `"aGVsbG8="`}},
		{"large binary", arrow.BinaryTypes.LargeBinary, []string{`"AAEC/w=="`}, nil},
		{"binary view", arrow.BinaryTypes.BinaryView, []string{`"AAEC/w=="`}, nil},
		{"fixed size binary", &arrow.FixedSizeBinaryType{ByteWidth: 3}, []string{`"YWJj"`}, nil},
		{"date32", arrow.FixedWidthTypes.Date32, []string{`"2024-02-29"`, `"1969-12-31"`, `"-0044-03-15"`, `"+10000-01-01"`, "19000"}, []string{`"2024-02-29"`, `"1969-12-31"`, `"-0044-03-15"`, `"+10000-01-01"`, `"2022-01-08"`}},
		{"date64", arrow.FixedWidthTypes.Date64, []string{`"2024-02-29"`, "86400000"}, []string{`"2024-02-29"`, `"1970-01-02"`}},
		{"time32 s", arrow.FixedWidthTypes.Time32s, []string{`"13:04:05"`, "3600"}, []string{`"13:04:05"`, `"01:00:00"`}},
		{"time32 ms", arrow.FixedWidthTypes.Time32ms, []string{`"13:04:05.250"`, `"00:00:00.5"`}, []string{`"13:04:05.250"`, `"00:00:00.500"`}},
		{"time64 us", arrow.FixedWidthTypes.Time64us, []string{`"23:59:59.999999"`}, nil},
		{"time64 ns", arrow.FixedWidthTypes.Time64ns, []string{`"13:04:05.123456789"`, `"25:00:00.000000000"`, `"-01:00:00.000000000"`}, nil},
		{"timestamp naive", naiveS, []string{`"2024-03-01T13:04:05"`, `"2024-03-01 13:04:05"`, `"2024-03-01"`, "0"}, []string{`"2024-03-01T13:04:05"`, `"2024-03-01T13:04:05"`, `"2024-03-01T00:00:00"`, `"1970-01-01T00:00:00"`}},
		{"timestamp offset to instant", naiveS, []string{`"2024-03-01T13:04:05+02:00"`, `"2024-03-01T13:04:05-0130"`, `"2024-03-01T00:00:00Z"`}, []string{`"2024-03-01T11:04:05"`, `"2024-03-01T14:34:05"`, `"2024-03-01T00:00:00"`}},
		{"timestamp zoned ms", utc, []string{`"2024-03-01T13:04:05.250Z"`, "-1", `"1969-12-31T23:59:59.999Z"`}, []string{`"2024-03-01T13:04:05.250Z"`, `"1969-12-31T23:59:59.999Z"`, `"1969-12-31T23:59:59.999Z"`}},
		{"timestamp ns", nanoTS, []string{`"2262-04-11T23:47:16.854775807"`, `"1677-09-21T00:12:43.145224192"`}, nil},
		{"timestamp far years", &arrow.TimestampType{Unit: arrow.Second}, []string{`"-0001-01-01T00:00:00"`, `"+12345-06-07T08:09:10"`}, nil},
		{"duration", arrow.FixedWidthTypes.Duration_ms, []string{"1500", "-3", `"7"`}, []string{"1500", "-3", "7"}},
		{"month interval", arrow.FixedWidthTypes.MonthInterval, []string{`{"months":3}`, "4", "{}"}, []string{`{"months":3}`, `{"months":4}`, `{"months":0}`}},
		{"day time interval", arrow.FixedWidthTypes.DayTimeInterval, []string{`{"days":1,"milliseconds":-2}`, `{"milliseconds":5}`}, []string{`{"days":1,"milliseconds":-2}`, `{"days":0,"milliseconds":5}`}},
		{"month day nano interval", arrow.FixedWidthTypes.MonthDayNanoInterval, []string{`{"months":1,"days":2,"nanoseconds":9000000000000}`}, nil},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int32), []string{"[1,null,3]", "[]", "null", " [ 4 , 5 ] "}, []string{"[1,null,3]", "[]", "null", "[4,5]"}},
		{"large list", arrow.LargeListOf(arrow.BinaryTypes.String), []string{`["a","b"]`}, nil},
		{"list view", arrow.ListViewOf(arrow.PrimitiveTypes.Int64), []string{"[1,2]", "null", "[]", "[3]"}, nil},
		{"large list view", arrow.LargeListViewOf(arrow.PrimitiveTypes.Int64), []string{"[1,2]", "[3]"}, nil},
		{"fixed size list", arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), []string{"[1,2.5,null]", "null"}, nil},
		{"list of lists", arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)), []string{`[["a"],[],null]`}, nil},
		{"struct", arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		), []string{`{"a":1,"b":["x"]}`, `{"b":null}`, `{"b":[],"a":2,"extra":[1,{"y":2}]}`, "null"}, []string{`{"a":1,"b":["x"]}`, `{"a":null,"b":null}`, `{"a":2,"b":[]}`, "null"}},
		{"map with string keys", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), []string{`{"a":1,"b":null,"a":3}`, "{}", "null", `[{"key":"k","value":2},{"value":3,"key":"j"},{"key":"z"}]`}, []string{`{"a":1,"b":null,"a":3}`, "{}", "null", `{"k":2,"j":3,"z":null}`}},
		{"map with int keys", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), []string{`[{"key":1,"value":"x"},{"key":-2,"value":null}]`, `{"7":"y"}`}, []string{`[{"key":1,"value":"x"},{"key":-2,"value":null}]`, `[{"key":7,"value":"y"}]`}},
		{"map with date keys", arrow.MapOf(arrow.FixedWidthTypes.Date32, arrow.PrimitiveTypes.Int8), []string{`{"2024-01-02":1}`}, []string{`[{"key":"2024-01-02","value":1}]`}},
		{"dictionary of strings", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, []string{`"a"`, `"b"`, "null", `"a"`, "5"}, []string{`"a"`, `"b"`, "null", `"a"`, `"5"`}},
		{"dictionary of ints", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.PrimitiveTypes.Int64}, []string{"5", "7", "5", "null"}, nil},
		{"dictionary of dates", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint16, ValueType: arrow.FixedWidthTypes.Date32}, []string{`"2024-01-02"`, `"2024-01-02"`}, nil},
		{"dictionary in a list", arrow.ListOf(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.PrimitiveTypes.Float64}), []string{"[1.5,2.5,1.5]", "[]", "[null]"}, nil},
		{"run end encoded", arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String), []string{`"a"`, `"a"`, "null", `"b"`}, nil},
		{"uuid extension", extensions.NewUUIDType(), []string{`"AAECAwQFBgcICQoLDA0ODw=="`}, nil},
		{"json extension", mustJSONType(t), []string{`"{\"a\":1}"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []string
			for _, v := range tt.in {
				in = append(in, `{"v": `+v+`}`)
			}
			_, rows, err := readString(t, lines(in...), Options{Schema: oneColumn(tt.dt)})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = tt.in
			}
			if len(rows) != len(want) {
				t.Fatalf("got %d rows %v, want %d", len(rows), rows, len(want))
			}
			for i := range want {
				if w := `{"v":` + want[i] + `}`; rows[i] != w {
					t.Errorf("row %d: got %s, want %s", i, rows[i], w)
				}
			}
		})
	}
}

func mustJSONType(t *testing.T) arrow.DataType {
	dt, err := extensions.NewJSONType(arrow.BinaryTypes.String)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// TestExplicitTypeErrors checks that values that do not fit are refused
// with format.ErrSchema, naming the line, the column and the reason.
func TestExplicitTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		dt   arrow.DataType
		in   string
		want string // in the error message
	}{
		{"int8 overflow", arrow.PrimitiveTypes.Int8, "128", "value 128 does not fit int8: out of range"},
		{"int64 overflow", arrow.PrimitiveTypes.Int64, "9223372036854775808", "does not fit int64"},
		{"int from float", arrow.PrimitiveTypes.Int32, "1.5", "value 1.5 does not fit int32"},
		{"int from word", arrow.PrimitiveTypes.Int64, `"ten"`, `value "ten" does not fit int64`},
		{"int from bool", arrow.PrimitiveTypes.Int64, "true", "value true does not fit int64"},
		{"int from list", arrow.PrimitiveTypes.Int64, "[1, 2]", "value [1, 2] does not fit int64"},
		{"negative uint", arrow.PrimitiveTypes.Uint64, "-1", "does not fit uint64: out of range"},
		{"float from word", arrow.PrimitiveTypes.Float64, `"lots"`, `"lots" does not fit float64`},
		{"bool from word", arrow.FixedWidthTypes.Boolean, `"yes"`, `"yes" does not fit bool`},
		{"null type", arrow.Null, "0", "value 0 does not fit null"},
		{"inexact decimal", &arrow.Decimal128Type{Precision: 10, Scale: 2}, `"1.234"`, "more fractional digits than the column's scale"},
		{"decimal precision", &arrow.Decimal128Type{Precision: 4, Scale: 2}, `"123.4"`, "more digits than the column's precision"},
		{"decimal exponent bomb", &arrow.Decimal128Type{Precision: 4, Scale: 2}, `"1e999999999999"`, "more digits than the column's precision"},
		{"decimal syntax", &arrow.Decimal128Type{Precision: 4, Scale: 2}, `"1.2.3"`, "is not a number"},
		{"bad base64", arrow.BinaryTypes.Binary, `"!!!"`, `value "!!!" does not fit binary`},
		{"binary from number", arrow.BinaryTypes.Binary, "12", "value 12 does not fit binary"},
		{"fixed size binary width", &arrow.FixedSizeBinaryType{ByteWidth: 4}, `"YWJj"`, "wrong number of bytes"},
		{"bad date", arrow.FixedWidthTypes.Date32, `"2023-02-29"`, `value "2023-02-29" does not fit date32`},
		{"date with time", arrow.FixedWidthTypes.Date32, `"2023-02-01T00:00:00"`, "does not fit date32"},
		{"time precision", arrow.FixedWidthTypes.Time32s, `"13:04:05.5"`, "more precision than the column's unit"},
		{"time32 range", arrow.FixedWidthTypes.Time32ms, "4294967296", "out of the column's range"},
		{"timestamp precision", naiveS, `"2024-01-01T00:00:00.001"`, "more precision than the column's unit"},
		{"timestamp ns range", nanoTS, `"2300-01-01T00:00:00"`, "out of the column's range"},
		{"timestamp garbage", utc, `"yesterday"`, `"yesterday" does not fit timestamp[ms, tz=UTC]`},
		{"timestamp bad zone", utc, `"2024-01-01T00:00:00+25:00"`, "does not fit timestamp"},
		{"timestamp hour 24", utc, `"2024-01-01T24:00:00Z"`, "does not fit timestamp"},
		{"list from scalar", arrow.ListOf(arrow.PrimitiveTypes.Int64), "3", "value 3 does not fit list<item: int64, nullable>"},
		{"list element", arrow.ListOf(arrow.PrimitiveTypes.Int64), `[1, "x"]`, `column "v[]": value "x" does not fit int64`},
		{"fixed size list length", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int64), "[1, 2, 3]", "list of 3 elements does not fit fixed_size_list"},
		{"struct from list", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), "[1]", "value [1] does not fit struct"},
		{"struct member", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}), `{"a": "x"}`, `column "v.a": value "x" does not fit int64`},
		{"map key", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64), `{"x": 1}`, `column "v{key}": value "x" does not fit int32`},
		{"map entry shape", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64), `[{"k": 1}]`, `unexpected key "k"`},
		{"map entry without key", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64), `[{"value": 1}]`, `map entry without a "key"`},
		{"map null key", arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64), `[{"key": null, "value": 1}]`, "null in a non-nullable field"},
		{"interval member", arrow.FixedWidthTypes.MonthInterval, `{"years": 1}`, `key "years" does not fit month_interval`},
		{"interval overflow", arrow.FixedWidthTypes.MonthInterval, `{"months": 3000000000}`, "out of the column's range"},
		{"dictionary value", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Int64}, `"x"`, `value "x" does not fit int64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := lines(`{"v": null}`, `{"v": `+tt.in+`}`)
			_, _, err := readString(t, data, Options{Schema: oneColumn(tt.dt)})
			if !errors.Is(err, format.ErrSchema) {
				t.Fatalf("err = %v, want ErrSchema", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "line 2") {
				t.Errorf("error %q does not name line 2 and %q", msg, tt.want)
			}
			if strings.Contains(msg, "InferRows") {
				t.Errorf("error %q advises inference options for an explicit schema", msg)
			}
		})
	}
}

func TestExplicitSchemaNullability(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "l", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	tests := []struct {
		line string
		want string
	}{
		{`{"l": [1]}`, `column "id": missing key of a non-nullable field`},
		{`{"id": null}`, `column "id": null in a non-nullable field`},
		{`{"id": 1, "l": [null]}`, `column "l[]": null in a non-nullable field`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, _, err := readString(t, tt.line+"\n", Options{Schema: schema})
			if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrSchema with %q", err, tt.want)
			}
		})
	}
	_, rows, err := readString(t, `{"id": 1, "l": [2], "other": 3}`+"\n", Options{Schema: schema})
	if err != nil || len(rows) != 1 || rows[0] != `{"id":1,"l":[2]}` {
		t.Fatalf("rows %v, err %v; keys outside an explicit schema must be skipped", rows, err)
	}
}

func TestExplicitSchemaUnsupported(t *testing.T) {
	union := arrow.SparseUnionOf([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, []arrow.UnionTypeCode{0})
	_, _, err := readString(t, `{"v": 1}`+"\n", Options{Schema: oneColumn(arrow.ListOf(union))})
	if !errors.Is(err, format.ErrUnsupported) || !strings.Contains(err.Error(), `column "v[]"`) {
		t.Fatalf("err = %v, want ErrUnsupported naming v[]", err)
	}
}
