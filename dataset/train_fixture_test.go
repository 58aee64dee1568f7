package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// trainSchema is the training fixtures' schema: id is the row's global
// index plus the fixture's first id, text is derived from it, so a
// delivered batch tells which rows it holds and that their values travelled
// with them.
var trainSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// trainFixture describes shards to write.
type trainFixture struct {
	ext       string  // ".arrow" (IPC stream) or ".parquet"
	sizes     []int64 // rows of each shard; zeros allowed
	batchRows int     // IPC batches, Parquet row groups
	first     int64   // id of the first row
}

func (f trainFixture) String() string {
	return fmt.Sprintf("%s%v/%d", f.ext, f.sizes, f.batchRows)
}

func (f trainFixture) rows() int64 {
	var n int64
	for _, s := range f.sizes {
		n += s
	}
	return n
}

// write writes the shards into a new directory and returns their paths.
func (f trainFixture) write(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	id := f.first
	var paths []string
	for s, size := range f.sizes {
		path := filepath.Join(dir, fmt.Sprintf("shard-%03d%s", s, f.ext))
		paths = append(paths, path)
		file, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		if f.ext == ".parquet" {
			w, err = parquet.NewWriter(file, trainSchema, parquet.WriteOptions{RowGroupRows: int64(f.batchRows)})
		} else {
			w, err = ipc.NewStreamWriter(file, trainSchema, ipc.WriteOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := int64(0); off < size; off += int64(f.batchRows) {
			n := min(int64(f.batchRows), size-off)
			rec := trainBatch(id, n)
			id += n
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := file.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

func trainBatch(first, n int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, trainSchema)
	defer b.Release()
	for id := first; id < first+n; id++ {
		b.Field(0).(*array.Int64Builder).Append(id)
		if id%7 == 3 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(trainText(id))
		}
	}
	return b.NewRecordBatch()
}

func trainText(id int64) string { return "row " + strconv.FormatInt(id, 10) }

// open opens paths (written by write) as one dataset.
func openTrain(t testing.TB, paths []string, opts ...Option) *Dataset {
	t.Helper()
	ds, err := OpenFiles(context.Background(), paths, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ds.Close() })
	return ds
}

// trainIDs collects the ids a training stream delivers, checking that
// every row's text matches its id.
func trainIDs(t testing.TB, ds *Dataset, opts TrainOptions) []int64 {
	t.Helper()
	s, err := ds.Train(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := streamIDs(t, s)
	if int64(len(got)) != s.Len() {
		t.Fatalf("stream delivered %d samples, its Len is %d", len(got), s.Len())
	}
	return got
}

// streamIDs collects the ids of every batch of s.
func streamIDs(t testing.TB, s *TrainStream) []int64 {
	t.Helper()
	var out []int64
	for b, err := range s.Batches(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = appendIDs(t, out, b)
	}
	return out
}

func appendIDs(t testing.TB, out []int64, b arrow.RecordBatch) []int64 {
	t.Helper()
	idx := b.Schema().FieldIndices("id")
	if len(idx) == 0 {
		t.Fatalf("batch has no id column: %s", b.Schema())
	}
	ids := b.Column(idx[0]).(*array.Int64)
	var text *array.String
	if j := b.Schema().FieldIndices("text"); len(j) > 0 {
		text = b.Column(j[0]).(*array.String)
	}
	for i := range ids.Len() {
		id := ids.Value(i)
		if text != nil {
			if null := id%7 == 3; text.IsNull(i) != null || !null && text.Value(i) != trainText(id) {
				t.Fatalf("row with id %d has text %q (null %v)", id, text.Value(i), text.IsNull(i))
			}
		}
		out = append(out, id)
	}
	return out
}

// interleave takes one element of each sequence in turn, as long as they
// all have one.
func interleave(seqs [][]int64) []int64 {
	var out []int64
	for k := 0; ; k++ {
		for _, s := range seqs {
			if k >= len(s) {
				return out
			}
			out = append(out, s[k])
		}
	}
}

// randomFixture draws a small dataset: 1 to 6 shards of 0 to 700 rows.
func randomFixture(rng *rand.Rand, ext string) trainFixture {
	f := trainFixture{ext: ext, batchRows: 1 + rng.IntN(300)}
	for range 1 + rng.IntN(6) {
		size := int64(rng.IntN(700))
		if rng.IntN(5) == 0 {
			size = 0
		}
		f.sizes = append(f.sizes, size)
	}
	if f.rows() == 0 {
		f.sizes[0] = 1 + int64(rng.IntN(50))
	}
	return f
}

// randomOrder draws order options for a fixture.
func randomOrder(rng *rand.Rand, mode ShuffleMode) TrainOptions {
	return TrainOptions{
		Mode: mode, Seed: rng.Uint64(), Epoch: rng.IntN(3),
		Window: 1 + rng.IntN(400), BufferSize: 1 + rng.IntN(200),
		World: 1 + rng.IntN(5),
	}
}

var allModes = []ShuffleMode{ShuffleNone, ShuffleShards, ShuffleBlock, ShuffleGlobal, ShuffleBuffer}

func sortedCopy(s []int64) []int64 {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
