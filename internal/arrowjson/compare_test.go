package arrowjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// column describes one column of a test batch in arrow-go's JSON notation.
type column struct {
	name   string
	dt     arrow.DataType
	values string
}

func makeBatch(t *testing.T, mem memory.Allocator, cols ...column) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.dt, Nullable: true}
		arrs[i] = fromJSON(t, mem, c.dt, c.values)
		defer arrs[i].Release()
	}
	return batchOf(fields, arrs...)
}

// dictColumn builds a dictionary-encoded column from its dictionary and
// indices.
func dictColumn(t *testing.T, mem memory.Allocator, values arrow.DataType, dict, indices string) arrow.Array {
	t.Helper()
	d := fromJSON(t, mem, values, dict)
	defer d.Release()
	idx := fromJSON(t, mem, arrow.PrimitiveTypes.Int8, indices)
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: values}, idx, d)
}

func TestCompareBatch(t *testing.T) {
	i32, f64, str := arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String
	tests := []struct {
		name      string
		want, got []column
		err       string // "" when the batches are equal
	}{
		{
			name: "equal",
			want: []column{{"a", i32, `[1, null, 3]`}, {"b", str, `["x", "y", null]`}},
			got:  []column{{"a", i32, `[1, null, 3]`}, {"b", str, `["x", "y", null]`}},
		},
		{
			name: "value",
			want: []column{{"a", i32, `[1, 2, 3]`}, {"b", str, `["x", "y", "z"]`}},
			got:  []column{{"a", i32, `[1, 2, 3]`}, {"b", str, `["x", "Y", "z"]`}},
			err:  `column "b" row 1: got Y, want y`,
		},
		{
			name: "null where a value was expected",
			want: []column{{"a", i32, `[1, 2]`}},
			got:  []column{{"a", i32, `[1, null]`}},
			err:  `column "a" row 1: got null, want 2`,
		},
		{
			name: "nested value",
			want: []column{{"l", arrow.ListOf(i32), `[[1], [2, 3]]`}},
			got:  []column{{"l", arrow.ListOf(i32), `[[1], [2, 4]]`}},
			err:  `column "l" row 1: got [2,4], want [2,3]`,
		},
		{
			name: "NaN equals NaN",
			want: []column{{"f", f64, `[1.5, "NaN"]`}},
			got:  []column{{"f", f64, `[1.5, "NaN"]`}},
		},
		{
			name: "floats within tolerance",
			want: []column{{"f", f64, `[0.1]`}},
			got:  []column{{"f", f64, `[0.100000001]`}},
		},
		{
			name: "floats beyond tolerance",
			want: []column{{"f", f64, `[1, 0.1]`}},
			got:  []column{{"f", f64, `[1, 0.2]`}},
			err:  `column "f" row 1: got 0.2, want 0.1`,
		},
		{
			name: "column count",
			want: []column{{"a", i32, `[1]`}, {"b", i32, `[1]`}},
			got:  []column{{"a", i32, `[1]`}},
			err:  "got 1 columns, want 2",
		},
		{
			name: "column name",
			want: []column{{"a", i32, `[1]`}},
			got:  []column{{"A", i32, `[1]`}},
			err:  `column 0 is named "A", want "a"`,
		},
		{
			name: "column type",
			want: []column{{"a", i32, `[1]`}},
			got:  []column{{"a", arrow.PrimitiveTypes.Int64, `[1]`}},
			err:  `column "a" has type int64, want int32`,
		},
		{
			name: "nested field name",
			want: []column{{"s", arrow.StructOf(arrow.Field{Name: "x", Type: i32}), `[{"x": 1}]`}},
			got:  []column{{"s", arrow.StructOf(arrow.Field{Name: "y", Type: i32}), `[{"y": 1}]`}},
			err:  `column "s" has type struct<y: int32>, want struct<x: int32>`,
		},
		{
			name: "row count",
			want: []column{{"a", i32, `[1, 2]`}},
			got:  []column{{"a", i32, `[1]`}},
			err:  "got 1 rows, want 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAllocator(t)
			want, got := makeBatch(t, mem, tt.want...), makeBatch(t, mem, tt.got...)
			defer want.Release()
			defer got.Release()
			err := CompareBatch(want, got)
			if tt.err == "" {
				if err != nil {
					t.Errorf("unexpected difference: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("got error %v, want one saying %q", err, tt.err)
			}
		})
	}
}

// TestCompareBatchDictionaries checks that dictionary columns compare by
// what they decode to, not by how the dictionary is laid out.
func TestCompareBatchDictionaries(t *testing.T) {
	str := arrow.BinaryTypes.String
	tests := []struct {
		name              string
		wantDict, wantIdx string
		gotDict, gotIdx   string
		err               string
	}{
		{"same layout", `["a", "b"]`, `[0, 1, null]`, `["a", "b"]`, `[0, 1, null]`, ""},
		{"other layout", `["a", "b"]`, `[0, 1, 0, null]`, `["c", "b", "a"]`, `[2, 1, 2, null]`, ""},
		{"null value in the dictionary", `["a", null]`, `[1, 0]`, `["a"]`, `[null, 0]`, ""},
		{"different values", `["a", "b"]`, `[0, 1, 0]`, `["a", "b"]`, `[0, 1, 1]`, `column "d" row 2: got b, want a`},
		{"empty", `["a"]`, `[]`, `[]`, `[]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAllocator(t)
			w := dictColumn(t, mem, str, tt.wantDict, tt.wantIdx)
			defer w.Release()
			g := dictColumn(t, mem, str, tt.gotDict, tt.gotIdx)
			defer g.Release()
			fields := []arrow.Field{{Name: "d", Type: w.DataType(), Nullable: true}}
			want, got := batchOf(fields, w), batchOf(fields, g)
			defer want.Release()
			defer got.Release()
			err := CompareBatch(want, got)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected difference: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got error %v, want one saying %q", err, tt.err)
			}
		})
	}
}

func TestCompareBatchNested(t *testing.T) {
	mem := checkedAllocator(t)
	str := arrow.BinaryTypes.String
	inner := func(dict, idx string) arrow.Array { return dictColumn(t, mem, str, dict, idx) }
	list := func(values arrow.Array, offsets string) arrow.Array {
		off := fromJSON(t, mem, arrow.PrimitiveTypes.Int32, offsets)
		defer off.Release()
		data := array.NewData(arrow.ListOf(values.DataType()), off.Len()-1, []*memory.Buffer{nil, off.Data().Buffers()[1]}, []arrow.ArrayData{values.Data()}, 0, 0)
		defer data.Release()
		return array.MakeFromData(data)
	}
	wv, gv, ov := inner(`["x", "y"]`, `[0, 1, 1]`), inner(`["y", "x"]`, `[1, 0, 0]`), inner(`["y", "x"]`, `[1, 0, 1]`)
	defer wv.Release()
	defer gv.Release()
	defer ov.Release()
	w, g, o := list(wv, `[0, 1, 3]`), list(gv, `[0, 1, 3]`), list(ov, `[0, 1, 3]`)
	defer w.Release()
	defer g.Release()
	defer o.Release()
	fields := []arrow.Field{{Name: "l", Type: w.DataType(), Nullable: true}}
	want, got, other := batchOf(fields, w), batchOf(fields, g), batchOf(fields, o)
	defer want.Release()
	defer got.Release()
	defer other.Release()
	if err := CompareBatch(want, got); err != nil {
		t.Errorf("lists of equal dictionary values differ: %v", err)
	}
	if err := CompareBatch(want, other); err == nil || !strings.Contains(err.Error(), `row 1: got ["y","x"], want ["y","y"]`) {
		t.Errorf("got %v, want a difference in row 1", err)
	}
}

func TestCompareBatchEncodingMustMatch(t *testing.T) {
	mem := checkedAllocator(t)
	d := dictColumn(t, mem, arrow.BinaryTypes.String, `["a"]`, `[0]`)
	defer d.Release()
	want := batchOf([]arrow.Field{{Name: "c", Type: d.DataType()}}, d)
	defer want.Release()
	got := makeBatch(t, mem, column{"c", arrow.BinaryTypes.String, `["a"]`})
	defer got.Release()
	if err := CompareBatch(want, got); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "has type utf8, want dictionary") {
		t.Errorf("got %v, want a type difference", err)
	}
}

func TestCompareBatchNil(t *testing.T) {
	mem := checkedAllocator(t)
	b := makeBatch(t, mem, column{"a", arrow.PrimitiveTypes.Int8, `[1]`})
	defer b.Release()
	if err := CompareBatch(nil, nil); err != nil {
		t.Errorf("two nil batches differ: %v", err)
	}
	if err := CompareBatch(b, nil); !errors.Is(err, ErrMismatch) {
		t.Errorf("a batch equals nil: %v", err)
	}
}
