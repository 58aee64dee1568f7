package jsonl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
)

func TestInfer(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		schema string
		rows   []string // canonical rows; nil to skip
	}{
		{
			name:   "scalars",
			lines:  []string{`{"b": true, "i": 1, "f": 1.5, "s": "x", "n": null}`},
			schema: "b: bool, i: int64, f: float64, s: utf8, n: null",
			rows:   []string{`{"b":true,"i":1,"f":1.5,"s":"x","n":null}`},
		},
		{
			name:   "int then float widens to float64",
			lines:  []string{`{"x": 1}`, `{"x": 2.5}`, `{"x": -3}`},
			schema: "x: float64",
			rows:   []string{`{"x":1}`, `{"x":2.5}`, `{"x":-3}`},
		},
		{
			name:   "exponent makes a float",
			lines:  []string{`{"x": 1e3}`},
			schema: "x: float64",
			rows:   []string{`{"x":1000}`},
		},
		{
			name:   "integer beyond int64 is a float",
			lines:  []string{`{"x": 1}`, `{"x": 18446744073709551616}`},
			schema: "x: float64",
		},
		{
			name:   "int64 limits stay exact",
			lines:  []string{`{"x": 9223372036854775807}`, `{"x": -9223372036854775808}`},
			schema: "x: int64",
			rows:   []string{`{"x":9223372036854775807}`, `{"x":-9223372036854775808}`},
		},
		{
			name:   "conflict keeps the JSON text of each value",
			lines:  []string{`{"x": 1}`, `{"x": "two"}`, `{"x": true}`, `{"x": {"a": [1, 2]}}`, `{"x": [ 1 ,2 ]}`, `{"x": null}`, `{"x": 1.50}`},
			schema: "x: utf8",
			rows:   []string{`{"x":"1"}`, `{"x":"two"}`, `{"x":"true"}`, `{"x":"{\"a\": [1, 2]}"}`, `{"x":"[ 1 ,2 ]"}`, `{"x":null}`, `{"x":"1.50"}`},
		},
		{
			name:   "bool and number conflict",
			lines:  []string{`{"x": false}`, `{"x": 0}`},
			schema: "x: utf8",
			rows:   []string{`{"x":"false"}`, `{"x":"0"}`},
		},
		{
			name:   "all null column has the null type",
			lines:  []string{`{"x": null, "y": 1}`, `{"y": 2}`},
			schema: "x: null, y: int64",
			rows:   []string{`{"x":null,"y":1}`, `{"x":null,"y":2}`},
		},
		{
			name:   "absent keys are null and columns keep first-seen order",
			lines:  []string{`{"b": 1}`, `{"a": "x", "b": 2}`, `{"c": true}`},
			schema: "b: int64, a: utf8, c: bool",
			rows:   []string{`{"b":1,"a":null,"c":null}`, `{"b":2,"a":"x","c":null}`, `{"b":null,"a":null,"c":true}`},
		},
		{
			name:   "nested objects are structs with the union of keys",
			lines:  []string{`{"m": {"a": 1}}`, `{"m": {"b": "x", "a": 2.5}}`, `{"m": null}`, `{"m": {}}`},
			schema: "m: struct<a: float64 nullable, b: utf8 nullable>",
			rows:   []string{`{"m":{"a":1,"b":null}}`, `{"m":{"a":2.5,"b":"x"}}`, `{"m":null}`, `{"m":{"a":null,"b":null}}`},
		},
		{
			name:   "arrays are lists of the widened element type",
			lines:  []string{`{"l": [1, 2]}`, `{"l": [3.5, null]}`, `{"l": []}`},
			schema: "l: list<item: float64, nullable>",
			rows:   []string{`{"l":[1,2]}`, `{"l":[3.5,null]}`, `{"l":[]}`},
		},
		{
			name:   "empty arrays only are lists of null",
			lines:  []string{`{"l": []}`, `{"l": null}`},
			schema: "l: list<item: null, nullable>",
		},
		{
			name:   "arrays of objects",
			lines:  []string{`{"l": [{"a": 1}, {"b": [true]}]}`},
			schema: "l: list<item: struct<a: int64 nullable, b: list<item: bool, nullable> nullable>, nullable>",
			rows:   []string{`{"l":[{"a":1,"b":null},{"a":null,"b":[true]}]}`},
		},
		{
			name:   "nested lists",
			lines:  []string{`{"l": [[1], [2, 3], []]}`},
			schema: "l: list<item: list<item: int64, nullable>, nullable>",
			rows:   []string{`{"l":[[1],[2,3],[]]}`},
		},
		{
			name:   "array and object conflict makes a string",
			lines:  []string{`{"x": [1]}`, `{"x": {"a": 1}}`},
			schema: "x: utf8",
			rows:   []string{`{"x":"[1]"}`, `{"x":"{\"a\": 1}"}`},
		},
		{
			name:   "element conflict makes string elements",
			lines:  []string{`{"l": [1, "a", [2]]}`},
			schema: "l: list<item: utf8, nullable>",
			rows:   []string{`{"l":["1","a","[2]"]}`},
		},
		{
			name:   "escaped keys",
			lines:  []string{`{"a\u00e9\"": 1}`},
			schema: `aé": int64`,
			rows:   []string{`{"aé\"":1}`},
		},
		{
			name:   "blank lines, CRLF and a byte order mark",
			lines:  []string{"\xef\xbb\xbf{\"x\": 1}\r", "", "   ", "\t{\"x\": 2}  \r"},
			schema: "x: int64",
			rows:   []string{`{"x":1}`, `{"x":2}`},
		},
		{
			name:   "no lines",
			lines:  []string{"", " "},
			schema: "",
		},
		{
			name:   "objects without keys",
			lines:  []string{`{}`, `{}`},
			schema: "",
			rows:   []string{`{}`, `{}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readString(t, lines(tt.lines...), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaString(r); got != tt.schema {
				t.Errorf("schema\n got %s\nwant %s", got, tt.schema)
			}
			if tt.rows != nil {
				if diff := cmp.Diff(tt.rows, rows); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestInferSampleSize(t *testing.T) {
	data := lines(`{"x": 1}`, `{"x": 2}`, `{"x": "three"}`)
	t.Run("value after the sample that does not fit", func(t *testing.T) {
		_, rows, err := readString(t, data, Options{InferRows: 2})
		if !errors.Is(err, format.ErrSchema) {
			t.Fatalf("err = %v, want ErrSchema", err)
		}
		for _, want := range []string{"line 3", `column "x"`, `"three"`, "int64", "first 2 lines", "InferRows"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if len(rows) != 0 {
			t.Errorf("got rows %v before the error; the batch holding the bad line must not be yielded", rows)
		}
	})
	t.Run("whole file", func(t *testing.T) {
		r, rows, err := readString(t, data, Options{InferRows: -1})
		if err != nil {
			t.Fatal(err)
		}
		if got := schemaString(r); got != "x: utf8" {
			t.Errorf("schema %s, want x: utf8", got)
		}
		if len(rows) != 3 {
			t.Errorf("got %d rows, want 3", len(rows))
		}
	})
	t.Run("key after the sample", func(t *testing.T) {
		_, _, err := readString(t, lines(`{"x": 1}`, `{"x": 2, "y": 3}`), Options{InferRows: 1})
		if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `key "y"`) || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("err = %v, want ErrSchema naming key y on line 2", err)
		}
	})
	t.Run("nested key after the sample", func(t *testing.T) {
		_, _, err := readString(t, lines(`{"m": {"a": 1}}`, `{"m": {"b": 3}}`), Options{InferRows: 1})
		if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `column "m": key "b"`) {
			t.Fatalf("err = %v, want ErrSchema naming m.b", err)
		}
	})
	t.Run("value in a null column after the sample", func(t *testing.T) {
		_, _, err := readString(t, lines(`{"x": null}`, `{"x": 1}`), Options{InferRows: 1})
		if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), "does not fit null") {
			t.Fatalf("err = %v, want ErrSchema about the null type", err)
		}
	})
	t.Run("float in an int column after the sample", func(t *testing.T) {
		_, _, err := readString(t, lines(`{"l": [1]}`, `{"l": [2, 2.5]}`), Options{InferRows: 1})
		if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), `column "l[]": value 2.5 does not fit int64`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("blank lines do not count", func(t *testing.T) {
		r, _, err := readString(t, "\n\n\n"+data, Options{InferRows: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got := schemaString(r); got != "x: utf8" {
			t.Errorf("schema %s, want x: utf8", got)
		}
	})
}
