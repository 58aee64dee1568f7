package dataset_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/ipc"
)

// writeAnimals writes a small Arrow file of two batches and returns its
// path; the caller removes dir.
func writeAnimals(dir string) string {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	path := filepath.Join(dir, "animals.arrow")
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w, err := ipc.NewFileWriter(f, schema, ipc.WriteOptions{})
	if err != nil {
		log.Fatal(err)
	}
	id := int64(100)
	for _, names := range [][]string{{"cat", "dog", "owl"}, {"bee", "elk"}} {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for _, n := range names {
			b.Field(0).(*array.Int64Builder).Append(id)
			id++
			b.Field(1).(*array.StringBuilder).Append(n)
		}
		rec := b.NewRecordBatch()
		if err := w.Write(rec); err != nil {
			log.Fatal(err)
		}
		rec.Release()
		b.Release()
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	return path
}

func ExampleDataset_Row() {
	dir, err := os.MkdirTemp("", "tome-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	ds, err := dataset.Open(ctx, writeAnimals(dir))
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()

	for _, i := range []int64{4, 0, 3} {
		row, err := ds.Row(ctx, i)
		if err != nil {
			log.Fatal(err)
		}
		name, _ := dataset.Get[string](row, "name")
		fmt.Println(i, name)
		row.Release() // the Row held its batch until now
	}
	// Output:
	// 4 elk
	// 0 cat
	// 3 bee
}

func ExampleDataset_Take() {
	dir, err := os.MkdirTemp("", "tome-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	ds, err := dataset.Open(ctx, writeAnimals(dir))
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()

	batch, err := ds.Take(ctx, []int64{4, 1, 1, 2}) // across both batches, one row twice
	if err != nil {
		log.Fatal(err)
	}
	defer batch.Release() // Take's batch is the caller's
	for i := range int(batch.NumRows()) {
		fmt.Println(dataset.NewRow(batch, i))
	}
	// Output:
	// {id: 104, name: "elk"}
	// {id: 101, name: "dog"}
	// {id: 101, name: "dog"}
	// {id: 102, name: "owl"}
}
