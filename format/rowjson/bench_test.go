package rowjson

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkAppendRow encodes rows of a typical text dataset row (an id, a
// label, a sentence, a token list and a float score), as tome cat does.
func BenchmarkAppendRow(b *testing.B) {
	schema := arrow.NewSchema([]arrow.Field{
		field("id", arrow.PrimitiveTypes.Int64),
		field("label", arrow.PrimitiveTypes.Int64),
		field("sentence", arrow.BinaryTypes.String),
		field("tokens", arrow.ListOf(arrow.PrimitiveTypes.Int32)),
		field("score", arrow.PrimitiveTypes.Float64),
	}, nil)
	const rows = 1024
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id": %d, "label": %d, "sentence": "the quick brown fox jumps over the lazy dog %d times, \"quoted\"",
			"tokens": [101, 1996, 4248, 2829, 4419, %d, 102], "score": %g}`, i, i%3, i, i, float64(i)/7)
	}
	sb.WriteByte(']')
	rec := newRecord(b, memory.NewGoAllocator(), schema, sb.String())
	defer rec.Release()

	enc := NewEncoder(schema)
	dst := make([]byte, 0, 1<<16)
	var size int
	for row := range rows {
		size += len(enc.AppendRow(nil, rec, row)) + 1
	}
	b.SetBytes(int64(size / rows))
	b.ReportAllocs()
	row := 0
	for b.Loop() {
		dst = enc.AppendRow(dst[:0], rec, row)
		if row++; row == rows {
			row = 0
		}
	}
}
