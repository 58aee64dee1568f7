package dataset_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tome-data/tome/dataset"
)

// exampleBatch builds a small batch the way a reader would yield one.
func exampleBatch() arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "label", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "embedding", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32)},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[
		{"id": 1, "text": "a cat", "label": 0, "embedding": [0.5, 0.25, 1]},
		{"id": 2, "text": "a dog", "label": null, "embedding": [2, -1, 0.125]}
	]`))
	if err != nil {
		log.Fatal(err)
	}
	return rec
}

func ExampleNewDecoder() {
	rec := exampleBatch()
	defer rec.Release()

	type Sample struct {
		ID    int64
		Text  string     `tome:"text"`
		Label *int       // nil when null
		Emb   [3]float32 `tome:"embedding"`
	}
	dec, err := dataset.NewDecoder[Sample](rec.Schema())
	if err != nil {
		log.Fatal(err)
	}
	samples, err := dec.AppendBatch(nil, rec)
	if err != nil {
		log.Fatal(err)
	}
	rec.Release() // the samples own their values
	for _, s := range samples {
		fmt.Println(s.ID, s.Text, s.Label != nil, s.Emb)
	}
	// Output:
	// 1 a cat true [0.5 0.25 1]
	// 2 a dog false [2 -1 0.125]
}

func ExampleNewDecoder_mismatch() {
	rec := exampleBatch()
	defer rec.Release()

	type Wrong struct {
		Text int64 `tome:"text"`
	}
	_, err := dataset.NewDecoder[Wrong](rec.Schema())
	fmt.Println(err)
	// Output:
	// dataset: field Text (column "text"): column is utf8, cannot decode into int64
}

func ExampleDecoder_Decode() {
	rec := exampleBatch()
	defer rec.Release()

	dec, err := dataset.NewDecoder[map[string]any](rec.Schema())
	if err != nil {
		log.Fatal(err)
	}
	var row map[string]any
	if err := dec.Decode(rec, 1, &row); err != nil {
		log.Fatal(err)
	}
	fmt.Println(row["text"], row["label"], row["embedding"])
	// Output:
	// a dog <nil> [2 -1 0.125]
}
