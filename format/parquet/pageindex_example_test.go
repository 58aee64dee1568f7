package parquet_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/parquet"
)

// Reading one row by page: PageWindow names the rows one page of each
// column holds around the row, and ReadPageWindow reads just those pages
// (tome's writer writes the page index this needs).
func ExampleReader_PageWindow() {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	batch := b.NewRecordBatch()
	defer batch.Release()
	var buf bytes.Buffer
	w, err := parquet.NewWriter(&buf, schema, parquet.WriteOptions{})
	if err != nil {
		panic(err)
	}
	if err := w.Write(batch); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	r, err := parquet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), parquet.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	const row = 617
	first, end, ok, err := r.PageWindow(ctx, 0, row)
	if err != nil || !ok {
		panic(fmt.Sprint(ok, err))
	}
	rows, err := r.ReadPageWindow(ctx, 0, first, end)
	if err != nil {
		panic(err)
	}
	defer rows.Release()
	fmt.Println("id:", rows.Column(0).(*array.Int64).Value(row-int(first)))
	// Output: id: 617
}
