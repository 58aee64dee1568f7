package csv

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/conformance"
)

// TestConformanceParquetExpect reads the CSV files in which Apache's
// parquet-testing suite records the expected content of its delta-encoding
// files, with the Parquet file's own schema, and compares every value with
// what arrow-go's Parquet reader gets from the Parquet file. Inference on
// the same files must find the integer columns.
func TestConformanceParquetExpect(t *testing.T) {
	files := conformance.Glob(t, "parquet-testing/data/delta_*_expect.csv")
	for _, csvPath := range files {
		name := strings.TrimSuffix(filepath.Base(csvPath), "_expect.csv")
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			// arrow-go's delta decoders leak a little into the allocator, so
			// the Parquet side does not use the checked one.
			schema, want := readParquet(t, memory.NewGoAllocator(), strings.TrimSuffix(csvPath, "_expect.csv")+".parquet")
			data, err := os.ReadFile(csvPath)
			if err != nil {
				t.Fatal(err)
			}
			// The files' headers do not always spell the Parquet names
			// (" c_customer_id", "c_customer_sk:"): take the header's names
			// with the Parquet types, and the Parquet names in the rows.
			header := headerNames(t, data)
			fields := make([]arrow.Field, len(header))
			for i, f := range schema.Fields() {
				f.Name = header[i]
				fields[i] = f
			}
			got := readWith(t, mem, data, arrow.NewSchema(fields, nil), rowjson.NewEncoder(schema))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("CSV and Parquet differ (-parquet +csv):\n%.3000s", diff)
			}
			r, rows, err := readBytes(t, data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(want) {
				t.Fatalf("inferred: %d rows, want %d", len(rows), len(want))
			}
			for i, f := range schema.Fields() {
				inferred := r.Schema().Field(i).Type
				if f.Type.ID() == arrow.INT64 || f.Type.ID() == arrow.INT32 {
					if inferred.ID() != arrow.INT64 && inferred.ID() != arrow.NULL {
						t.Errorf("column %s: inferred %s for %s values", f.Name, inferred, f.Type)
					}
				}
			}
		})
	}
}

// readParquet returns the schema and the canonical rows of a Parquet file.
func readParquet(t *testing.T, mem memory.Allocator, path string) (*arrow.Schema, []string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	// Parquet metadata (the stored Arrow schema) is irrelevant here.
	schema := arrow.NewSchema(tbl.Schema().Fields(), nil)
	enc := rowjson.NewEncoder(schema)
	tr := array.NewTableReader(tbl, 1000)
	defer tr.Release()
	var rows []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for i := range int(rec.NumRows()) {
			rows = append(rows, string(enc.AppendRow(nil, rec, i)))
		}
	}
	return schema, rows
}

func headerNames(t *testing.T, data []byte) []string {
	r, err := Open(bytes.NewReader(data), int64(len(data)), Options{InferRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range r.Schema().Fields() {
		names = append(names, f.Name)
	}
	return names
}

// readWith reads data with schema and renders the rows with enc.
func readWith(t *testing.T, mem memory.Allocator, data []byte, schema *arrow.Schema, enc *rowjson.Encoder) []string {
	opts := Options{Schema: schema}
	opts.Allocator = mem
	r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for rec, err := range r.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		for i := range int(rec.NumRows()) {
			rows = append(rows, string(enc.AppendRow(nil, rec, i)))
		}
	}
	return rows
}
