package dataset_test

import (
	"fmt"
	"log"

	"github.com/tome-data/tome/dataset"
)

func ExampleRow() {
	rec := exampleBatch()
	defer rec.Release()

	for i := range int(rec.NumRows()) {
		row := dataset.NewRow(rec, i)
		fmt.Println(row)
	}
	// Output:
	// {id: 1, text: "a cat", label: 0, embedding: [0.5 0.25 1]}
	// {id: 2, text: "a dog", label: null, embedding: [2 -1 0.125]}
}

func ExampleGet() {
	rec := exampleBatch()
	defer rec.Release()
	row := dataset.NewRow(rec, 1)

	text, err := dataset.Get[string](row, "text")
	if err != nil {
		log.Fatal(err)
	}
	label, err := dataset.Get[*int](row, "label") // a pointer tells null from zero
	if err != nil {
		log.Fatal(err)
	}
	emb, err := dataset.Get[[]float32](row, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(text, label, emb)

	_, err = dataset.Get[int](row, "text")
	fmt.Println(err)
	// Output:
	// a dog <nil> [2 -1 0.125]
	// dataset: column "text": column is utf8, cannot decode into int
}
