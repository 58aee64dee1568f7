package jsonl

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/rowjson"
)

func TestValueDecoder(t *testing.T) {
	tests := []struct {
		dt   arrow.DataType
		text []string // AppendText inputs; "<null>" appends a null
		want string   // rowjson of the array's values, comma-separated
	}{
		{arrow.PrimitiveTypes.Int64, []string{"12", "-3", "<null>"}, "12,-3,null"},
		{arrow.BinaryTypes.String, []string{"plain", `"quoted"`, ""}, `"plain","\"quoted\"",""`},
		{&arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, []string{"2024-03-01 10:00:00+01:00"}, `"2024-03-01T09:00:00Z"`},
		{arrow.ListOf(arrow.PrimitiveTypes.Int8), []string{"[1, 2]", "[]", "null"}, "[1,2],[],null"},
		{arrow.StructOf(arrow.Field{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true}), []string{`{"a": "x"}`}, `{"a":"x"}`},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), []string{`{"k": 1.5}`}, `{"k":1.5}`},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Int32}, []string{"4", "4"}, "4,4"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, []string{"a", "b"}, `"a","b"`},
		{arrow.FixedWidthTypes.Boolean, []string{"True", "0"}, "true,false"},
	}
	for _, tt := range tests {
		t.Run(tt.dt.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			b := array.NewBuilder(mem, tt.dt)
			defer b.Release()
			d, err := NewValueDecoder(mem, b, "col")
			if err != nil {
				t.Fatal(err)
			}
			defer d.Release()
			for _, s := range tt.text {
				if s == "<null>" {
					d.AppendNull()
					continue
				}
				if err := d.AppendText([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			arr := b.NewArray()
			defer arr.Release()
			var got []string
			for i := range arr.Len() {
				got = append(got, string(rowjson.AppendValue(nil, arr, i)))
			}
			if g := strings.Join(got, ","); g != tt.want {
				t.Errorf("got %s, want %s", g, tt.want)
			}
		})
	}
}

func TestValueDecoderJSON(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewBuilder(mem, arrow.ListOf(arrow.PrimitiveTypes.Int64))
	defer b.Release()
	d, err := NewValueDecoder(mem, b, "ids")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	if err := d.AppendJSON([]byte(` [1, 2] `)); err != nil {
		t.Fatal(err)
	}
	err = d.AppendJSON([]byte(`[1, 2] x`))
	if !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "byte 8: invalid JSON: unexpected data after value") {
		t.Errorf("err = %v", err)
	}
	err = d.AppendText([]byte(`[1, "a"]`))
	if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `column "ids[]": value "a" does not fit int64`) {
		t.Errorf("err = %v", err)
	}
	err = d.AppendText([]byte(`nope`))
	if !errors.Is(err, format.ErrCorrupt) {
		t.Errorf("err = %v", err)
	}

	ib := array.NewBuilder(mem, arrow.PrimitiveTypes.Uint8)
	defer ib.Release()
	id, _ := NewValueDecoder(nil, ib, "n")
	defer id.Release()
	if err := id.AppendText([]byte("300")); !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `column "n": value "300" does not fit uint8: out of range`) {
		t.Errorf("err = %v", err)
	}
	union := arrow.DenseUnionOf([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int8}}, []arrow.UnionTypeCode{0})
	ub := array.NewBuilder(mem, union)
	defer ub.Release()
	if _, err := NewValueDecoder(mem, ub, "u"); !errors.Is(err, format.ErrUnsupported) {
		t.Errorf("union: err = %v, want ErrUnsupported", err)
	}
}
