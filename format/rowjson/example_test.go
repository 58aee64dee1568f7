package rowjson_test

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tome-data/tome/format/rowjson"
)

func ExampleEncoder_AppendRow() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "text", Type: arrow.BinaryTypes.String},
		{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}},
		{Name: "tags", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64)},
	}, nil)
	st, _, err := array.FromJSON(memory.DefaultAllocator, arrow.StructOf(schema.Fields()...), strings.NewReader(`[
		{"id": 18446744073709551615, "text": "tab\there", "at": 1714566600250, "price": "19.90",
		 "tags": [{"key": "p", "value": 0.1}]},
		{"id": 2, "text": null, "at": null, "price": "-0.05", "tags": []}
	]`))
	if err != nil {
		panic(err)
	}
	defer st.Release()
	rec := array.RecordFromStructArray(st.(*array.Struct), schema)
	defer rec.Release()

	enc := rowjson.NewEncoder(schema)
	var line []byte
	for row := range int(rec.NumRows()) {
		line = enc.AppendRow(line[:0], rec, row)
		fmt.Println(string(line))
	}
	// Output:
	// {"id":18446744073709551615,"text":"tab\there","at":"2024-05-01T12:30:00.250Z","price":"19.90","tags":{"p":0.1}}
	// {"id":2,"text":null,"at":null,"price":"-0.05","tags":{}}
}

func ExampleAppendValue() {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues([]float64{0.1, 1e21, math.NaN(), math.Inf(-1)}, nil)
	b.AppendNull()
	arr := b.NewArray()
	defer arr.Release()

	for i := range arr.Len() {
		fmt.Println(string(rowjson.AppendValue(nil, arr, i)))
	}
	// Output:
	// 0.1
	// 1e+21
	// "NaN"
	// "-Infinity"
	// null
}
