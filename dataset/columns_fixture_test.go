package dataset

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// The fixture of the transformation tests: row r has
//
//	id     int64    r
//	label  int64    r % 3, a ClassLabel (neg, neu, pos) in the "huggingface" metadata
//	text   string   "t<r>", null when r % 7 == 3
//	score  float32  r / 2
//
// so that a row's id tells which base row it is.
var fixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Int64},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float32},
}, nil)

var fixtureFeatures = &hf.Features{Fields: []hf.Field{
	{Name: "id", Feature: hf.Value("int64")},
	{Name: "label", Feature: hf.ClassLabel("neg", "neu", "pos")},
	{Name: "text", Feature: hf.Value("string")},
	{Name: "score", Feature: hf.Value("float32")},
}}

// fixture describes fixture files to write.
type fixture struct {
	ext       string // ".arrow" (IPC stream) or ".parquet"
	shards    int
	rows      int // per shard
	batchRows int // IPC batches, Parquet row groups
	first     int64
	noHF      bool // leave out the "huggingface" metadata
}

// write writes the fixture's shards into dir and returns their paths.
func (f fixture) write(t testing.TB, dir string) []string {
	t.Helper()
	schema := fixtureSchema
	if !f.noHF {
		schema = hf.WithFeatures(schema, fixtureFeatures)
	}
	var paths []string
	r := f.first
	for s := range f.shards {
		path := filepath.Join(dir, fmt.Sprintf("part-%03d%s", s, f.ext))
		file, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		if f.ext == ".parquet" {
			w, err = parquet.NewWriter(file, schema, parquet.WriteOptions{RowGroupRows: int64(f.batchRows)})
		} else {
			w, err = ipc.NewStreamWriter(file, schema, ipc.WriteOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < f.rows; off += f.batchRows {
			n := min(f.batchRows, f.rows-off)
			b := fixtureBatch(schema, r, n)
			if err := w.Write(b); err != nil {
				t.Fatal(err)
			}
			b.Release()
			r += int64(n)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := file.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// open writes the fixture into a temporary directory and opens it.
func (f fixture) open(t testing.TB, opts ...Option) *Dataset {
	t.Helper()
	ds, err := OpenFiles(context.Background(), f.write(t, t.TempDir()), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ds.Close() })
	return ds
}

func fixtureBatch(schema *arrow.Schema, first int64, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for r := first; r < first+int64(n); r++ {
		b.Field(0).(*array.Int64Builder).Append(r)
		b.Field(1).(*array.Int64Builder).Append(r % 3)
		if r%7 == 3 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("t%d", r))
		}
		b.Field(3).(*array.Float32Builder).Append(float32(r) / 2)
	}
	return b.NewRecordBatch()
}

// column reads the named column of every row as T (nil opts: all
// columns), checking each batch against the dataset's schema.
func column[T any](t testing.TB, ds *Dataset, name string, opts *ScanOptions) []T {
	t.Helper()
	var out []T
	for r, err := range ds.Rows(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		v, err := Get[T](r, name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// viewIDs is the reference for a view's rows: the ids its index map
// gives, which for the fixture are the base rows.
func viewIDs(ds *Dataset) []int64 {
	out := make([]int64, ds.Len())
	for i := range out {
		if ds.rows == nil {
			out[i] = int64(i)
		} else {
			out[i] = ds.rows.At(int64(i))
		}
	}
	return out
}

// checkedMem returns a checked allocator that must be empty when the test
// ends (after the datasets opened with it are closed).
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func fieldNamesOf(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
