package dataset

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// accessTestSchema is the fixture of the random-access tests: nulls in every
// nullable column, nested types, several shards of several chunks.
var accessTestSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "emb", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32), Nullable: true},
	{Name: "meta", Type: arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	), Nullable: true},
}, nil)

// accessFixture describes the shards written: rows per shard, and rows
// per chunk (IPC batch or Parquet row group).
type accessFixture struct {
	format    string // "arrow-file", "arrow-stream", "parquet"
	shardRows []int
	chunkRows int
}

var accessFixtures = []accessFixture{
	{"arrow-file", []int{250, 0, 97, 400}, 64},
	{"arrow-stream", []int{130, 301, 1}, 50},
	{"parquet", []int{300, 155, 200}, 70},
}

// writeAccessShards writes the fixture's shards into a new directory. Row
// id is its global index, and every other value derives from it.
func writeAccessShards(t testing.TB, fx accessFixture) string {
	t.Helper()
	dir := t.TempDir()
	id := 0
	for s, rows := range fx.shardRows {
		ext := ".arrow"
		if fx.format == "parquet" {
			ext = ".parquet"
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%02d%s", s, ext)))
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		switch fx.format {
		case "arrow-file":
			w, err = ipc.NewFileWriter(f, accessTestSchema, ipc.WriteOptions{})
		case "arrow-stream":
			w, err = ipc.NewStreamWriter(f, accessTestSchema, ipc.WriteOptions{})
		case "parquet":
			w, err = parquet.NewWriter(f, accessTestSchema, parquet.WriteOptions{RowGroupRows: int64(fx.chunkRows)})
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < rows; off += fx.chunkRows {
			n := min(fx.chunkRows, rows-off)
			rec := accessBatch(memory.DefaultAllocator, id, n)
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			id += n
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// accessBatch builds rows [first, first+n) of the fixture.
func accessBatch(mem memory.Allocator, first, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, accessTestSchema)
	defer b.Release()
	for i := first; i < first+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%7 == 3 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float32Builder).Append(float32(i) / 4)
		}
		if i%5 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(strings.Repeat(fmt.Sprint(i), 1+i%4))
		}
		if i%11 == 0 {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.BooleanBuilder).Append(i%3 == 0)
		}
		tags := b.Field(4).(*array.ListBuilder)
		if i%13 == 0 {
			tags.AppendNull()
		} else {
			tags.Append(true)
			for j := range i % 4 {
				if j == 2 {
					tags.ValueBuilder().AppendNull()
					continue
				}
				tags.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprintf("t%d", i+j))
			}
		}
		emb := b.Field(5).(*array.FixedSizeListBuilder)
		if i%17 == 0 {
			emb.AppendNull()
		} else {
			emb.Append(true)
			for j := range 3 {
				emb.ValueBuilder().(*array.Float32Builder).Append(float32(i*3 + j))
			}
		}
		meta := b.Field(6).(*array.StructBuilder)
		if i%19 == 0 {
			meta.AppendNull()
		} else {
			meta.Append(true)
			if i%2 == 0 {
				meta.FieldBuilder(0).AppendNull()
			} else {
				meta.FieldBuilder(0).(*array.Int32Builder).Append(int32(-i))
			}
			meta.FieldBuilder(1).(*array.LargeStringBuilder).Append(fmt.Sprintf("m%d", i))
		}
	}
	return b.NewRecordBatch()
}

// referenceRows reads every row of the base dataset in order, as text:
// the straightforward answer random access must agree with.
func referenceRows(t testing.TB, ds *Dataset) []string {
	t.Helper()
	var out []string
	for r, err := range ds.Rows(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.String())
	}
	if int64(len(out)) != ds.Len() {
		t.Fatalf("scanned %d rows, Len says %d", len(out), ds.Len())
	}
	return out
}

// openAccess opens a fixture with a checked allocator, its reference rows,
// and a cleanup that closes the dataset and checks for leaks.
func openAccess(t *testing.T, fx accessFixture) (*Dataset, []string) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	dir := writeAccessShards(t, fx)
	ds, err := Open(context.Background(), dir, WithAllocator(mem), WithBatchRows(32))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ds.Close(); err != nil {
			t.Error(err)
		}
		mem.AssertSize(t, 0)
	})
	return ds, referenceRows(t, ds)
}

func TestRowMatchesScan(t *testing.T) {
	ctx := context.Background()
	for _, fx := range accessFixtures {
		t.Run(fx.format, func(t *testing.T) {
			ds, want := openAccess(t, fx)
			rng := rand.New(rand.NewPCG(1, 2))
			order := rng.Perm(len(want))
			order = append(order, 0, len(want)-1, 0) // ends, and a repeat
			for _, i := range order {
				r, err := ds.Row(ctx, int64(i))
				if err != nil {
					t.Fatal(err)
				}
				if got := r.String(); got != want[i] {
					t.Fatalf("Row(%d) = %s, want %s", i, got, want[i])
				}
				r.Release()
			}
			for _, i := range []int64{-1, ds.Len()} {
				if _, err := ds.Row(ctx, i); !errors.Is(err, ErrOutOfRange) {
					t.Errorf("Row(%d): err = %v, want ErrOutOfRange", i, err)
				}
			}
		})
	}
}

// Rows stay valid after the cache evicted their chunk and after Close.
func TestRowOutlivesCacheAndClose(t *testing.T) {
	ctx := context.Background()
	for _, fx := range accessFixtures {
		t.Run(fx.format, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ds, err := Open(ctx, writeAccessShards(t, fx), WithAllocator(mem))
			if err != nil {
				t.Fatal(err)
			}
			want := referenceRows(t, ds)
			a, _ := ds.access()
			a.cache.mu.Lock()
			a.cache.maxChunks = 1 // every new chunk evicts the last
			a.cache.mu.Unlock()
			var rows []Row
			for i := range want {
				r, err := ds.Row(ctx, int64(i))
				if err != nil {
					t.Fatal(err)
				}
				rows = append(rows, r)
			}
			if n, _ := a.cache.stats(); n != 1 {
				t.Errorf("cache holds %d chunks, bound 1", n)
			}
			if err := ds.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := ds.Row(ctx, 0); err == nil {
				t.Error("Row after Close: no error")
			}
			for i, r := range rows {
				if got := r.String(); got != want[i] {
					t.Fatalf("row %d after Close = %s, want %s", i, got, want[i])
				}
				r.Release()
			}
		})
	}
}

func TestTakeMatchesScan(t *testing.T) {
	ctx := context.Background()
	for _, fx := range accessFixtures {
		t.Run(fx.format, func(t *testing.T) {
			ds, want := openAccess(t, fx)
			n := len(want)
			rng := rand.New(rand.NewPCG(3, 4))
			cases := map[string][]int64{
				"empty":      {},
				"one":        {int64(n / 2)},
				"sorted":     seqRows(0, int64(n)),
				"reversed":   reversed(seqRows(0, int64(n))),
				"repeats":    {5, 5, 5, int64(n - 1), 0, 5},
				"chunk edge": {63, 64, 65, 249, 250, 251},
			}
			for k := range 5 {
				idx := make([]int64, rng.IntN(3*n))
				for i := range idx {
					idx[i] = rng.Int64N(int64(n))
				}
				cases[fmt.Sprint("random ", k)] = idx
			}
			for name, idx := range cases {
				t.Run(name, func(t *testing.T) {
					b, err := ds.Take(ctx, idx)
					if err != nil {
						t.Fatal(err)
					}
					defer b.Release()
					checkBatchRows(t, b, want, idx)
				})
			}
			if _, err := ds.Take(ctx, []int64{0, int64(n)}); !errors.Is(err, ErrOutOfRange) {
				t.Errorf("Take out of range: err = %v", err)
			}
		})
	}
}

// checkBatchRows checks that batch b holds rows idx of want, in order, and
// has the dataset's schema.
func checkBatchRows(t *testing.T, b arrow.RecordBatch, want []string, idx []int64) {
	t.Helper()
	if b.NumRows() != int64(len(idx)) {
		t.Fatalf("%d rows, want %d", b.NumRows(), len(idx))
	}
	if !b.Schema().Equal(accessTestSchema) {
		t.Fatalf("schema %s", b.Schema())
	}
	for k, i := range idx {
		if got := NewRow(b, k).String(); got != want[i] {
			t.Fatalf("row %d (index %d) = %s, want %s", k, i, got, want[i])
		}
	}
}

func seqRows(lo, hi int64) []int64 {
	out := make([]int64, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func reversed(s []int64) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// viewCase is a view and the base rows it must yield.
type viewCase struct {
	name string
	make func(ds *Dataset) (*Dataset, error)
}

func accessViews(n int64, rng *rand.Rand) []viewCase {
	perm := make([]int64, n)
	for i, p := range rng.Perm(int(n)) {
		perm[i] = int64(p)
	}
	sparse := []int64{}
	for i := int64(0); i < n; i += 1 + rng.Int64N(5) {
		sparse = append(sparse, i)
	}
	// Runs long enough to be sliced, between scattered rows.
	runs := append(append(seqRows(10, 10+minSliceRows+40), 3, n-1, 7), seqRows(n-minSliceRows-1, n)...)
	return []viewCase{
		{"shard contiguous", func(ds *Dataset) (*Dataset, error) { return ds.Shard(3, 1, true) }},
		{"shard strided", func(ds *Dataset) (*Dataset, error) { return ds.Shard(4, 3, false) }},
		{"select permutation", func(ds *Dataset) (*Dataset, error) { return ds.Select(perm) }},
		{"select sparse sorted", func(ds *Dataset) (*Dataset, error) { return ds.Select(sparse) }},
		{"select runs", func(ds *Dataset) (*Dataset, error) { return ds.Select(runs) }},
		{"select contiguous", func(ds *Dataset) (*Dataset, error) { return ds.Select(seqRows(5, n-5)) }},
		{"select empty", func(ds *Dataset) (*Dataset, error) { return ds.Select(nil) }},
		{"shuffle", func(ds *Dataset) (*Dataset, error) { return ds.Shuffle(42) }},
		{"filter runs", func(ds *Dataset) (*Dataset, error) {
			// Long stretches kept and dropped: a map of runs.
			return ds.Filter(context.Background(), func(r Row) (bool, error) {
				id, err := Get[int64](r, "id")
				return id%700 < 400, err
			})
		}},
		{"shard of select", func(ds *Dataset) (*Dataset, error) {
			v, err := ds.Select(perm)
			if err != nil {
				return nil, err
			}
			defer v.Close()
			return v.Shard(2, 0, false)
		}},
	}
}

// viewBase lists the base rows of a view.
func viewBase(v *Dataset) []int64 {
	out := make([]int64, v.Len())
	for i := range out {
		out[i] = int64(i)
		if v.rows != nil {
			out[i] = v.rows.At(int64(i))
		}
	}
	return out
}

func TestViewScansMatchScan(t *testing.T) {
	ctx := context.Background()
	for _, fx := range accessFixtures {
		t.Run(fx.format, func(t *testing.T) {
			ds, want := openAccess(t, fx)
			rng := rand.New(rand.NewPCG(5, 6))
			for _, vc := range accessViews(ds.Len(), rng) {
				t.Run(vc.name, func(t *testing.T) {
					v, err := vc.make(ds)
					if err != nil {
						t.Fatal(err)
					}
					defer v.Close()
					base := viewBase(v)
					var got []string
					for r, err := range v.Rows(ctx, nil) {
						if err != nil {
							t.Fatal(err)
						}
						got = append(got, r.String())
					}
					if len(got) != len(base) {
						t.Fatalf("%d rows, want %d", len(got), len(base))
					}
					for i, b := range base {
						if got[i] != want[b] {
							t.Fatalf("row %d (base %d) = %s, want %s", i, b, got[i], want[b])
						}
					}
					// Row and Take on the view agree with its scan.
					if len(base) > 0 {
						r, err := v.Row(ctx, int64(len(base)-1))
						if err != nil {
							t.Fatal(err)
						}
						if r.String() != got[len(got)-1] {
							t.Errorf("Row(last) = %s, want %s", r, got[len(got)-1])
						}
						r.Release()
					}
					idx := reversed(seqRows(0, int64(len(base))))
					b, err := v.Take(ctx, idx)
					if err != nil {
						t.Fatal(err)
					}
					checkBatchRows(t, b, want, reversedBase(base))
					b.Release()
					checkProjectedView(t, v, ds, base)
				})
			}
		})
	}
}

func reversedBase(base []int64) []int64 { return reversed(base) }

// checkProjectedView scans v onto two columns in a new order, with fixed
// batch sizes, and compares with the base dataset's rows.
func checkProjectedView(t *testing.T, v, ds *Dataset, base []int64) {
	t.Helper()
	ctx := context.Background()
	cols := []string{"meta", "id"}
	want := make(map[int64]string)
	for r, err := range ds.Rows(ctx, &ScanOptions{Columns: cols}) {
		if err != nil {
			t.Fatal(err)
		}
		id, _ := Get[int64](r, "id")
		want[id] = r.String()
	}
	i := 0
	for b, err := range v.Batches(ctx, &ScanOptions{Columns: cols, BatchRows: 40}) {
		if err != nil {
			t.Fatal(err)
		}
		if b.NumCols() != 2 || b.Schema().Field(0).Name != "meta" {
			t.Fatalf("projected batch has schema %s", b.Schema())
		}
		for k := range int(b.NumRows()) {
			if got := NewRow(b, k).String(); got != want[base[i]] {
				t.Fatalf("projected row %d = %s, want %s", i, got, want[base[i]])
			}
			i++
		}
	}
	if i != len(base) {
		t.Fatalf("projected scan gave %d rows, want %d", i, len(base))
	}
}

// A contiguous view of a memory-mapped Arrow dataset yields batches whose
// buffers point into the mapping, and so do long runs of other views.
func TestViewScanZeroCopy(t *testing.T) {
	ctx := context.Background()
	ds, _ := openAccess(t, accessFixture{"arrow-stream", []int{700, 900}, 300})
	inMapping := func(b arrow.RecordBatch) bool {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(b.Column(0).Data().Buffers()[1].Bytes())))
		for _, sf := range ds.files.shards {
			m := mappedBytes(sf)
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
			if p >= lo && p < lo+uintptr(len(m)) {
				return true
			}
		}
		return false
	}
	run := append(seqRows(0, 5), seqRows(1000, 1300)...) // 5 scattered-ish rows, then a long run
	for _, tt := range []struct {
		name string
		view func() (*Dataset, error)
		want []bool // zero-copy, per batch
	}{
		{"contiguous shard", func() (*Dataset, error) { return ds.Shard(2, 1, true) }, []bool{true, true, true}},
		{"contiguous select", func() (*Dataset, error) { return ds.Select(seqRows(650, 950)) }, []bool{true, true}},
		{"long run", func() (*Dataset, error) { return ds.Select(append(reversed(seqRows(0, 5)), run[5:]...)) }, []bool{false, true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.view()
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			var got []bool
			for b, err := range v.Batches(ctx, nil) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, inMapping(b))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("zero-copy per batch %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRandomAccessJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.jsonl")
	if err := os.WriteFile(path, []byte("{\"a\": 1}\n{\"a\": 2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ds, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	if _, err := ds.Row(ctx, 0); !errors.Is(err, ErrNoRandomAccess) {
		t.Errorf("Row: err = %v, want ErrNoRandomAccess", err)
	}
	if _, err := ds.Take(ctx, []int64{0}); !errors.Is(err, ErrNoRandomAccess) {
		t.Errorf("Take: err = %v, want ErrNoRandomAccess", err)
	}
}

func TestRowConcurrent(t *testing.T) {
	ctx := context.Background()
	ds, want := openAccess(t, accessFixtures[2])
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for range 300 {
				i := rng.IntN(len(want))
				r, err := ds.Row(ctx, int64(i))
				if err != nil {
					errs <- err
					return
				}
				if r.String() != want[i] {
					errs <- fmt.Errorf("Row(%d) = %s, want %s", i, r, want[i])
				}
				r.Release()
			}
			b, err := ds.Take(ctx, []int64{int64(w), int64(len(want) - 1 - w)})
			if err != nil {
				errs <- err
				return
			}
			b.Release()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestAccessCanceled(t *testing.T) {
	ds, _ := openAccess(t, accessFixtures[2])
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ds.Row(ctx, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Row: err = %v", err)
	}
	if _, err := ds.Take(ctx, []int64{1, 2}); !errors.Is(err, context.Canceled) {
		t.Errorf("Take: err = %v", err)
	}
	v, err := ds.Select([]int64{4, 2})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, err := range v.Batches(ctx, nil) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("view scan: err = %v", err)
		}
	}
}

// With a tiny cache, Take gathers in parts (each holding at most the
// cache's budget of chunks) and joins them, and view scans flush early:
// the results do not change, and nothing leaks.
func TestGatherWithinBudget(t *testing.T) {
	ctx := context.Background()
	for _, fx := range accessFixtures {
		t.Run(fx.format, func(t *testing.T) {
			ds, want := openAccess(t, fx)
			a, err := ds.access()
			if err != nil {
				t.Fatal(err)
			}
			a.cache.mu.Lock()
			a.cache.maxChunks, a.cache.maxBytes = 2, 1
			a.cache.mu.Unlock()
			rng := rand.New(rand.NewPCG(7, 8))
			idx := make([]int64, 300)
			for i := range idx {
				idx[i] = rng.Int64N(int64(len(want)))
			}
			b, err := ds.Take(ctx, idx)
			if err != nil {
				t.Fatal(err)
			}
			checkBatchRows(t, b, want, idx)
			b.Release()
			v, err := ds.Select(idx)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			k := 0
			for r, err := range v.Rows(ctx, nil) {
				if err != nil {
					t.Fatal(err)
				}
				if r.String() != want[idx[k]] {
					t.Fatalf("view row %d = %s, want %s", k, r, want[idx[k]])
				}
				k++
			}
			if k != len(idx) {
				t.Fatalf("view gave %d rows, want %d", k, len(idx))
			}
		})
	}
}

// A chunk whose body is corrupt fails Row, Take and view scans with an
// ErrCorrupt error naming the file, and the other chunks still read.
func TestRandomAccessCorruptChunk(t *testing.T) {
	ctx := context.Background()
	dir := writeAccessShards(t, accessFixture{"arrow-file", []int{400}, 64})
	path := filepath.Join(dir, "part-00.arrow")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The text offsets of the chunk of rows 192-255 start 0, 3, 9, 18, 18,
	// 21 ("192", "193193", "194194194", null, "196"); point the third past
	// the data.
	pattern := arrow.Int32Traits.CastToBytes([]int32{0, 3, 9, 18, 18, 21})
	at := strings.Index(string(data), string(pattern))
	if at < 0 {
		t.Fatal("offsets of the text column not found")
	}
	copy(data[at+8:], []byte{0xff, 0xff, 0xff, 0x7f})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ds, err := Open(ctx, dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	isCorrupt := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "part-00.arrow") {
			t.Errorf("%s: err = %v, want ErrCorrupt naming the file", what, err)
		}
	}
	if r, err := ds.Row(ctx, 193); err == nil {
		r.Release()
		t.Error("Row: no error")
	} else {
		isCorrupt("Row", err)
	}
	if b, err := ds.Take(ctx, []int64{0, 200}); err == nil {
		b.Release()
		t.Error("Take: no error")
	} else {
		isCorrupt("Take", err)
	}
	v, err := ds.Select([]int64{5, 250, 7})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var errs int
	for _, err := range v.Batches(ctx, nil) {
		if err != nil {
			isCorrupt("view scan", err)
			errs++
		}
	}
	if errs != 1 {
		t.Errorf("view scan yielded %d errors, want 1", errs)
	}
	r, err := ds.Row(ctx, 300)
	if err != nil {
		t.Fatalf("a sound chunk: %v", err)
	}
	if id, _ := Get[int64](r, "id"); id != 300 {
		t.Errorf("Row(300) has id %d", id)
	}
	r.Release()
}

// A concatenation borrows its parts' files; random access over it reads
// them through its own cache, and closing everything leaks nothing.
func TestRandomAccessConcatenated(t *testing.T) {
	ctx := context.Background()
	a, wantA := openAccess(t, accessFixtures[0])
	b, wantB := openAccess(t, accessFixtures[2])
	sb, err := b.Shard(2, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	c, err := Concatenate(a, sb)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var want []string
	want = append(want, wantA...)
	for i := 1; i < len(wantB); i += 2 {
		want = append(want, wantB[i])
	}
	if c.Len() != int64(len(want)) {
		t.Fatalf("Len %d, want %d", c.Len(), len(want))
	}
	idx := reversed(seqRows(0, c.Len()))
	out, err := c.Take(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	checkBatchRows(t, out, want, idx)
	out.Release()
	for _, i := range []int64{0, int64(len(wantA)), c.Len() - 1} {
		r, err := c.Row(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		if r.String() != want[i] {
			t.Errorf("Row(%d) = %s, want %s", i, r, want[i])
		}
		r.Release()
	}
}
