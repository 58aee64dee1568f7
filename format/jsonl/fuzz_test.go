package jsonl

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

var fuzzSeeds = []string{
	lines(`{"a": 1, "b": "x", "c": [1, 2.5], "d": {"e": true}}`, `{"a": null, "b": 2, "d": {"f": [[]]}}`),
	lines(`{"s": "\u00e9\ud83d\ude00\\\"", "n": -0.0e-5}`, ``, `{"s": null}`),
	lines(`{"x": [{"a": 1}, {"a": "y"}]}`, `{"x": []}`),
	lines(`{"v": 9223372036854775807}`, `{"v": 18446744073709551616}`),
	`{"a": [1, {"b": 2}]` + "\r\n" + "\xef\xbb\xbf" + `{"a": 1}`,
	`{"a": "unterminated`,
	`[1, 2]`,
	`{"a": 1, "a": 2}`,
}

// FuzzInfer checks inference on arbitrary input: no panic, only typed
// errors, and a schema inferred from the whole file must fit every line
// of it. What is read must also survive a canonical write and a read back
// with the inferred schema unchanged.
func FuzzInfer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		opts := Options{InferRows: -1, MaxLineBytes: 1 << 16, Workers: 1}
		opts.Allocator = mem
		r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			checkTyped(t, err)
			if errors.Is(err, format.ErrSchema) {
				t.Fatalf("inference gave a schema error: %v", err)
			}
			return
		}
		rows, err := collect(r)
		if err != nil {
			t.Fatalf("a schema inferred from the whole file does not fit it: %v", err)
		}
		// Round trip: canonical rows read back with the inferred schema.
		text := strings.Join(rows, "\n")
		opts.Schema = r.Schema()
		again, err := Open(strings.NewReader(text), int64(len(text)), opts)
		if err != nil {
			t.Fatalf("reopening canonical output: %v", err)
		}
		rows2, err := collect(again)
		if err != nil {
			t.Fatalf("reading canonical output %q: %v", text, err)
		}
		if strings.Join(rows2, "\n") != text {
			t.Fatalf("round trip changed rows:\n%s\n%s", text, strings.Join(rows2, "\n"))
		}
	})
}

// fuzzSchemas are the explicit schemas FuzzRead picks from.
var fuzzSchemas = []*arrow.Schema{
	arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "b", Type: &arrow.Decimal128Type{Precision: 9, Scale: 3}, Nullable: true},
		{Name: "c", Type: arrow.ListOf(&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}), Nullable: true},
		{Name: "d", Type: arrow.MapOf(arrow.FixedWidthTypes.Date32, arrow.BinaryTypes.Binary), Nullable: true},
	}, nil),
	arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.FixedSizeListOf(2, arrow.FixedWidthTypes.Float16), Nullable: true},
		{Name: "b", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, Nullable: true},
		{Name: "c", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.FixedWidthTypes.Time32ms, Nullable: false}), Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.MonthDayNanoInterval, Nullable: true},
	}, nil),
	arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.ListViewOf(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Uint64}), Nullable: true},
		{Name: "b", Type: &arrow.FixedSizeBinaryType{ByteWidth: 2}, Nullable: true},
		{Name: "c", Type: arrow.RunEndEncodedOf(arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "d", Type: &arrow.Decimal256Type{Precision: 40, Scale: -3}, Nullable: true},
	}, nil),
}

// FuzzRead checks reading arbitrary input with explicit schemas of many
// types: no panic, no leak, only typed errors.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte(`{"a": 5, "b": "1.5", "c": ["2024-01-01T00:00:00Z"], "d": {"2024-01-01": "AAE="}}`), uint8(0))
	f.Add([]byte(`{"a": [1, "NaN"], "b": "x", "c": {"x": "01:02:03.004"}, "d": {"months": 1}}`), uint8(1))
	f.Add([]byte(`{"a": [1, 2, null], "b": "AAE=", "c": 1.5, "d": "1e5"}`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		opts := Options{Schema: fuzzSchemas[int(pick)%len(fuzzSchemas)], MaxLineBytes: 1 << 16, Workers: 1 + int(pick)%2}
		opts.Allocator = mem
		opts.BatchSize = 3
		r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			checkTyped(t, err)
			return
		}
		for _, err := range r.Batches(context.Background()) {
			if err != nil {
				checkTyped(t, err)
			}
		}
	})
}

func checkTyped(t *testing.T, err error) {
	t.Helper()
	for _, s := range []error{format.ErrCorrupt, format.ErrSchema, format.ErrUnsupported} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("untyped error: %v", err)
}
