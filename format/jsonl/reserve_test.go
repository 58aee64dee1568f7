package jsonl

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestSizerReservesDataMargin checks that after a batch of strings the
// next one gets room for that batch's data and a margin, in the builder
// of a list's strings too, so a slightly longer batch does not regrow.
func TestSizerReservesDataMargin(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, typ := range []arrow.DataType{arrow.BinaryTypes.String, arrow.ListOf(arrow.BinaryTypes.String)} {
		b := array.NewBuilder(mem, typ)
		z := newSizer(b)
		word := strings.Repeat("x", 37)
		const rows = 1000
		for range rows {
			switch b := b.(type) {
			case *array.StringBuilder:
				b.Append(word)
			case *array.ListBuilder:
				b.Append(true)
				b.ValueBuilder().(*array.StringBuilder).Append(word)
			}
		}
		z.record()
		b.NewArray().Release()
		z.reserve()
		sb, ok := b.(*array.StringBuilder)
		if lb, isList := b.(*array.ListBuilder); isList {
			sb, ok = lb.ValueBuilder().(*array.StringBuilder)
		}
		if !ok {
			t.Fatalf("%s: no string builder", typ)
		}
		if want := rows * len(word) * (dataMargin + 1) / dataMargin; sb.DataCap() < want {
			t.Errorf("%s: data capacity %d after reserve, want at least %d", typ, sb.DataCap(), want)
		}
		if b.Cap() < rows {
			t.Errorf("%s: capacity %d after reserve, want at least %d", typ, b.Cap(), rows)
		}
		b.Release()
	}
}
