package main

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
)

func TestParseArrowType(t *testing.T) {
	tests := []struct {
		in   string
		want arrow.DataType
	}{
		{"int64", arrow.PrimitiveTypes.Int64},
		{"utf8", arrow.BinaryTypes.String},
		{"string", arrow.BinaryTypes.String},
		{"boolean", arrow.FixedWidthTypes.Boolean},
		{"bool", arrow.FixedWidthTypes.Boolean},
		{"timestamp[ms, tz=UTC]", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{"decimal128(10, 2)", &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		{"list<int32>", arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		{" large_list< string > ", arrow.LargeListOf(arrow.BinaryTypes.String)},
		{"fixed_size_list<float32, 3>", arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32)},
		{"map<string, list<int64>>", arrow.MapOf(arrow.BinaryTypes.String, arrow.ListOf(arrow.PrimitiveTypes.Int64))},
		{"struct<a: int8, b: struct<c: timestamp[us]>, d: decimal128(5, 1)>", arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.StructOf(arrow.Field{Name: "c", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true}), Nullable: true},
			arrow.Field{Name: "d", Type: &arrow.Decimal128Type{Precision: 5, Scale: 1}, Nullable: true},
		)},
	}
	for _, tt := range tests {
		got, err := parseArrowType(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !arrow.TypeEqual(got, tt.want) {
			t.Errorf("%q: %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "int65", "list<>", "list<int64", "list<int64, int64>", "fixed_size_list<int8, -1>",
		"struct<a>", "struct<: int8>", "map<string>", "vector<int8>", "list<int64>>"} {
		if _, err := parseArrowType(bad); !errors.Is(err, format.ErrSchema) {
			t.Errorf("%q: error %v, want ErrSchema", bad, err)
		}
	}
}

func TestParseSchemaJSON(t *testing.T) {
	s, err := parseSchemaJSON([]byte(`[{"name": "id", "type": "int64", "nullable": false}, {"name": "tags", "type": "list<string>"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if s.NumFields() != 2 || s.Field(0).Nullable || !s.Field(1).Nullable || s.Field(1).Type.ID() != arrow.LIST {
		t.Fatalf("%v", s)
	}
	s, err = parseSchemaJSON([]byte(`{"label": {"names": ["neg", "pos"], "_type": "ClassLabel"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if md, _ := s.Metadata().GetValue("huggingface"); s.Field(0).Type.ID() != arrow.INT64 || md == "" {
		t.Fatalf("features: %v", s)
	}
	for _, bad := range []string{`[]`, `[{"name": "a", "type": "int8"}, {"name": "a", "type": "int8"}]`, `[{"type": "int8"}]`, `"x"`, `[{"name": "a", "type": "nope"}]`} {
		if _, err := parseSchemaJSON([]byte(bad)); !errors.Is(err, format.ErrSchema) {
			t.Errorf("%s: error %v, want ErrSchema", bad, err)
		}
	}
}

func FuzzParseSchemaJSON(f *testing.F) {
	for _, seed := range []string{
		`[{"name": "id", "type": "int64"}]`,
		`[{"name": "s", "type": "struct<a: list<map<string, int8>>, b: fixed_size_list<bool, 2>>"}]`,
		`{"x": {"dtype": "string", "_type": "Value"}}`,
		`[{"name": "t", "type": "list<list<list<list<int8>>>>"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSchemaJSON(data)
		if err != nil {
			if !errors.Is(err, format.ErrSchema) && !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if s.NumFields() == 0 {
			t.Fatal("a schema without columns parsed")
		}
	})
}
