package parquet_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/parquet"
)

func Example() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"great film", "dull", "loved it"}, nil)
	b.Field(1).(*array.Int64Builder).AppendValues([]int64{1, 0, 1}, nil)
	batch := b.NewRecordBatch()
	defer batch.Release()

	// Write a zstd-compressed file (the default).
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

	// Read it back, projecting one column, two rows per batch.
	r, err := parquet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), parquet.Options{
		ReadOptions: format.ReadOptions{Columns: []string{"text"}, BatchSize: 2},
	})
	if err != nil {
		panic(err)
	}
	defer r.Close()
	fmt.Println(r.NumRows(), "rows in", r.NumChunks(), "row group")
	for batch, err := range r.Batches(context.Background()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(batch.Column(0))
	}
	// Output:
	// 3 rows in 1 row group
	// ["great film" "dull"]
	// ["loved it"]
}

func ExampleParseCompression() {
	for _, flag := range []string{"", "snappy", "lz4_raw", "none"} {
		c, err := parquet.ParseCompression(flag)
		fmt.Printf("%q -> %v %v\n", flag, c, err)
	}
	// Output:
	// "" -> zstd <nil>
	// "snappy" -> snappy <nil>
	// "lz4_raw" -> lz4 <nil>
	// "none" -> none <nil>
}
