package arrowjson

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// decodedColumn returns column i of the file's first batch with its
// dictionaries decoded.
func decodedColumn(t *testing.T, f *File, i int, mem memory.Allocator) arrow.Array {
	t.Helper()
	arr, err := plainArray(f.Batches[0].Column(i), mem)
	if err != nil {
		t.Fatal(err)
	}
	return arr
}

func TestReadSharedDictionary(t *testing.T) {
	mem := checkedAllocator(t)
	enc := func(index string) string {
		return `"dictionary": {"id": 7, "indexType": ` + index + `, "isOrdered": true}`
	}
	doc := document(
		`{"name": "a", "type": {"name": "utf8"}, "nullable": true, "children": [], `+enc(`{"name": "int", "isSigned": false, "bitWidth": 8}`)+`},
		 {"name": "b", "type": {"name": "utf8"}, "nullable": true, "children": [], `+enc(`{"name": "int", "isSigned": true, "bitWidth": 64}`)+`}`,
		`{"id": 7, "data": {"count": 3, "columns": [{"name": "DICT7", "count": 3, "VALIDITY": [1, 0, 1], "OFFSET": [0, 1, 1, 3], "DATA": ["x", "", "yz"]}]}}`,
		3,
		`{"name": "a", "count": 3, "VALIDITY": [1, 1, 0], "DATA": [2, 1, 99]},
		 {"name": "b", "count": 3, "VALIDITY": [1, 1, 1], "DATA": ["0", "0", "2"]}`)
	f := mustRead(t, doc, mem)
	defer f.Release()

	a := f.Batches[0].Column(0).(*array.Dictionary)
	b := f.Batches[0].Column(1).(*array.Dictionary)
	wantType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String, Ordered: true}
	if !arrow.TypeEqual(a.DataType(), wantType) {
		t.Errorf("type %s, want %s", a.DataType(), wantType)
	}
	if a.Data().Dictionary() != b.Data().Dictionary() {
		t.Error("fields with the same dictionary id do not share the dictionary")
	}
	for i, tc := range []struct{ values string }{{`["yz", null, null]`}, {`["x", "x", "yz"]`}} {
		got := decodedColumn(t, f, i, mem)
		want := fromJSON(t, mem, arrow.BinaryTypes.String, tc.values)
		if !array.Equal(want, got) {
			t.Errorf("column %d decodes to %v, want %v", i, got, want)
		}
		got.Release()
		want.Release()
	}
}

// TestReadNestedDictionary reads a dictionary whose values are lists of
// another dictionary's indices, as generated_nested_dictionary does.
func TestReadNestedDictionary(t *testing.T) {
	mem := checkedAllocator(t)
	int8Index := `{"name": "int", "isSigned": true, "bitWidth": 8}`
	doc := document(
		`{"name": "lists", "type": {"name": "list"}, "nullable": true, "children": [
			{"name": "str", "type": {"name": "utf8"}, "nullable": true, "children": [], "dictionary": {"id": 0, "indexType": `+int8Index+`, "isOrdered": false}}],
		  "dictionary": {"id": 1, "indexType": `+int8Index+`, "isOrdered": false}}`,
		`{"id": 1, "data": {"count": 2, "columns": [{"name": "DICT1", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 2, 3],
			"children": [{"name": "str", "count": 3, "VALIDITY": [1, 0, 1], "DATA": [1, 0, 0]}]}]}},
		 {"id": 0, "data": {"count": 2, "columns": [{"name": "DICT0", "count": 2, "VALIDITY": [1, 1], "OFFSET": [0, 3, 6], "DATA": ["foo", "bar"]}]}}`,
		3,
		`{"name": "lists", "count": 3, "VALIDITY": [1, 1, 0], "DATA": [1, 0, 0]}`)
	f := mustRead(t, doc, mem)
	defer f.Release()

	got := decodedColumn(t, f, 0, mem)
	defer got.Release()
	want := fromJSON(t, mem, arrow.ListOf(arrow.BinaryTypes.String), `[["foo"], ["bar", null], null]`)
	defer want.Release()
	if !array.Equal(want, got) {
		t.Errorf("decodes to %v, want %v", got, want)
	}
}

func TestReadKeepsMetadata(t *testing.T) {
	mem := checkedAllocator(t)
	doc := `{"schema": {"fields": [
		{"name": "uuids", "type": {"name": "fixedsizebinary", "byteWidth": 16}, "nullable": true, "children": [],
		 "metadata": [{"key": "ARROW:extension:name", "value": "uuid"}, {"key": "ARROW:extension:metadata", "value": "uuid-serialized"}]},
		{"name": "l", "type": {"name": "list"}, "nullable": true, "children": [
			{"name": "item", "type": {"name": "int", "isSigned": true, "bitWidth": 32}, "nullable": true, "children": [],
			 "metadata": [{"key": "odd_values", "value": "{}"}]}]}],
		"metadata": [{"key": "schema_custom_0", "value": "{}"}]},
	  "batches": []}`
	f := mustRead(t, doc, mem)
	defer f.Release()

	if got := f.Schema.Metadata().FindKey("schema_custom_0"); got < 0 {
		t.Errorf("schema metadata lost: %v", f.Schema.Metadata())
	}
	uuids := f.Schema.Field(0)
	if !arrow.TypeEqual(uuids.Type, &arrow.FixedSizeBinaryType{ByteWidth: 16}) {
		t.Errorf("extension field has type %s, want its storage type", uuids.Type)
	}
	for key, want := range map[string]string{"ARROW:extension:name": "uuid", "ARROW:extension:metadata": "uuid-serialized"} {
		if got, ok := uuids.Metadata.GetValue(key); !ok || got != want {
			t.Errorf("metadata %s = %q, want %q", key, got, want)
		}
	}
	item := f.Schema.Field(1).Type.(*arrow.ListType).ElemField()
	if got, ok := item.Metadata.GetValue("odd_values"); !ok || got != "{}" {
		t.Errorf("child field metadata lost: %v", item.Metadata)
	}
	if len(f.Batches) != 0 {
		t.Errorf("got %d batches, want none", len(f.Batches))
	}
}
