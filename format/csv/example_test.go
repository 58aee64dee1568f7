package csv_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format/csv"
)

func Example() {
	data := "id;name;score;joined\n1;\"Smith; Ada\";9.5;2024-01-02\n2;Bo;;2024-03-04\n"
	r, err := csv.Open(strings.NewReader(data), int64(len(data)), csv.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Printf("delimiter %q\n", r.Delimiter())
	for _, f := range r.Schema().Fields() {
		fmt.Printf("%s: %s\n", f.Name, f.Type)
	}
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.Column(1).ValueStr(0), rec.Column(2).IsNull(1))
	}
	// Output:
	// delimiter ';'
	// id: int64
	// name: utf8
	// score: float64
	// joined: date32
	// Smith; Ada true
}

func ExampleNewWriter() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	data := "text,tags\n\"hello, world\",\"[\"\"a\"\",\"\"b\"\"]\"\n,[]\n\"\",\n"
	r, err := csv.Open(strings.NewReader(data), int64(len(data)), csv.Options{Schema: schema})
	if err != nil {
		log.Fatal(err)
	}
	w, err := csv.NewWriter(os.Stdout, schema, csv.WriteOptions{Delimiter: '\t'})
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
	// Output:
	// text	tags
	// hello, world	"[""a"",""b""]"
	// 	[]
	// ""
}
