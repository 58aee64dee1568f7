package ipc_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
)

// exampleStream writes two batches of a small dataset, with Hugging Face
// features in the schema metadata, as Hugging Face's .arrow files are.
func exampleStream() []byte {
	md := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info": {"features": {"text": {"dtype": "string", "_type": "Value"}, "label": {"dtype": "int64", "_type": "Value"}}}}`})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "label", Type: arrow.PrimitiveTypes.Int64},
	}, &md)
	var buf bytes.Buffer
	w, err := ipc.NewStreamWriter(&buf, schema, ipc.WriteOptions{Compression: ipc.Zstd})
	if err != nil {
		log.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, rows := range [][]string{{"good", "bad"}, {"fine"}} {
		for i, text := range rows {
			b.Field(0).(*array.StringBuilder).Append(text)
			b.Field(1).(*array.Int64Builder).Append(int64(i % 2))
		}
		batch := b.NewRecordBatch()
		if err := w.Write(batch); err != nil {
			log.Fatal(err)
		}
		batch.Release()
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func Example() {
	data := exampleStream()
	// A shard.Local would make the read zero-copy; any io.ReaderAt works.
	r, err := ipc.Open(bytes.NewReader(data), int64(len(data)), ipc.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Format(), r.NumRows(), "rows in", r.NumChunks(), "batches")
	_, hf := r.Schema().Metadata().GetValue("huggingface")
	fmt.Println("huggingface metadata:", hf)
	for batch, err := range r.Batches(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		text := batch.Column(0).(*array.String)
		label := batch.Column(1).(*array.Int64)
		for i := range int(batch.NumRows()) {
			fmt.Println(text.Value(i), label.Value(i))
		}
	}
	// Output:
	// arrow-stream 3 rows in 2 batches
	// huggingface metadata: true
	// good 0
	// bad 1
	// fine 0
}

func ExampleReader_ReadChunk() {
	data := exampleStream()
	r, err := ipc.Open(bytes.NewReader(data), int64(len(data)), ipc.Options{
		ReadOptions: format.ReadOptions{Columns: []string{"label"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println(r.Schema().Field(0).Name, "rows in chunk 1:", r.ChunkRows(1))
	for batch, err := range r.ReadChunk(context.Background(), 1) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(batch.Column(0))
	}
	// Output:
	// label rows in chunk 1: 1
	// [0]
}
