package arrowjson

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// document assembles an integration JSON document with one batch of rows
// rows from field and column objects given as JSON text.
func document(fields, dictionaries string, rows int, columns string) string {
	return fmt.Sprintf(`{"schema": {"fields": [%s]}, "dictionaries": [%s], "batches": [{"count": %d, "columns": [%s]}]}`,
		fields, dictionaries, rows, columns)
}

// readString reads a document held in a string.
func readString(t testing.TB, doc string, mem memory.Allocator) (*File, error) {
	t.Helper()
	return Read(strings.NewReader(doc), mem)
}

// mustRead reads a document that must be valid.
func mustRead(t testing.TB, doc string, mem memory.Allocator) *File {
	t.Helper()
	f, err := readString(t, doc, mem)
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, doc)
	}
	return f
}

// fromJSON builds an array of type dt from arrow-go's own JSON notation.
func fromJSON(t testing.TB, mem memory.Allocator, dt arrow.DataType, values string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(mem, dt, strings.NewReader(values))
	if err != nil {
		t.Fatalf("array.FromJSON(%s, %s): %v", dt, values, err)
	}
	return arr
}

// batchOf wraps columns into a batch with the given fields.
func batchOf(fields []arrow.Field, cols ...arrow.Array) arrow.RecordBatch {
	rows := int64(0)
	if len(cols) > 0 {
		rows = int64(cols[0].Len())
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, rows)
}

func checkedAllocator(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}
