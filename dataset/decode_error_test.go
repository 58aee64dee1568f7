package dataset

import (
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tome-data/tome/format"
)

func decodeSchema(fields ...arrow.Field) *arrow.Schema {
	for i := range fields {
		fields[i].Nullable = true
	}
	return arrow.NewSchema(fields, nil)
}

// TestNewDecoderErrors checks that every struct that cannot match its
// schema fails in NewDecoder, with the exact message naming field and
// column, wrapping format.ErrSchema.
func TestNewDecoderErrors(t *testing.T) {
	str, i64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64
	type Meta struct{ Score float32 }
	type Item struct{ Name int }
	type Base struct{ ID int64 }
	type Other struct{ ID int64 }
	cases := []struct {
		name  string
		build func(*arrow.Schema) error
		sch   *arrow.Schema
		want  string
	}{
		{
			"string column into int",
			decodeTry[struct{ Label int64 }],
			decodeSchema(arrow.Field{Name: "label", Type: str}),
			`dataset: field Label (column "label"): column is utf8, cannot decode into int64`,
		},
		{
			"float column into int",
			decodeTry[struct{ Score int }],
			decodeSchema(arrow.Field{Name: "score", Type: arrow.PrimitiveTypes.Float64}),
			`dataset: field Score (column "score"): column is float64, cannot decode into int`,
		},
		{
			"timestamp into int",
			decodeTry[struct{ At int64 }],
			decodeSchema(arrow.Field{Name: "at", Type: arrow.FixedWidthTypes.Timestamp_us}),
			`dataset: field At (column "at"): column is timestamp[us, tz=UTC], cannot decode into int64`,
		},
		{
			"int into duration",
			decodeTry[struct{ Took time.Duration }],
			decodeSchema(arrow.Field{Name: "took", Type: i64}),
			`dataset: field Took (column "took"): column is int64, cannot decode into time.Duration`,
		},
		{
			"bool into string",
			decodeTry[struct{ Ok string }],
			decodeSchema(arrow.Field{Name: "ok", Type: arrow.FixedWidthTypes.Boolean}),
			`dataset: field Ok (column "ok"): column is bool, cannot decode into string`,
		},
		{
			"list element",
			decodeTry[struct{ Tags []int64 }],
			decodeSchema(arrow.Field{Name: "tags", Type: arrow.ListOf(str)}),
			`dataset: field Tags (column "tags"): list element is utf8, cannot decode into int64`,
		},
		{
			"scalar into slice",
			decodeTry[struct{ Tags []int64 }],
			decodeSchema(arrow.Field{Name: "tags", Type: i64}),
			`dataset: field Tags (column "tags"): column is int64, cannot decode into []int64`,
		},
		{
			"nested struct field",
			decodeTry[struct{ Meta Meta }],
			decodeSchema(arrow.Field{Name: "meta", Type: arrow.StructOf(arrow.Field{Name: "score", Type: str})}),
			`dataset: field Meta.Score (column "meta.score"): column is utf8, cannot decode into float32`,
		},
		{
			"missing nested struct field",
			decodeTry[struct{ Meta Meta }],
			decodeSchema(arrow.Field{Name: "meta", Type: arrow.StructOf(arrow.Field{Name: "other", Type: str})}),
			`dataset: field Meta.Score (column "meta.Score"): no such column (make the field a pointer or tag it tome:",optional" to allow that)`,
		},
		{
			"struct in a list",
			decodeTry[struct{ Items []Item }],
			decodeSchema(arrow.Field{Name: "items", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "name", Type: str}))}),
			`dataset: field Items[].Name (column "items[].name"): column is utf8, cannot decode into int`,
		},
		{
			"fixed-size list of another size",
			decodeTry[struct{ Emb [4]float32 }],
			decodeSchema(arrow.Field{Name: "emb", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32)}),
			`dataset: field Emb (column "emb"): column is fixed_size_list<item: float32, nullable>[3], cannot decode into [4]float32`,
		},
		{
			"fixed_size_binary of another width",
			decodeTry[struct{ Hash [32]byte }],
			decodeSchema(arrow.Field{Name: "hash", Type: &arrow.FixedSizeBinaryType{ByteWidth: 16}}),
			`dataset: field Hash (column "hash"): column is fixed_size_binary[16], cannot decode into [32]uint8`,
		},
		{
			"map value",
			decodeTry[struct{ Attrs map[string]int }],
			decodeSchema(arrow.Field{Name: "attrs", Type: arrow.MapOf(str, str)}),
			`dataset: field Attrs (column "attrs"): map value is utf8, cannot decode into int`,
		},
		{
			"map key",
			decodeTry[struct{ Attrs map[int]string }],
			decodeSchema(arrow.Field{Name: "attrs", Type: arrow.MapOf(str, str)}),
			`dataset: field Attrs (column "attrs"): map key is utf8, cannot decode into int`,
		},
		{
			"struct into map with int keys",
			decodeTry[struct{ Attrs map[int]string }],
			decodeSchema(arrow.Field{Name: "attrs", Type: arrow.StructOf(arrow.Field{Name: "a", Type: str})}),
			`dataset: field Attrs (column "attrs"): cannot decode columns into map[int]string: map keys must be strings`,
		},
		{
			"struct child into map value",
			decodeTry[struct{ Attrs map[string]string }],
			decodeSchema(arrow.Field{Name: "attrs", Type: arrow.StructOf(arrow.Field{Name: "a", Type: i64})}),
			`dataset: field Attrs["a"] (column "attrs.a"): column is int64, cannot decode into string`,
		},
		{
			"unsupported Go type",
			decodeTry[struct{ Ch chan int }],
			decodeSchema(arrow.Field{Name: "ch", Type: i64}),
			`dataset: field Ch (column "ch"): cannot decode into chan int: unsupported Go type`,
		},
		{
			"non-empty interface",
			decodeTry[struct{ S error }],
			decodeSchema(arrow.Field{Name: "s", Type: str}),
			`dataset: field S (column "s"): cannot decode into error: unsupported Go type`,
		},
		{
			"union into a concrete type",
			decodeTry[struct{ U int32 }],
			decodeSchema(arrow.Field{Name: "u", Type: arrow.SparseUnionOf([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}}, []arrow.UnionTypeCode{0})}),
			`dataset: field U (column "u"): column is sparse_union<a: type=int32=0>, cannot decode into int32`,
		},
		{
			"missing column",
			decodeTry[struct{ Label int64 }],
			decodeSchema(arrow.Field{Name: "text", Type: str}),
			`dataset: field Label (column "Label"): no such column (make the field a pointer or tag it tome:",optional" to allow that)`,
		},
		{
			"missing column named by tag",
			decodeTry[struct {
				Label int64 `tome:"class"`
			}],
			decodeSchema(arrow.Field{Name: "text", Type: str}),
			`dataset: field Label (column "class"): no such column (make the field a pointer or tag it tome:",optional" to allow that)`,
		},
		{
			"ambiguous columns",
			decodeTry[struct{ Id int64 }],
			decodeSchema(arrow.Field{Name: "ID", Type: i64}, arrow.Field{Name: "id", Type: i64}),
			`dataset: field Id (column "Id"): columns "ID" and "id" both match`,
		},
		{
			"duplicate column names",
			decodeTry[struct{ ID int64 }],
			decodeSchema(arrow.Field{Name: "ID", Type: i64}, arrow.Field{Name: "ID", Type: i64}),
			`dataset: field ID (column "ID"): columns "ID" and "ID" both match`,
		},
		{
			"two fields want one column",
			decodeTry[struct {
				A int64 `tome:"x"`
				B int64 `tome:"x"`
			}],
			decodeSchema(arrow.Field{Name: "x", Type: i64}),
			`dataset: field A (column "x"): fields A and B both want column "x"`,
		},
		{
			"two embedded structs promote one name",
			decodeTry[struct {
				Base
				Other
			}],
			decodeSchema(arrow.Field{Name: "ID", Type: i64}),
			`dataset: field Base.ID (column "ID"): fields Base.ID and Other.ID both want column "ID"`,
		},
		{
			"unknown tag option",
			decodeTry[struct {
				Label int64 `tome:"label,optinal"`
			}],
			decodeSchema(arrow.Field{Name: "label", Type: i64}),
			"dataset: field Label (column \"label\"): unknown option \"optinal\" in tag `tome:\"label,optinal\"`",
		},
		{
			"embedded pointer",
			decodeTry[struct{ *Base }],
			decodeSchema(arrow.Field{Name: "ID", Type: i64}),
			`dataset: field Base (column "Base"): embedded pointer *dataset.Base is not decoded; embed Base by value or give the field a tome tag`,
		},
		{
			"not a struct",
			decodeTry[int],
			decodeSchema(arrow.Field{Name: "x", Type: i64}),
			`dataset: cannot decode rows into int: want a struct, or a map with string keys`,
		},
		{
			"map of rows with a column of another type",
			decodeTry[map[string]int],
			decodeSchema(arrow.Field{Name: "x", Type: str}),
			`dataset: field ["x"] (column "x"): column is utf8, cannot decode into int`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.build(c.sch)
			if err == nil {
				t.Fatal("NewDecoder succeeded")
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
			if !errors.Is(err, format.ErrSchema) {
				t.Errorf("error does not wrap format.ErrSchema: %v", err)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Row != -1 {
				t.Errorf("error is not a *DecodeError without a row: %#v", err)
			}
		})
	}
}

func decodeTry[T any](s *arrow.Schema) error {
	_, err := NewDecoder[T](s)
	return err
}

// TestDecodeValueErrors checks the errors only values can cause: they name
// the row, and AppendBatch, Decode and Get agree on them.
func TestDecodeValueErrors(t *testing.T) {
	cases := []struct {
		name   string
		dt     arrow.DataType
		data   string
		decode func(rec arrow.RecordBatch) (batchErr, rowErr error)
		row    int
		want   string
	}{
		{
			"int64 overflowing int8", arrow.PrimitiveTypes.Int64, `[1, null, 300]`,
			decodeBoth[int8], 2,
			`dataset: row 2: field V (column "v"): value 300 overflows int8`,
		},
		{
			"negative into unsigned", arrow.PrimitiveTypes.Int32, `[5, -1]`,
			decodeBoth[uint64], 1,
			`dataset: row 1: field V (column "v"): value -1 overflows uint64`,
		},
		{
			"uint64 overflowing int64", arrow.PrimitiveTypes.Uint64, `[18446744073709551615]`,
			decodeBoth[int64], 0,
			`dataset: row 0: field V (column "v"): value 18446744073709551615 overflows int64`,
		},
		{
			"int64 not exact as float64", arrow.PrimitiveTypes.Int64, `[1, 9007199254740993]`,
			decodeBoth[float64], 1,
			`dataset: row 1: field V (column "v"): value 9007199254740993 cannot be represented exactly as float64`,
		},
		{
			"max int64 as float64", arrow.PrimitiveTypes.Int64, `[9223372036854775807]`,
			decodeBoth[float64], 0,
			`dataset: row 0: field V (column "v"): value 9223372036854775807 cannot be represented exactly as float64`,
		},
		{
			"int32 not exact as float32", arrow.PrimitiveTypes.Int32, `[16777217]`,
			decodeBoth[float32], 0,
			`dataset: row 0: field V (column "v"): value 16777217 cannot be represented exactly as float32`,
		},
		{
			"float64 overflowing float32", arrow.PrimitiveTypes.Float64, `[1, 1e39]`,
			decodeBoth[float32], 1,
			`dataset: row 1: field V (column "v"): value 1e+39 overflows float32`,
		},
		{
			"list too short for an array", arrow.ListOf(arrow.PrimitiveTypes.Float32), `[[1, 2, 3, 4], [1, 2, 3]]`,
			decodeBoth[[4]float32], 1,
			`dataset: row 1: field V (column "v"): list of 3 elements does not fit [4]float32`,
		},
		{
			"overflow inside a list", arrow.ListOf(arrow.PrimitiveTypes.Int16), `[[1], [2, 3], [4, 1000]]`,
			decodeBoth[[]int8], 2,
			`dataset: row 2: field V (column "v"): value 1000 overflows int8`,
		},
		{
			"duration beyond time.Duration", &arrow.DurationType{Unit: arrow.Second}, `[1, 9223372036854775807]`,
			decodeBoth[time.Duration], 1,
			`dataset: row 1: field V (column "v"): duration 9223372036854775807s overflows time.Duration`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec := decodeTestBatch(t, "v", decodeTestArray(t, mem, c.dt, c.data))
			defer rec.Release()
			batchErr, rowErr := c.decode(rec)
			for name, err := range map[string]error{"AppendBatch": batchErr, "Decode": rowErr} {
				if err == nil {
					t.Fatalf("%s succeeded", name)
				}
				if err.Error() != c.want {
					t.Errorf("%s error\n got: %s\nwant: %s", name, err, c.want)
				}
				var de *DecodeError
				if !errors.Is(err, format.ErrSchema) || !errors.As(err, &de) || de.Row != c.row || de.Field != "V" || de.Column != "v" {
					t.Errorf("%s error %#v: want a *DecodeError wrapping format.ErrSchema at row %d", name, err, c.row)
				}
			}
		})
	}
}

// decodeBoth decodes every row of rec into struct{ V T } with AppendBatch,
// then row by row, returning the first error of each.
func decodeBoth[T any](rec arrow.RecordBatch) (batchErr, rowErr error) {
	type row struct{ V T }
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		return err, err
	}
	out, batchErr := dec.AppendBatch(make([]row, 3), rec)
	if batchErr != nil && len(out) != 3 {
		return errors.New("AppendBatch changed dst's length on error"), nil
	}
	for i := range int(rec.NumRows()) {
		var r row
		if rowErr = dec.Decode(rec, i, &r); rowErr != nil {
			break
		}
	}
	return batchErr, rowErr
}

// TestDecodeCorruptArrays feeds arrays whose buffers contradict each other,
// as a malformed file could produce: the decoder must return ErrCorrupt
// errors, never panic or read out of bounds.
func TestDecodeCorruptArrays(t *testing.T) {
	i32 := func(v ...int32) *memory.Buffer { return memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(v)) }
	cases := []struct {
		name string
		arr  func() arrow.Array
		run  func(arrow.RecordBatch) error
	}{
		{
			"string offsets that decrease",
			func() arrow.Array {
				return array.MakeFromData(array.NewData(arrow.BinaryTypes.String, 3,
					[]*memory.Buffer{nil, i32(0, 3, 1, 4), memory.NewBufferBytes([]byte("abcd"))}, nil, 0, 0))
			},
			decodeFirstErr[string],
		},
		{
			"list offsets past the child",
			func() arrow.Array {
				child := array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Int32, 2,
					[]*memory.Buffer{nil, i32(1, 2)}, nil, 0, 0))
				defer child.Release()
				return array.MakeFromData(array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), 2,
					[]*memory.Buffer{nil, i32(0, 1, 1000)}, []arrow.ArrayData{child.Data()}, 0, 0))
			},
			decodeFirstErr[[]int32],
		},
		{
			"list offsets past the child into an array",
			func() arrow.Array {
				child := array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Int32, 2,
					[]*memory.Buffer{nil, i32(1, 2)}, nil, 0, 0))
				defer child.Release()
				return array.MakeFromData(array.NewData(arrow.ListOf(arrow.PrimitiveTypes.Int32), 1,
					[]*memory.Buffer{nil, i32(1, 3)}, []arrow.ArrayData{child.Data()}, 0, 0))
			},
			decodeFirstErr[[2]int32],
		},
		{
			"dictionary index out of range",
			func() arrow.Array {
				dict := array.NewStringBuilder(memory.DefaultAllocator)
				dict.Append("a")
				values := dict.NewArray()
				defer values.Release()
				dict.Release()
				idx := array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Int32, 2, []*memory.Buffer{nil, i32(0, 7)}, nil, 0, 0))
				defer idx.Release()
				return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, idx, values)
			},
			decodeFirstErr[string],
		},
		{
			"boolean bitmap too short",
			func() arrow.Array {
				return array.MakeFromData(array.NewData(arrow.FixedWidthTypes.Boolean, 100,
					[]*memory.Buffer{nil, memory.NewBufferBytes([]byte{0xff})}, nil, 0, 0))
			},
			decodeFirstErr[bool],
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			arr := func() (a arrow.Array) {
				defer func() {
					if r := recover(); r != nil {
						t.Skipf("arrow-go refuses to build this array: %v", r)
					}
				}()
				return c.arr()
			}()
			rec := decodeTestBatch(t, "v", arr)
			defer rec.Release()
			err := c.run(rec)
			if !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("got %v, want an error wrapping format.ErrCorrupt", err)
			}
			t.Log(err)
		})
	}
}

// decodeFirstErr decodes rec into struct{ V T } all ways and returns an
// error only if every way failed, else a note of the one that did not.
func decodeFirstErr[T any](rec arrow.RecordBatch) error {
	type row struct{ V T }
	dec, err := NewDecoder[row](rec.Schema())
	if err != nil {
		return err
	}
	if _, err := dec.AppendBatch(nil, rec); err == nil {
		return errors.New("AppendBatch succeeded")
	}
	var last error
	for i := range int(rec.NumRows()) {
		var r row
		if err := dec.Decode(rec, i, &r); err != nil {
			last = err
		}
		if _, err := Get[any](NewRow(rec, i), 0); err != nil && !errors.Is(err, format.ErrCorrupt) {
			return err
		}
	}
	if last == nil {
		return errors.New("Decode succeeded on every row")
	}
	return last
}

// TestDecodeBatchOfAnotherSchema checks that a batch whose columns differ
// from the decoder's schema is refused rather than decoded by position,
// while one differing only in nullability is accepted.
func TestDecodeBatchOfAnotherSchema(t *testing.T) {
	type row struct {
		A int64
		B string
	}
	dec, err := NewDecoder[row](decodeSchema(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String}))
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	swapped := decodeTestBatch(t,
		"b", decodeTestArray(t, mem, arrow.BinaryTypes.String, `["x"]`),
		"a", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[1]`))
	defer swapped.Release()
	_, err = dec.AppendBatch(nil, swapped)
	want := `dataset: batch column 0 is "b" (utf8), the decoder's schema has "a" (int64): format: schema mismatch`
	if err == nil || err.Error() != want || !errors.Is(err, format.ErrSchema) {
		t.Errorf("AppendBatch of swapped columns: got %v, want %s", err, want)
	}
	var r row
	if err := dec.Decode(swapped, 0, &r); !errors.Is(err, format.ErrSchema) {
		t.Errorf("Decode of swapped columns: got %v, want ErrSchema", err)
	}

	short := decodeTestBatch(t, "a", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[1]`))
	defer short.Release()
	if _, err := dec.AppendBatch(nil, short); !errors.Is(err, format.ErrSchema) {
		t.Errorf("AppendBatch of a batch with fewer columns: got %v, want ErrSchema", err)
	}

	a := decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[1, 2]`)
	b := decodeTestArray(t, mem, arrow.BinaryTypes.String, `["x", "y"]`)
	nonNull := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.BinaryTypes.String}}, nil),
		[]arrow.Array{a, b}, 2)
	a.Release()
	b.Release()
	defer nonNull.Release()
	got, err := dec.AppendBatch(nil, nonNull)
	if err != nil || len(got) != 2 || got[1] != (row{2, "y"}) {
		t.Errorf("AppendBatch of a non-nullable schema: got %v, %v", got, err)
	}
}

// TestDecodeMisuse covers caller mistakes: they are errors, not panics.
func TestDecodeMisuse(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := decodeTestBatch(t, "a", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[1]`))
	defer rec.Release()
	dec, err := NewDecoder[struct{ A int64 }](rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ A int64 }
	for name, err := range map[string]error{
		"nil destination":  dec.Decode(rec, 0, nil),
		"negative row":     dec.Decode(rec, -1, &v),
		"row past the end": dec.Decode(rec, 1, &v),
		"nil batch":        dec.Decode(nil, 0, &v),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewDecoder[struct{ A int64 }](nil); !errors.Is(err, format.ErrSchema) {
		t.Errorf("NewDecoder(nil): got %v, want ErrSchema", err)
	}
}
