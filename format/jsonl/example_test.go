package jsonl_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/jsonl"
)

func Example() {
	data := `{"id": 1, "text": "hello", "tags": ["a"], "score": 1}
{"id": 2, "text": "world", "tags": [], "score": 0.5, "meta": {"lang": "en"}}
`
	r, err := jsonl.Open(strings.NewReader(data), int64(len(data)), jsonl.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.Schema().Fields() {
		fmt.Printf("%s: %s\n", f.Name, f.Type)
	}
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.NumRows(), "rows")
	}
	// Output:
	// id: int64
	// text: utf8
	// tags: list<item: utf8, nullable>
	// score: float64
	// meta: struct<lang: utf8 nullable>
	// 2 rows
}

func ExampleOpen_schema() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
	}, nil)
	data := `{"at": "2024-03-01T10:00:00.250+01:00", "price": "19.90"}` + "\n"
	r, err := jsonl.Open(strings.NewReader(data), int64(len(data)), jsonl.Options{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Column(0).ValueStr(0), rec.Column(1).ValueStr(0))
	}
	// Output:
	// 2024-03-01T09:00:00.25Z 19.9
}

func ExampleOpen_error() {
	data := "{\"n\": 1}\n{\"n\": 2}\n{\"n\": \"three\"}\n"
	r, err := jsonl.Open(strings.NewReader(data), int64(len(data)), jsonl.Options{InferRows: 2, Name: "numbers.jsonl"})
	if err != nil {
		log.Fatal(err)
	}
	for _, err := range r.Batches(context.Background()) {
		if err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// numbers.jsonl: line 3: column "n": value "three" does not fit int64 (the schema was inferred from the first 2 lines; raise Options.InferRows or pass an explicit Options.Schema): format: schema mismatch
}

func ExampleNewWriter() {
	in := `{"name": "ada", "langs": ["en", "fr"]}` + "\n"
	r, err := jsonl.Open(strings.NewReader(in), int64(len(in)), jsonl.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	w, err := jsonl.NewWriter(&out, r.Schema(), jsonl.WriteOptions{Compression: format.Uncompressed})
	if err != nil {
		log.Fatal(err)
	}
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Print(out.String())
	// Output:
	// {"name":"ada","langs":["en","fr"]}
}
