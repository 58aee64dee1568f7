package arrowjson_test

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/arrowjson"
)

const exampleDocument = `{
  "schema": {"fields": [
    {"name": "n", "type": {"name": "int", "isSigned": true, "bitWidth": 64}, "nullable": true, "children": []}
  ]},
  "batches": [
    {"count": 3, "columns": [{"name": "n", "count": 3, "VALIDITY": [1, 0, 1], "DATA": ["1", "0", "3"]}]}
  ]
}`

func ExampleRead() {
	f, err := arrowjson.Read(strings.NewReader(exampleDocument), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	fmt.Println(f.Schema.Field(0))
	fmt.Println(f.Batches[0].Column(0))
	// Output:
	// n: type=int64, nullable
	// [1 (null) 3]
}

func ExampleCompareBatch() {
	want, err := arrowjson.Read(strings.NewReader(exampleDocument), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer want.Release()

	// A batch as some reader under test might return it, wrong in row 2.
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]int64{1, 0, 4}, []bool{true, false, true})
	col := b.NewArray()
	defer col.Release()
	got := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil), []arrow.Array{col}, 3)
	defer got.Release()

	fmt.Println(arrowjson.CompareBatch(want.Batches[0], got))
	// Output:
	// arrowjson: batches differ: column "n" row 2: got 4, want 3
}
