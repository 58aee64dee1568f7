package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// TestConformanceHF reads the JSON Lines files of a real Hugging Face
// project and checks every value against encoding/json's reading of the
// same line, and the tokens against the Arrow file datasets made of them.
func TestConformanceHF(t *testing.T) {
	dir := conformance.Dir(t, "hf", "save_to_disk", "airbnb_ner_train_arrow_missing")
	// The struct fields are in the order their keys first occur, which
	// differs between the splits (checked with Python's json module).
	spans := map[string]string{
		"test": "text: utf8 nullable, start: int64 nullable, end: int64 nullable, pattern: int64 nullable, token_start: int64 nullable, token_end: int64 nullable, label: utf8 nullable",
		"val":  "start: int64 nullable, end: int64 nullable, token_start: int64 nullable, token_end: int64 nullable, label: utf8 nullable, text: utf8 nullable, pattern: int64 nullable",
	}
	for _, split := range []string{"test", "val"} {
		t.Run(split, func(t *testing.T) {
			path := filepath.Join(dir, split+".jsonl")
			src, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			info, err := src.Stat()
			if err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			opts := Options{}
			opts.Allocator = mem
			r, err := Open(src, info.Size(), opts)
			if err != nil {
				t.Fatal(err)
			}
			wantSchema := "tokens: list<item: utf8, nullable>, tags: list<item: utf8, nullable>, " +
				"spans: list<item: struct<" + spans[split] + ">, nullable>, text: utf8"
			if got := schemaString(r); got != wantSchema {
				t.Errorf("schema\n got %s\nwant %s", got, wantSchema)
			}
			rows, err := collect(r)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 272 {
				t.Fatalf("%d rows, want 272", len(rows))
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(bytes.NewReader(raw))
			sc.Buffer(nil, 1<<24)
			for i := 0; sc.Scan(); i++ {
				var want, got any
				if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(rows[i]), &got); err != nil {
					t.Fatal(err)
				}
				if !sameJSON(want, got) {
					t.Fatalf("line %d differs:\n want %.300s\n  got %.300s", i+1, sc.Text(), rows[i])
				}
			}
			// The same file gzip-compressed reads the same.
			packed := compress(t, format.Gzip, raw)
			_, zrows, err := readBytes(t, packed, Options{})
			if err != nil || !reflect.DeepEqual(rows, zrows) {
				t.Fatalf("gzip: %d rows, err %v", len(zrows), err)
			}
			checkTokens(t, filepath.Join(dir, split, "data-00000-of-00001.arrow"), r)
		})
	}
}

// sameJSON compares encoding/json's reading of a source line (want) with
// that of tome's canonical row (got), where keys absent from the source
// are null.
func sameJSON(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range g {
			if !sameJSON(w[k], v) {
				return false
			}
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !sameJSON(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// checkTokens compares the tokens column with the one datasets wrote to the
// split's Arrow file.
func checkTokens(t *testing.T, arrowPath string, r *Reader) {
	f, err := os.Open(arrowPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ir, err := ipc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer ir.Release()
	var want []string
	for ir.Next() {
		col := ir.RecordBatch().Column(ir.Schema().FieldIndices("tokens")[0]).(*array.List)
		for i := range col.Len() {
			want = append(want, col.ValueStr(i))
		}
	}
	var got []string
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		col := rec.Column(0).(*array.List)
		for i := range col.Len() {
			got = append(got, col.ValueStr(i))
		}
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("tokens differ from the Arrow file (%d vs %d rows)", len(want), len(got))
	}
}
