package dataset

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/google/go-cmp/cmp"
	"github.com/tome-data/tome/format"
)

// TestRowValue checks the natural Go value of every Arrow type, for a value
// and for a null, and that the values outlive the batch.
func TestRowValue(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	union := arrow.SparseUnionOf([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, []arrow.UnionTypeCode{0, 1})
	dense := arrow.DenseUnionOf(union.Fields(), union.TypeCodes())
	cases := []struct {
		name string
		dt   arrow.DataType
		data string // one value, then a null
		want any
	}{
		{"int8", arrow.PrimitiveTypes.Int8, `[-5, null]`, int64(-5)},
		{"int64", arrow.PrimitiveTypes.Int64, `[9007199254740993, null]`, int64(9007199254740993)},
		{"uint16", arrow.PrimitiveTypes.Uint16, `[65535, null]`, uint64(65535)},
		{"uint64", arrow.PrimitiveTypes.Uint64, `[18446744073709551615, null]`, uint64(18446744073709551615)},
		{"float16", arrow.FixedWidthTypes.Float16, `[0.5, null]`, 0.5},
		{"float32", arrow.PrimitiveTypes.Float32, `[0.25, null]`, 0.25},
		{"float64", arrow.PrimitiveTypes.Float64, `[1e300, null]`, 1e300},
		{"bool", arrow.FixedWidthTypes.Boolean, `[true, null]`, true},
		{"utf8", arrow.BinaryTypes.String, `["héllo", null]`, "héllo"},
		{"large_utf8", arrow.BinaryTypes.LargeString, `["", null]`, ""},
		{"string_view", arrow.BinaryTypes.StringView, `["a string longer than twelve bytes", null]`, "a string longer than twelve bytes"},
		{"binary", arrow.BinaryTypes.Binary, `["AAE=", null]`, []byte{0, 1}},
		{"empty binary", arrow.BinaryTypes.Binary, `["", null]`, []byte{}},
		{"fixed_size_binary", &arrow.FixedSizeBinaryType{ByteWidth: 2}, `["AAE=", null]`, []byte{0, 1}},
		{"timestamp with zone", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "America/New_York"}, `["2021-06-01T12:00:00-04:00", null]`,
			time.Date(2021, 6, 1, 12, 0, 0, 0, ny)},
		{"timestamp unknown zone is UTC", &arrow.TimestampType{Unit: arrow.Second}, `[0, null]`, time.Unix(0, 0).UTC()},
		{"date32", arrow.FixedWidthTypes.Date32, `["2024-02-29", null]`, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"time64", arrow.FixedWidthTypes.Time64us, `["12:00:00.5", null]`, 12*time.Hour + 500*time.Millisecond},
		{"duration", &arrow.DurationType{Unit: arrow.Second}, `[90, null]`, 90 * time.Second},
		{"decimal128", &arrow.Decimal128Type{Precision: 10, Scale: 3}, `["-12.345", null]`, "-12.345"},
		{"decimal256", &arrow.Decimal256Type{Precision: 40, Scale: 0}, `["12345678901234567890123456789", null]`, "12345678901234567890123456789"},
		{"month interval", arrow.FixedWidthTypes.MonthInterval, `[{"months": 3}, null]`, arrow.MonthInterval(3)},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int8), `[[1, null], null]`, []any{int64(1), nil}},
		{"empty list", arrow.ListOf(arrow.PrimitiveTypes.Int8), `[[], null]`, []any{}},
		{"large_list", arrow.LargeListOf(arrow.BinaryTypes.String), `[["a"], null]`, []any{"a"}},
		{"fixed_size_list", arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), `[[1, 2], null]`, []any{1.0, 2.0}},
		{"list_view", arrow.ListViewOf(arrow.PrimitiveTypes.Int32), `[[7], null]`, []any{int64(7)}},
		{"struct", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true}),
			`[{"a": 1, "b": ["x"]}, null]`, map[string]any{"a": int64(1), "b": []any{"x"}}},
		{"map with string keys", arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int32),
			`[[{"key": "a", "value": 1}, {"key": "b", "value": null}], null]`, map[string]any{"a": int64(1), "b": nil}},
		{"map with int keys", arrow.MapOf(arrow.PrimitiveTypes.Int16, arrow.BinaryTypes.String),
			`[[{"key": 2, "value": "two"}], null]`, map[any]any{int64(2): "two"}},
		{"map with list keys", arrow.MapOf(arrow.ListOf(arrow.PrimitiveTypes.Int8), arrow.BinaryTypes.String),
			`[[{"key": [1, 2], "value": "pair"}], null]`, map[any]any{"[1 2]": "pair"}},
		{"dictionary", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String}, `["cat", null]`, "cat"},
		{"run-end encoded", arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Float64), `[2.5, null]`, 2.5},
		{"uuid extension", extensions.NewUUIDType(), `["00010203-0405-0607-0809-0a0b0c0d0e0f", null]`,
			[]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
		{"sparse union", union, `[[1, "s"], [0, null]]`, "s"},
		{"dense union", dense, `[[0, 42], [1, null]]`, int64(42)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newDecodePoisonAllocator()
			arr := decodeTestArray(t, mem, c.dt, c.data)
			if strings.Contains(c.name, "unknown zone") {
				// Builders refuse a zone they cannot load, readers do not.
				data := array.NewData(&arrow.TimestampType{Unit: arrow.Second, TimeZone: "Nowhere/Atlantis"},
					arr.Len(), arr.Data().Buffers(), nil, arr.NullN(), 0)
				arr.Release()
				arr = array.MakeFromData(data)
				data.Release()
			}
			rec := decodeTestBatch(t, "v", arr)
			got, gotNull := NewRow(rec, 0).Value(0), NewRow(rec, 1).Value(0)
			isNull := NewRow(rec, 1).IsNull(0)
			viaGet, err := Get[any](NewRow(rec, 0), "v")
			if err != nil {
				t.Fatalf("Get[any]: %v", err)
			}
			rec.Release()
			mem.AssertSize(t, 0)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("Value (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.want, viaGet); diff != "" {
				t.Errorf("Get[any] (-want +got):\n%s", diff)
			}
			if gotNull != nil || !isNull {
				t.Errorf("null row: Value %#v, IsNull %v", gotNull, isNull)
			}
		})
	}
}

func TestRowGet(t *testing.T) {
	mem := newDecodePoisonAllocator()
	defer mem.AssertSize(t, 0)
	rec := decodeTestBatch(t,
		"id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[7, 300]`),
		"Text", decodeTestArray(t, mem, arrow.BinaryTypes.String, `["hi", null]`),
		"emb", decodeTestArray(t, mem, arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32), `[[1, 2], null]`),
	)
	defer rec.Release()
	r := NewRow(rec, 0)

	if v, err := Get[int8](r, "id"); err != nil || v != 7 {
		t.Errorf(`Get[int8](r, "id") = %v, %v`, v, err)
	}
	if v, err := Get[string](r, 1); err != nil || v != "hi" {
		t.Errorf(`Get[string](r, 1) = %q, %v`, v, err)
	}
	if v, err := Get[string](r, "text"); err != nil || v != "hi" {
		t.Errorf(`Get[string](r, "text") (case folded) = %q, %v`, v, err)
	}
	if v, err := Get[[2]float32](r, "emb"); err != nil || v != [2]float32{1, 2} {
		t.Errorf(`Get[[2]float32](r, "emb") = %v, %v`, v, err)
	}
	null := NewRow(rec, 1)
	if v, err := Get[string](null, "Text"); err != nil || v != "" {
		t.Errorf("Get[string] of null = %q, %v; want zero", v, err)
	}
	if v, err := Get[*string](null, "Text"); err != nil || v != nil {
		t.Errorf("Get[*string] of null = %v, %v; want nil", v, err)
	}

	errs := []struct {
		get  func() error
		want string
	}{
		{func() error { _, err := Get[int8](null, "id"); return err }, `dataset: row 1: column "id": value 300 overflows int8`},
		{func() error { _, err := Get[int64](r, "Text"); return err }, `dataset: column "Text": column is utf8, cannot decode into int64`},
		{func() error { _, err := Get[int64](r, "nope"); return err }, `dataset: column "nope": no such column`},
		{func() error { _, err := Get[int64](r, 3); return err }, `dataset: column 3 outside a batch of 3 columns`},
		{func() error { _, err := Get[int64](r, -1); return err }, `dataset: column -1 outside a batch of 3 columns`},
	}
	for _, e := range errs {
		err := e.get()
		if err == nil || err.Error() != e.want || !errors.Is(err, format.ErrSchema) {
			t.Errorf("got %v\nwant %s (wrapping format.ErrSchema)", err, e.want)
		}
	}
}

func TestRowColumnsAndString(t *testing.T) {
	mem := newDecodePoisonAllocator()
	defer mem.AssertSize(t, 0)
	rec := decodeTestBatch(t,
		"id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[7]`),
		"text", decodeTestArray(t, mem, arrow.BinaryTypes.String, `["say \"hi\""]`),
		"when", decodeTestArray(t, mem, arrow.FixedWidthTypes.Date32, `["2024-01-02"]`),
		"tags", decodeTestArray(t, mem, arrow.ListOf(arrow.BinaryTypes.String), `[["a", "b"]]`),
		"none", decodeTestArray(t, mem, arrow.PrimitiveTypes.Float64, `[null]`),
		"ID", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[8]`),
	)
	defer rec.Release()
	r := NewRow(rec, 0)
	if r.NumColumns() != 6 || r.Index() != 0 || r.Batch() != rec {
		t.Errorf("NumColumns %d, Index %d", r.NumColumns(), r.Index())
	}
	for name, want := range map[string]int{"id": 0, "ID": 5, "TEXT": 1, "Id": -1, "missing": -1} {
		if got := r.ColumnIndex(name); got != want {
			t.Errorf("ColumnIndex(%q) = %d, want %d", name, got, want)
		}
	}
	want := `{id: 7, text: "say \"hi\"", when: 2024-01-02T00:00:00Z, tags: [a b], none: null, ID: 8}`
	if got := r.String(); got != want {
		t.Errorf("String:\n got %s\nwant %s", got, want)
	}
}

func TestZeroRow(t *testing.T) {
	var r Row
	if r.NumColumns() != 0 || r.ColumnIndex("x") != -1 || r.String() != "{}" || r.Batch() != nil {
		t.Errorf("zero Row: %d columns, %q", r.NumColumns(), r.String())
	}
	if _, err := Get[int](r, "x"); !errors.Is(err, format.ErrSchema) {
		t.Errorf(`Get[int](Row{}, "x") = %v, want ErrSchema`, err)
	}
	if _, err := Get[int](r, 0); !errors.Is(err, format.ErrSchema) {
		t.Errorf("Get[int](Row{}, 0) = %v, want ErrSchema", err)
	}
}

func TestRowPanicsOnCallerBugs(t *testing.T) {
	mem := newDecodePoisonAllocator()
	defer mem.AssertSize(t, 0)
	rec := decodeTestBatch(t, "id", decodeTestArray(t, mem, arrow.PrimitiveTypes.Int64, `[7]`))
	defer rec.Release()
	for name, f := range map[string]func(){
		"NewRow past the end": func() { NewRow(rec, 1) },
		"NewRow negative":     func() { NewRow(rec, -1) },
		"Value past the end":  func() { NewRow(rec, 0).Value(1) },
		"IsNull past the end": func() { NewRow(rec, 0).IsNull(1) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.HasPrefix(r.(string), "dataset: ") {
					t.Errorf("%s: recovered %v, want a dataset panic", name, r)
				}
			}()
			f()
		}()
	}
}
