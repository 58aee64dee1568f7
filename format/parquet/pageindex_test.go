package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tome-data/tome/format"
)

// pagedFile writes batches with small pages and a page index, the way a
// file that random access can use by page looks, through pqarrow so that
// the page size and version can be chosen.
func pagedFile(tb testing.TB, schema *arrow.Schema, rowGroupRows int64, v2, dict bool, batches ...arrow.RecordBatch) []byte {
	tb.Helper()
	version := pq.DataPageV1
	if v2 {
		version = pq.DataPageV2
	}
	props := pq.NewWriterProperties(
		pq.WithDataPageSize(512),
		pq.WithDictionaryPageSizeLimit(1<<20),
		pq.WithPageIndexEnabled(true),
		pq.WithDataPageVersion(version),
		pq.WithDictionaryDefault(dict),
		pq.WithCompression(compress.Codecs.Zstd),
		pq.WithMaxRowGroupLength(rowGroupRows),
	)
	var buf bytes.Buffer
	storage := storageSchema(schema)
	w, err := pqarrow.NewFileWriter(storage, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		tb.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	for _, b := range batches {
		// The Writer's canonical form: pqarrow alone refuses some valid data.
		cols := make([]arrow.Array, b.NumCols())
		for i, c := range b.Columns() {
			if cols[i], err = canonical(c, mem); err != nil {
				tb.Fatal(err)
			}
		}
		rec := array.NewRecordBatch(storage, cols, b.NumRows())
		err := w.WriteBuffered(rec)
		rec.Release()
		for _, c := range cols {
			c.Release()
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func flatSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "label", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
}

// checkWindows compares, for rows drawn at random, the page window read by
// page with the same rows of the row group read whole. It returns how many
// rows went by page.
func checkWindows(t *testing.T, data []byte, opts Options, rng *rand.Rand, draws int) int {
	t.Helper()
	ctx := context.Background()
	r := openBytes(t, data, opts)
	byPage := 0
	for c := range r.NumChunks() {
		var whole []arrow.RecordBatch
		for b, err := range r.ReadChunk(ctx, c) {
			if err != nil {
				t.Fatalf("ReadChunk(%d): %v", c, err)
			}
			b.Retain()
			whole = append(whole, b)
		}
		tbl := array.NewTableFromRecords(r.Schema(), whole)
		for _, b := range whole {
			b.Release()
		}
		rows := r.ChunkRows(c)
		for range min(int64(draws), rows) {
			row := rng.Int64N(rows)
			first, end, ok, err := r.PageWindow(ctx, c, row)
			if err != nil {
				t.Fatalf("PageWindow(%d, %d): %v", c, row, err)
			}
			if !ok {
				continue
			}
			if first > row || row >= end {
				t.Fatalf("PageWindow(%d, %d) = [%d, %d)", c, row, first, end)
			}
			got, err := r.ReadPageWindow(ctx, c, first, end)
			if err != nil {
				t.Fatalf("ReadPageWindow(%d, %d, %d): %v", c, first, end, err)
			}
			for i := range int(tbl.NumCols()) {
				want := array.NewChunkedSlice(tbl.Column(i).Data(), first, end)
				have := arrow.NewChunked(got.Column(i).DataType(), []arrow.Array{got.Column(i)})
				if !array.ChunkedApproxEqual(want, have, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
					t.Errorf("chunk %d rows [%d, %d), column %q: by page\n%v\nwhole row group\n%v",
						c, first, end, r.Schema().Field(i).Name, have, want)
				}
				want.Release()
				have.Release()
			}
			got.Release()
			byPage++
		}
		tbl.Release()
	}
	return byPage
}

func TestPageWindowEqualsRowGroup(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, v2 := range []bool{false, true} {
		for _, dict := range []bool{false, true} {
			t.Run(fmt.Sprintf("v2=%v/dict=%v", v2, dict), func(t *testing.T) {
				mem := checkedMem(t)
				b := randomBatch(mem, flatSchema(), 3000, rng)
				defer b.Release()
				data := pagedFile(t, flatSchema(), 1200, v2, dict, b)
				for _, general := range []bool{false, true} {
					opts := Options{GeneralPath: general, ReadOptions: format.ReadOptions{Allocator: mem}}
					if n := checkWindows(t, data, opts, rng, 40); n == 0 {
						t.Fatalf("GeneralPath %v: no row was read by page", general)
					}
				}
				// A window is a page, not the row group.
				r := openBytes(t, data, Options{})
				first, end, ok, err := r.PageWindow(context.Background(), 0, 600)
				if err != nil || !ok || end-first >= r.ChunkRows(0) {
					t.Fatalf("PageWindow(0, 600) = [%d, %d), %v, %v; want a window smaller than the row group's %d rows",
						first, end, ok, err, r.ChunkRows(0))
				}
			})
		}
	}
}

// TestPageWindowRandomSchemas runs the comparison over random, nested
// schemas; columns whose leaves' pages do not line up report ok == false
// and are skipped, which the test counts as passing.
func TestPageWindowRandomSchemas(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 99))
			mem := checkedMem(t)
			schema := randomSchema(rng)
			b := randomBatch(mem, schema, 700, rng)
			defer b.Release()
			data := pagedFile(t, schema, 500, seed%2 == 1, seed%3 != 0, b)
			checkWindows(t, data, Options{ReadOptions: format.ReadOptions{Allocator: mem}}, rng, 15)
			// Projected on the first column alone, more windows line up.
			opts := Options{ReadOptions: format.ReadOptions{Columns: []string{schema.Field(0).Name}, Allocator: mem}}
			checkWindows(t, data, opts, rng, 15)
		})
	}
}

func TestPageWindowWithoutIndex(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := randomBatch(mem, flatSchema(), 100, rand.New(rand.NewPCG(1, 1)))
	defer b.Release()
	var buf bytes.Buffer
	props := pq.NewWriterProperties(pq.WithPageIndexEnabled(false))
	w, err := pqarrow.NewFileWriter(flatSchema(), &buf, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := openBytes(t, buf.Bytes(), Options{})
	if _, _, ok, err := r.PageWindow(context.Background(), 0, 5); ok || err != nil {
		t.Fatalf("PageWindow without an index = %v, %v; want false, nil", ok, err)
	}
	if _, err := r.ReadPageWindow(context.Background(), 0, 0, 1); !errors.Is(err, format.ErrUnsupported) {
		t.Fatalf("ReadPageWindow without an index: %v, want ErrUnsupported", err)
	}
}

// TestPageWindowBadCalls checks the arguments are checked.
func TestPageWindowBadCalls(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := randomBatch(mem, flatSchema(), 1000, rand.New(rand.NewPCG(1, 2)))
	defer b.Release()
	r := openBytes(t, pagedFile(t, flatSchema(), 1000, false, false, b), Options{})
	ctx := context.Background()
	if _, _, _, err := r.PageWindow(ctx, 0, 1000); err == nil {
		t.Error("PageWindow past the end: no error")
	}
	if _, _, _, err := r.PageWindow(ctx, 3, 0); err == nil {
		t.Error("PageWindow of a missing chunk: no error")
	}
	if _, err := r.ReadPageWindow(ctx, 0, 0, 1000); !errors.Is(err, format.ErrSchema) {
		t.Errorf("ReadPageWindow over several pages: %v, want ErrSchema", err)
	}
	r.Close()
	if _, err := r.ReadPageWindow(ctx, 0, 0, 1); err == nil {
		t.Error("ReadPageWindow after Close: no error")
	}
}

// offsetIndexBytes serializes locations with arrow-go's own builder.
func offsetIndexBytes(tb testing.TB, locs []pageLocation) []byte {
	tb.Helper()
	var b metadata.OffsetIndexBuilder
	for _, l := range locs {
		if err := b.AddPage(l.offset, l.firstRow, l.size); err != nil {
			tb.Fatal(err)
		}
	}
	if err := b.Finish(0); err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf, nil); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseOffsetIndex(t *testing.T) {
	want := []pageLocation{{4, 100, 0}, {104, 2000, 17}, {2104, 1 << 30, 1 << 40}}
	b := offsetIndexBytes(t, want)
	got, err := parseOffsetIndex(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("parseOffsetIndex = %v, want %v", got, want)
	}
	for n := range len(b) {
		if _, err := parseOffsetIndex(b[:n]); err == nil {
			t.Errorf("parseOffsetIndex of the first %d of %d bytes: no error", n, len(b))
		}
	}
	// A list that claims more entries than its bytes can hold is refused
	// before anything is allocated for it.
	huge := []byte{0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}
	if _, err := parseOffsetIndex(huge); err == nil {
		t.Error("a list of 2^32 entries in 8 bytes: no error")
	}
	// A location without its required first_row_index.
	partial := []byte{0x19, 0x1c, 0x16, 0x08, 0x15, 0x04, 0x00, 0x00}
	if _, err := parseOffsetIndex(partial); err == nil {
		t.Error("a location missing first_row_index: no error")
	}
}

func TestCheckPageLocations(t *testing.T) {
	span := chunkSpan{start: 100, end: 400, rows: 50}
	ok := []pageLocation{{120, 100, 0}, {220, 100, 20}, {320, 80, 40}}
	if err := checkPageLocations(ok, span, 1<<20); err != nil {
		t.Fatalf("valid index: %v", err)
	}
	for name, locs := range map[string][]pageLocation{
		"empty":               {},
		"not from row 0":      {{120, 100, 1}},
		"before the chunk":    {{90, 100, 0}},
		"past the chunk":      {{120, 100, 0}, {320, 100, 20}},
		"overlapping":         {{120, 100, 0}, {200, 100, 20}},
		"rows not increasing": {{120, 100, 0}, {220, 100, 20}, {320, 80, 20}},
		"row past the end":    {{120, 100, 0}, {220, 100, 50}},
		"zero size":           {{120, 0, 0}},
		"negative size":       {{120, -5, 0}},
		"larger than a page":  {{120, 280, 0}},
	} {
		max := int64(1 << 20)
		if name == "larger than a page" {
			max = 200
		}
		if err := checkPageLocations(locs, span, max); !errors.Is(err, errOffsetIndex) {
			t.Errorf("%s: %v, want errOffsetIndex", name, err)
		}
	}
}

// TestPageWindowCorruptIndex rewrites a column's offset index in a real
// file and checks the damage is reported as ErrCorrupt.
func TestPageWindowCorruptIndex(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := randomBatch(mem, flatSchema(), 3000, rand.New(rand.NewPCG(5, 6)))
	defer b.Release()
	data := pagedFile(t, flatSchema(), 3000, false, false, b)
	off, locs := firstOffsetIndex(t, data)
	for name, mutate := range map[string]func([]pageLocation){
		"shifted offset": func(l []pageLocation) { l[1].offset += 3 },
		"row past end":   func(l []pageLocation) { l[len(l)-1].firstRow = 5000 },
		"page too large": func(l []pageLocation) { l[0].size = 1 << 30 },
	} {
		t.Run(name, func(t *testing.T) {
			bad := append([]pageLocation(nil), locs...)
			mutate(bad)
			enc := offsetIndexBytes(t, bad)
			file := spliceIndex(t, data, off, enc)
			if file == nil {
				t.Skip("the mutated index does not fit in place")
			}
			r := openBytes(t, file, Options{})
			_, _, _, err := r.PageWindow(context.Background(), 0, 10)
			if err == nil {
				// A shifted page may still be inside the chunk; then the
				// page header read there must be refused.
				first, end, _, _ := r.PageWindow(context.Background(), 0, locs[1].firstRow)
				_, err = r.ReadPageWindow(context.Background(), 0, first, end)
			}
			if !errors.Is(err, format.ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
		})
	}
}

// firstOffsetIndex returns where the first column's offset index lies in a
// file and its locations.
func firstOffsetIndex(tb testing.TB, data []byte) (int64, []pageLocation) {
	tb.Helper()
	r := openBytes(tb, data, Options{})
	loc, ok := r.file.MetaData().RowGroup(0).OffsetIndexLocation(0)
	if !ok {
		tb.Fatal("no offset index")
	}
	locs, err := parseOffsetIndex(data[loc.Offset : loc.Offset+int64(loc.Length)])
	if err != nil {
		tb.Fatal(err)
	}
	if len(locs) < 2 {
		tb.Fatalf("%d pages; the test needs two", len(locs))
	}
	return loc.Offset, locs
}

// spliceIndex writes enc over the index at off when it has the same length,
// which varint encodings of small changes usually keep.
func spliceIndex(tb testing.TB, data []byte, off int64, enc []byte) []byte {
	tb.Helper()
	_, old := firstOffsetIndex(tb, data)
	oldEnc := offsetIndexBytes(tb, old)
	if len(enc) != len(oldEnc) || !bytes.Equal(data[off:off+int64(len(oldEnc))], oldEnc) {
		return nil
	}
	out := bytes.Clone(data)
	copy(out[off:], enc)
	return out
}

// TestPageWindowCanceled checks that a canceled first load of the offset
// indexes is not remembered: the next call with a live context reads them.
func TestPageWindowCanceled(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := randomBatch(mem, flatSchema(), 3000, rand.New(rand.NewPCG(2, 3)))
	defer b.Release()
	r := openBytes(t, pagedFile(t, flatSchema(), 3000, false, true, b), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := r.PageWindow(ctx, 0, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("PageWindow with a canceled context: %v", err)
	}
	if _, _, ok, err := r.PageWindow(context.Background(), 0, 10); err != nil || !ok {
		t.Fatalf("PageWindow after a canceled one: %v, %v", ok, err)
	}
}
