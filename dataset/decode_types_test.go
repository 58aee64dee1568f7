package dataset

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
)

type (
	decodeLabel int16
	decodeName  string
	decodeEmb   []float32
)

// TestDecodeTypes decodes one column of every supported Arrow type into
// every Go type it converts to, checking values, nulls and empties.
func TestDecodeTypes(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ts := func(s string, loc *time.Location) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	type pair struct {
		A int32
		B string
	}
	type entry struct {
		Key   string
		Value int32
	}
	dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	pairType := arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true})
	mapType := arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32)

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		// Integers: widening, narrowing in range, named types.
		{"int8 into int64", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int8, `[1, -128, null, 127]`, []int64{1, -128, 0, 127})
		}},
		{"int64 into int8 in range", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int64, `[1, -128, null, 127]`, []int8{1, -128, 0, 127})
		}},
		{"uint64 into int64 in range", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Uint64, `[0, 9223372036854775807, null]`, []int64{0, math.MaxInt64, 0})
		}},
		{"int32 into uint16 in range", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int32, `[0, 65535, null]`, []uint16{0, 65535, 0})
		}},
		{"uint8 into int8 in range", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Uint8, `[0, 127]`, []int8{0, 127})
		}},
		{"int64 into named int16", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int64, `[3, null, -7]`, []decodeLabel{3, 0, -7})
		}},

		// Floats.
		{"float32 into float32", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Float32, `[1.5, null, -2.25]`, []float32{1.5, 0, -2.25})
		}},
		{"float64 into float32 rounds", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Float64, `[0.1, null, 3e38]`, []float32{0.1, 0, 3e38})
		}},
		{"float32 into float64", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Float32, `[0.5, null]`, []float64{0.5, 0})
		}},
		{"float16 into float32", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Float16, `[0.5, null, -2]`, []float32{0.5, 0, -2})
		}},
		{"int64 into float64 exact", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int64, `[9007199254740992, -3, null]`, []float64{1 << 53, -3, 0})
		}},
		{"uint16 into float32", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Uint16, `[65535, null]`, []float32{65535, 0})
		}},
		{"decimal128 into float64", func(t *testing.T) {
			decodeCheck(t, &arrow.Decimal128Type{Precision: 5, Scale: 2}, `["123.45", null, "-0.01"]`, []float64{123.45, 0, -0.01})
		}},
		{"decimal128 into string", func(t *testing.T) {
			decodeCheck(t, &arrow.Decimal128Type{Precision: 5, Scale: 2}, `["123.45", null, "-0.01"]`, []string{"123.45", "", "-0.01"})
		}},

		{"bool", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Boolean, `[true, false, null, true]`, []bool{true, false, false, true})
		}},

		// Strings and bytes: every layout, null vs empty.
		{"utf8 into string", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.String, `["héllo", "", null, "x"]`, []string{"héllo", "", "", "x"})
		}},
		{"large_utf8 into named string", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.LargeString, `["a", null, "bc"]`, []decodeName{"a", "", "bc"})
		}},
		{"string_view into string", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.StringView, `["short", null, "a string longer than twelve bytes", ""]`,
				[]string{"short", "", "a string longer than twelve bytes", ""})
		}},
		{"utf8 into bytes", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.String, `["ab", "", null]`, [][]byte{[]byte("ab"), {}, nil})
		}},
		{"binary into bytes", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.Binary, `["AAEC", "", null]`, [][]byte{{0, 1, 2}, {}, nil})
		}},
		{"large_binary into string", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.LargeBinary, `["aGk=", null]`, []string{"hi", ""})
		}},
		{"binary_view into bytes", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.BinaryView, `["aGk=", null, ""]`, [][]byte{[]byte("hi"), nil, {}})
		}},
		{"fixed_size_binary into [3]byte", func(t *testing.T) {
			decodeCheck(t, &arrow.FixedSizeBinaryType{ByteWidth: 3}, `["AQID", null]`, [][3]byte{{1, 2, 3}, {}})
		}},
		{"fixed_size_binary into bytes", func(t *testing.T) {
			decodeCheck(t, &arrow.FixedSizeBinaryType{ByteWidth: 2}, `["AQI=", null]`, [][]byte{{1, 2}, nil})
		}},

		// Time.
		{"timestamp without zone is UTC", func(t *testing.T) {
			decodeCheck(t, &arrow.TimestampType{Unit: arrow.Millisecond}, `["2021-01-02T03:04:05.006", null]`,
				[]time.Time{ts("2021-01-02T03:04:05.006", time.UTC), {}})
		}},
		{"timestamp with zone keeps it", func(t *testing.T) {
			decodeCheck(t, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "America/New_York"}, `["2021-06-01T12:00:00-04:00"]`,
				[]time.Time{ts("2021-06-01T12:00:00", ny)})
			var got struct{ V time.Time }
			mem := newDecodePoisonAllocator()
			rec := decodeTestBatch(t, "v", decodeTestArray(t, mem, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "America/New_York"}, `["2021-06-01T12:00:00-04:00"]`))
			defer rec.Release()
			dec, _ := NewDecoder[struct{ V time.Time }](rec.Schema())
			if err := dec.Decode(rec, 0, &got); err != nil || got.V.Location().String() != "America/New_York" {
				t.Errorf("location %v, err %v; want America/New_York", got.V.Location(), err)
			}
		}},
		{"timestamp nanoseconds", func(t *testing.T) {
			decodeCheck(t, &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, `["1970-01-01T00:00:00.000000001Z"]`,
				[]time.Time{time.Unix(0, 1).UTC()})
		}},
		{"date32", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Date32, `["2024-02-29", null]`, []time.Time{ts("2024-02-29T00:00:00", time.UTC), {}})
		}},
		{"date64", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Date64, `["1969-12-31"]`, []time.Time{ts("1969-12-31T00:00:00", time.UTC)})
		}},
		{"duration", func(t *testing.T) {
			decodeCheck(t, &arrow.DurationType{Unit: arrow.Millisecond}, `[1500, null, -2]`,
				[]time.Duration{1500 * time.Millisecond, 0, -2 * time.Millisecond})
		}},
		{"time32 as time since midnight", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Time32s, `["01:00:05", null]`, []time.Duration{time.Hour + 5*time.Second, 0})
		}},
		{"time64", func(t *testing.T) {
			decodeCheck(t, arrow.FixedWidthTypes.Time64ns, `["00:00:00.000000042"]`, []time.Duration{42})
		}},

		// Lists and arrays.
		{"list into slice", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int32), `[[1, 2], [], null, [3, null]]`,
				[][]int64{{1, 2}, {}, nil, {3, 0}})
		}},
		{"list of the slice's element type", func(t *testing.T) {
			// The slices may borrow the elements; the sliced batch
			// decodeCheck makes checks that the array's offset is honoured.
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Float32), `[[1, 2], [3], [], null, [4, 5, 6]]`,
				[][]float32{{1, 2}, {3}, {}, nil, {4, 5, 6}})
			decodeCheck(t, arrow.LargeListOf(arrow.PrimitiveTypes.Int64), `[[7], [8, 9], null, []]`,
				[][]int64{{7}, {8, 9}, nil, {}})
		}},
		{"list into named slice", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Float32), `[[0.5], null]`, []decodeEmb{{0.5}, nil})
		}},
		{"large_list of strings", func(t *testing.T) {
			decodeCheck(t, arrow.LargeListOf(arrow.BinaryTypes.String), `[["a", null], ["bc"]]`, [][]string{{"a", ""}, {"bc"}})
		}},
		{"list_view into slice", func(t *testing.T) {
			decodeCheck(t, arrow.ListViewOf(arrow.PrimitiveTypes.Int16), `[[1], null, [2, 3], []]`, [][]int16{{1}, nil, {2, 3}, {}})
		}},
		{"fixed_size_list into slice", func(t *testing.T) {
			decodeCheck(t, arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), `[[1, 2], null, [3, 4]]`,
				[][]float32{{1, 2}, nil, {3, 4}})
		}},
		{"fixed_size_list into array", func(t *testing.T) {
			decodeCheck(t, arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), `[[1, 2], null, [3, 4]]`,
				[][2]float32{{1, 2}, {}, {3, 4}})
		}},
		{"list into array when lengths match", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, 2], [3, 4]]`, [][2]int{{1, 2}, {3, 4}})
		}},
		{"list of lists", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int8)), `[[[1], [], null], null, [[2, 3]]]`,
				[][][]int{{{1}, {}, nil}, nil, {{2, 3}}})
		}},
		{"list of structs", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(pairType), `[[{"a": 1, "b": "x"}, null], [{"a": 2, "b": null}]]`,
				[][]pair{{{1, "x"}, {}}, {{2, ""}}})
		}},
		{"list of ints into slice of pointers", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int32), `[[1, null], null]`, [][]*int64{{decodePtr[int64](1), nil}, nil})
		}},
		{"list of ints into slice of int", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int64), `[[1, -2], []]`, [][]int{{1, -2}, {}})
		}},
		{"list of int8 into slice of uint8 checks range", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int8), `[[1, 127]]`, [][]uint8{{1, 127}})
		}},
		{"list of uint8 into bytes", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Uint8), `[[1, 2], null]`, [][]byte{{1, 2}, nil})
		}},

		// Structs and maps.
		{"struct into struct", func(t *testing.T) {
			decodeCheck(t, pairType, `[{"a": 1, "b": "x"}, null, {"a": null, "b": "y"}]`, []pair{{1, "x"}, {}, {0, "y"}})
		}},
		{"struct into pointer to struct", func(t *testing.T) {
			decodeCheck(t, pairType, `[{"a": 1, "b": "x"}, null]`, []*pair{{1, "x"}, nil})
		}},
		{"struct into map of any", func(t *testing.T) {
			decodeCheck(t, pairType, `[{"a": 1, "b": "x"}, null]`, []map[string]any{{"a": int64(1), "b": "x"}, nil})
		}},
		{"struct of strings into map of strings", func(t *testing.T) {
			decodeCheck(t, arrow.StructOf(arrow.Field{Name: "p", Type: arrow.BinaryTypes.String, Nullable: true}),
				`[{"p": "q"}]`, []map[string]string{{"p": "q"}})
		}},
		{"map into map", func(t *testing.T) {
			decodeCheck(t, mapType, `[[{"key": "a", "value": 1}, {"key": "b", "value": null}], [], null]`,
				[]map[string]int32{{"a": 1, "b": 0}, {}, nil})
		}},
		{"map into map with pointer values", func(t *testing.T) {
			decodeCheck(t, mapType, `[[{"key": "a", "value": 1}, {"key": "b", "value": null}]]`,
				[]map[string]*int32{{"a": decodePtr[int32](1), "b": nil}})
		}},
		{"map into slice of entries", func(t *testing.T) {
			decodeCheck(t, mapType, `[[{"key": "a", "value": 1}], null]`, [][]entry{{{"a", 1}}, nil})
		}},
		{"map with int keys into map of any", func(t *testing.T) {
			decodeCheck(t, arrow.MapOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
				`[[{"key": 1, "value": "one"}]]`, []map[any]string{{int64(1): "one"}})
		}},

		// Pointers.
		{"pointer to int", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int32, `[1, null, 3]`, []*int64{decodePtr[int64](1), nil, decodePtr[int64](3)})
		}},
		{"pointer to string", func(t *testing.T) {
			decodeCheck(t, arrow.BinaryTypes.String, `["", null]`, []*string{decodePtr(""), nil})
		}},
		{"pointer to pointer", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int8, `[5, null]`, []**int{decodePtr(decodePtr(5)), nil})
		}},
		{"pointer to slice", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.PrimitiveTypes.Int8), `[[5], [], null]`, []*[]int{{5}, {}, nil})
		}},

		// Encodings.
		{"dictionary into string", func(t *testing.T) {
			decodeCheck(t, dict, `["a", "b", null, "a"]`, []string{"a", "b", "", "a"})
		}},
		{"dictionary into pointer", func(t *testing.T) {
			decodeCheck(t, dict, `["a", null]`, []*string{decodePtr("a"), nil})
		}},
		{"run-end encoded", func(t *testing.T) {
			decodeCheck(t, arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int32, arrow.BinaryTypes.String),
				`["a", "a", null, "b"]`, []string{"a", "a", "", "b"})
		}},
		{"uuid extension into [16]byte", func(t *testing.T) {
			decodeCheck(t, extensions.NewUUIDType(), `["00010203-0405-0607-0809-0a0b0c0d0e0f", null]`,
				[][16]byte{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {}})
		}},
		{"null column", func(t *testing.T) {
			decodeCheck(t, arrow.Null, `[null, null]`, []int64{0, 0})
		}},
		{"null column into pointer", func(t *testing.T) {
			decodeCheck(t, arrow.Null, `[null]`, []*string{nil})
		}},

		// any.
		{"int into any", func(t *testing.T) {
			decodeCheck(t, arrow.PrimitiveTypes.Int16, `[1, null]`, []any{int64(1), nil})
		}},
		{"list into any", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.BinaryTypes.String), `[["a", null], null]`, []any{[]any{"a", nil}, nil})
		}},
		{"struct into any", func(t *testing.T) {
			decodeCheck(t, pairType, `[{"a": 1, "b": "x"}]`, []any{map[string]any{"a": int64(1), "b": "x"}})
		}},
		{"dictionary into any", func(t *testing.T) {
			decodeCheck(t, dict, `["z", null]`, []any{"z", nil})
		}},
		{"list of any", func(t *testing.T) {
			decodeCheck(t, arrow.ListOf(arrow.FixedWidthTypes.Boolean), `[[true, null]]`, [][]any{{true, nil}})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// TestDecodeIntegerMatrix decodes every Arrow integer type into every Go
// integer type, with values every pair can hold.
func TestDecodeIntegerMatrix(t *testing.T) {
	arrowInts := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64,
	}
	const data = `[0, 1, null, 127]`
	for _, dt := range arrowInts {
		t.Run(dt.String(), func(t *testing.T) {
			t.Run("int", func(t *testing.T) { decodeCheck(t, dt, data, []int{0, 1, 0, 127}) })
			t.Run("int8", func(t *testing.T) { decodeCheck(t, dt, data, []int8{0, 1, 0, 127}) })
			t.Run("int16", func(t *testing.T) { decodeCheck(t, dt, data, []int16{0, 1, 0, 127}) })
			t.Run("int32", func(t *testing.T) { decodeCheck(t, dt, data, []int32{0, 1, 0, 127}) })
			t.Run("int64", func(t *testing.T) { decodeCheck(t, dt, data, []int64{0, 1, 0, 127}) })
			t.Run("uint", func(t *testing.T) { decodeCheck(t, dt, data, []uint{0, 1, 0, 127}) })
			t.Run("uint8", func(t *testing.T) { decodeCheck(t, dt, data, []uint8{0, 1, 0, 127}) })
			t.Run("uint16", func(t *testing.T) { decodeCheck(t, dt, data, []uint16{0, 1, 0, 127}) })
			t.Run("uint32", func(t *testing.T) { decodeCheck(t, dt, data, []uint32{0, 1, 0, 127}) })
			t.Run("uint64", func(t *testing.T) { decodeCheck(t, dt, data, []uint64{0, 1, 0, 127}) })
			t.Run("float32", func(t *testing.T) { decodeCheck(t, dt, data, []float32{0, 1, 0, 127}) })
			t.Run("float64", func(t *testing.T) { decodeCheck(t, dt, data, []float64{0, 1, 0, 127}) })
		})
	}
}

// TestDecodeIntFits pins which integer pairs skip the range check: exactly
// those where every value of the column fits the Go type.
func TestDecodeIntFits(t *testing.T) {
	cases := []struct {
		col  arrow.Type
		kind any
		fits bool
	}{
		{arrow.INT8, int64(0), true},
		{arrow.INT64, int64(0), true},
		{arrow.INT64, int32(0), false},
		{arrow.UINT32, int64(0), true},
		{arrow.UINT64, int64(0), false},
		{arrow.UINT8, int8(0), false},
		{arrow.UINT8, int16(0), true},
		{arrow.INT8, uint64(0), false},
		{arrow.UINT16, uint16(0), true},
		{arrow.UINT32, uint16(0), false},
	}
	for _, c := range cases {
		rt := fmt.Sprintf("%T", c.kind)
		t.Run(c.col.String()+" into "+rt, func(t *testing.T) {
			if got := decodeIntFits(c.col, reflect.TypeOf(c.kind)); got != c.fits {
				t.Errorf("decodeIntFits = %v, want %v", got, c.fits)
			}
		})
	}
}
