package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pgo "github.com/parquet-go/parquet-go"
	pgozstd "github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// The fast path must give exactly the batches the general path gives. These
// tests read files both ways and compare batch by batch, value by value:
// every conformance file, and random data written by tome's writer,
// pqarrow's and parquet-go's with many pages, dictionary fallback, both
// page versions and several row groups.

// readBatches reads every batch of data, retained; the caller releases them.
func readBatches(data []byte, opts Options) ([]arrow.RecordBatch, *arrow.Schema, int, error) {
	r, err := Open(bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return nil, nil, 0, err
	}
	defer r.Close()
	var out []arrow.RecordBatch
	for b, err := range r.Batches(context.Background()) {
		if err != nil {
			return out, r.Schema(), 0, err
		}
		b.Retain()
		out = append(out, b)
	}
	return out, r.Schema(), fastColumnCount(r), nil
}

// fastColumnCount is how many of r's columns take the fast path in the
// first row group.
func fastColumnCount(r *Reader) int {
	if r.NumChunks() == 0 {
		return 0
	}
	n := 0
	for _, c := range r.cols {
		if _, ok := planFast(r.file.MetaData(), r.rowGroups[0], c); ok {
			n++
		}
	}
	return n
}

// checkSameReads reads data fast and general and compares; it returns how
// many columns took the fast path. The fast path reads twice: under a
// checked allocator, and under Go's own, whose value buffers are not
// cleared (nozero.go) and are poisoned in tests, so that a byte the
// decoder reserves and never writes shows as a difference.
func checkSameReads(t *testing.T, data []byte, opts Options) int {
	t.Helper()
	// arrow-go's delta decoders leak scratch (see deltaScratchLeak); the
	// fast path leaves those encodings to it.
	mem := checkedMemAllowing(t, deltaScratchLeak)
	opts.Allocator = mem
	general := opts
	general.GeneralPath = true
	want, wantSchema, _, werr := readBatches(data, general)
	defer releaseAll(want)
	fast := 0
	for _, alloc := range []memory.Allocator{mem, memory.NewGoAllocator()} {
		opts.Allocator = alloc
		got, gotSchema, n, gerr := readBatches(data, opts)
		defer releaseAll(got)
		fast = n
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("general path: %v; fast path: %v", werr, gerr)
		}
		if werr != nil {
			if !errorsAgree(werr, gerr) {
				t.Fatalf("general path: %v; fast path: %v (different classes)", werr, gerr)
			}
			continue
		}
		if !wantSchema.Equal(gotSchema) {
			t.Fatalf("schemas differ:\n%v\n%v", wantSchema, gotSchema)
		}
		checkSameBatches(t, want, got)
	}
	return fast
}

// checkSameBatches fails unless got holds exactly the values of want, batch
// by batch, in valid arrays.
func checkSameBatches(t *testing.T, want, got []arrow.RecordBatch) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d batches, the general path gives %d", len(got), len(want))
	}
	for i := range want {
		if want[i].NumRows() != got[i].NumRows() {
			t.Fatalf("batch %d: %d rows, the general path gives %d", i, got[i].NumRows(), want[i].NumRows())
		}
		for c := range want[i].NumCols() {
			w, g := want[i].Column(int(c)), got[i].Column(int(c))
			if !sameType(w.DataType(), g.DataType()) {
				t.Fatalf("batch %d column %q: type %v, general %v", i, want[i].ColumnName(int(c)), g.DataType(), w.DataType())
			}
			// Exact equality, except that NaN equals NaN.
			if !array.ApproxEqual(w, g, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
				t.Fatalf("batch %d column %q differs:\nfast    %v\ngeneral %v", i, want[i].ColumnName(int(c)), truncate(g), truncate(w))
			}
			if v, ok := g.(interface{ ValidateFull() error }); ok && v.ValidateFull() != nil {
				err := v.ValidateFull()
				t.Fatalf("batch %d column %q: invalid array: %v", i, want[i].ColumnName(int(c)), err)
			}
		}
	}
}

func errorsAgree(a, b error) bool {
	for _, s := range []error{format.ErrCorrupt, format.ErrUnsupported, format.ErrEncrypted, format.ErrSchema, format.ErrNotData} {
		if (errorIs(a, s)) != (errorIs(b, s)) {
			return false
		}
	}
	return true
}

func TestFastEqualConformance(t *testing.T) {
	dir := conformance.Dir(t)
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no conformance files")
	}
	total := 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		if mustFail[strings.TrimPrefix(rel, "parquet-testing/")] && testing.Short() {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			data := readFileBytes(t, path)
			total += checkSameReads(t, data, Options{})
		})
	}
	t.Logf("%d files, %d columns on the fast path", len(files), total)
	if total == 0 {
		t.Fatal("no conformance column took the fast path")
	}
}

// fastSchema draws columns the fast path covers, and a few it leaves to
// the general path, flat and in lists, nullable or not.
func fastSchema(rng *rand.Rand) *arrow.Schema {
	leaves := []arrow.DataType{
		arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64,
		arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64,
		arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary, arrow.BinaryTypes.LargeBinary,
		&arrow.FixedSizeBinaryType{ByteWidth: 5}, arrow.FixedWidthTypes.Date32, arrow.FixedWidthTypes.Date64,
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, &arrow.TimestampType{Unit: arrow.Second},
		arrow.FixedWidthTypes.Time32ms, arrow.FixedWidthTypes.Time64ns, arrow.PrimitiveTypes.Int8,
		arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Uint16, arrow.FixedWidthTypes.Float16,
		&arrow.Decimal128Type{Precision: 9, Scale: 2},
	}
	n := 2 + rng.IntN(6)
	fields := make([]arrow.Field, n)
	for i := range fields {
		t := leaves[rng.IntN(len(leaves))]
		elem := arrow.Field{Name: "element", Type: t, Nullable: rng.IntN(2) == 0}
		switch rng.IntN(6) {
		case 0:
			t = arrow.ListOfField(elem)
		case 1:
			t = arrow.LargeListOfField(elem)
		case 2:
			t = arrow.FixedSizeListOfField(int32(1+rng.IntN(4)), elem)
		}
		fields[i] = arrow.Field{Name: fmt.Sprintf("f%d", i), Type: t, Nullable: rng.IntN(3) != 0}
	}
	return arrow.NewSchema(fields, nil)
}

// fastBatch is random data for schema with runs of nulls long enough to
// make all-null pages, where the fields are nullable.
func fastBatch(mem memory.Allocator, schema *arrow.Schema, n int, rng *rand.Rand) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, f := range schema.Fields() {
		for row := 0; row < n; row++ {
			if run := min(n-row, 1+rng.IntN(300)); f.Nullable && rng.IntN(40) == 0 {
				for range run {
					b.Field(i).AppendNull()
				}
				row += run - 1
				continue
			}
			appendRandom(b.Field(i), f.Nullable, rng)
		}
	}
	return b.NewRecordBatch()
}

func TestFastEqualTomeWriter(t *testing.T) {
	seeds := 16
	if testing.Short() {
		seeds = 4
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			schema := fastSchema(rng)
			b := fastBatch(memory.DefaultAllocator, schema, 500+rng.IntN(3000), rng)
			defer b.Release()
			comp := []Compression{Zstd, Snappy, LZ4, Gzip, Uncompressed}[seed%5]
			data := writeFile(t, schema, WriteOptions{Compression: comp, RowGroupRows: int64(200 + rng.IntN(2000))}, b)
			if checkSameReads(t, data, Options{ReadOptions: format.ReadOptions{BatchSize: 1 + rng.IntN(1000)}}) == 0 {
				t.Logf("no fast column in %v", schema)
			}
		})
	}
}

// TestFastEqualPqarrowWriter writes with pqarrow directly: tiny pages,
// dictionaries that overflow and fall back to PLAIN mid-chunk, both page
// versions, and several codecs.
func TestFastEqualPqarrowWriter(t *testing.T) {
	seeds := 24
	if testing.Short() {
		seeds = 6
	}
	codecs := []compress.Compression{compress.Codecs.Zstd, compress.Codecs.Snappy, compress.Codecs.Gzip,
		compress.Codecs.Lz4Raw, compress.Codecs.Uncompressed}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 11))
			schema := fastSchema(rng)
			// pqarrow alone refuses null fixed-size lists (canonical.go).
			fields := schema.Fields()
			for i := range fields {
				if fields[i].Type.ID() == arrow.FIXED_SIZE_LIST {
					fields[i].Nullable = false
				}
			}
			schema = arrow.NewSchema(fields, nil)
			b := fastBatch(memory.DefaultAllocator, schema, 500+rng.IntN(3000), rng)
			defer b.Release()
			version := pq.DataPageV1
			if seed%2 == 1 {
				version = pq.DataPageV2
			}
			props := pq.NewWriterProperties(
				pq.WithDataPageVersion(version),
				pq.WithDataPageSize(int64(64+rng.IntN(4096))),
				pq.WithDictionaryPageSizeLimit(int64(32+rng.IntN(2048))),
				pq.WithDictionaryDefault(rng.IntN(4) != 0),
				pq.WithCompression(codecs[seed%len(codecs)]),
				pq.WithMaxRowGroupLength(int64(300+rng.IntN(3000))),
				pq.WithBatchSize(int64(16+rng.IntN(512))),
			)
			var buf bytes.Buffer
			tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{b})
			defer tbl.Release()
			err := pqarrow.WriteTable(tbl, &buf, 1<<20, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
			if err != nil {
				t.Fatal(err)
			}
			checkSameReads(t, buf.Bytes(), Options{ReadOptions: format.ReadOptions{BatchSize: 1 + rng.IntN(700)}})
		})
	}
}

type pgoRow struct {
	ID     int64     `parquet:"id"`
	Label  *float32  `parquet:"label,optional"`
	Text   string    `parquet:"text,dict"`
	Note   *string   `parquet:"note,optional"`
	Flag   bool      `parquet:"flag"`
	Emb    []float32 `parquet:"emb,list"`
	Tags   []string  `parquet:"tags"`
	Counts []int32   `parquet:"counts,list"`
	Opt    *int64    `parquet:"opt,optional,dict"`
}

// TestFastEqualParquetGoWriter writes with parquet-go: its list layout,
// bare repeated columns, small pages, both page versions.
func TestFastEqualParquetGoWriter(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 2
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 13))
			rows := make([]pgoRow, 500+rng.IntN(3000))
			for i := range rows {
				r := &rows[i]
				r.ID = rng.Int64()
				if rng.IntN(4) != 0 {
					v := float32(rng.NormFloat64())
					r.Label = &v
				}
				r.Text = randomString(rng)
				if rng.IntN(3) == 0 {
					s := randomString(rng)
					r.Note = &s
				}
				r.Flag = rng.IntN(2) == 0
				for range rng.IntN(9) {
					r.Emb = append(r.Emb, float32(rng.NormFloat64()))
				}
				for range rng.IntN(3) {
					r.Tags = append(r.Tags, vocabulary[rng.IntN(len(vocabulary))])
				}
				for range rng.IntN(4) {
					r.Counts = append(r.Counts, int32(rng.IntN(100)))
				}
				if rng.IntN(2) == 0 {
					v := int64(rng.IntN(10))
					r.Opt = &v
				}
			}
			var buf bytes.Buffer
			w := pgo.NewGenericWriter[pgoRow](&buf,
				pgo.PageBufferSize(256+rng.IntN(8192)),
				pgo.DataPageVersion(1+seed%2),
				pgo.MaxRowsPerRowGroup(int64(200+rng.IntN(2000))),
				pgo.Compression(&pgozstd.Codec{}))
			if _, err := w.Write(rows); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if checkSameReads(t, buf.Bytes(), Options{ReadOptions: format.ReadOptions{BatchSize: 1 + rng.IntN(700)}}) == 0 {
				t.Fatal("no parquet-go column took the fast path")
			}
		})
	}
}

func errorIs(err, target error) bool { return errors.Is(err, target) }

func readFileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func arrayEqual(a, b arrow.Array) bool {
	return array.ApproxEqual(a, b, array.WithNaNsEqual(true), array.WithAbsTolerance(0))
}

// TestFastEqualListsSpanningPages checks lists whose levels continue from
// one DataPage (v1) into the next, which pqarrow writes when a page fills
// mid-list: the fast decoder must carry the list over the page boundary
// and across batch boundaries.
func TestFastEqualListsSpanningPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "s", Type: arrow.LargeListOf(arrow.BinaryTypes.String)},
	}, nil)
	b := fastBatch(memory.DefaultAllocator, schema, 3000, rng)
	defer b.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{b})
	defer tbl.Release()
	var buf bytes.Buffer
	props := pq.NewWriterProperties(pq.WithDataPageVersion(pq.DataPageV1), pq.WithDataPageSize(64),
		pq.WithBatchSize(16), pq.WithDictionaryDefault(false))
	if err := pqarrow.WriteTable(tbl, &buf, 1<<20, props, pqarrow.NewArrowWriterProperties()); err != nil {
		t.Fatal(err)
	}
	r := openBytes(t, buf.Bytes(), Options{})
	spans := 0
	for c := range r.cols {
		f, ok := planFast(r.file.MetaData(), 0, r.cols[c])
		if !ok {
			t.Fatalf("column %d is not on the fast path", c)
		}
		cc, err := r.file.MetaData().RowGroup(0).ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		start := cc.DataPageOffset()
		pages, err := newFastPages(buf.Bytes()[start:start+cc.TotalCompressedSize()], cc.NumValues(), cc.Compression(), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		for {
			pg, ok, err := pages.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			var levels levelReader
			if _, err := levels.reset(pg.body, pg.repEnc, f.maxRep, true, pg.numValues); err != nil {
				t.Fatal(err)
			}
			first := make([]uint8, 1)
			if err := levels.read(first); err != nil {
				t.Fatal(err)
			}
			if first[0] != 0 {
				spans++
			}
		}
	}
	if spans == 0 {
		t.Fatal("no page starts mid-list; the test needs some")
	}
	for _, batch := range []int{1, 7, 100, 5000} {
		if batch == 1 && testing.Short() {
			continue
		}
		checkSameReads(t, buf.Bytes(), Options{ReadOptions: format.ReadOptions{BatchSize: batch}})
	}
}

// TestFastEqualDelta writes DELTA_BINARY_PACKED integers and
// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY strings, and
// BYTE_STREAM_SPLIT floats and fixed-size binary, which the fast path
// decodes, with both
// page versions and small pages.
func TestFastEqualDelta(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "lb", Type: arrow.BinaryTypes.LargeBinary},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "ds", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "dl", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64l", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "fsb", Type: &arrow.FixedSizeBinaryType{ByteWidth: 5}},
	}, nil)
	encodings := map[string]pq.Encoding{
		"i32": pq.Encodings.DeltaBinaryPacked, "i64": pq.Encodings.DeltaBinaryPacked,
		"u64": pq.Encodings.DeltaBinaryPacked, "s": pq.Encodings.DeltaLengthByteArray,
		"lb": pq.Encodings.DeltaLengthByteArray, "l.list.element": pq.Encodings.DeltaBinaryPacked,
		"ds": pq.Encodings.DeltaByteArray, "dl.list.element": pq.Encodings.DeltaByteArray,
		"f32": pq.Encodings.ByteStreamSplit, "f64l.list.element": pq.Encodings.ByteStreamSplit,
		"fsb": pq.Encodings.ByteStreamSplit,
	}
	for seed := range 6 {
		rng := rand.New(rand.NewPCG(uint64(seed), 17))
		b := fastBatch(memory.DefaultAllocator, schema, 500+rng.IntN(2500), rng)
		tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{b})
		props := []pq.WriterProperty{
			pq.WithDictionaryDefault(false),
			pq.WithDataPageVersion([]pq.DataPageVersion{pq.DataPageV1, pq.DataPageV2}[seed%2]),
			pq.WithDataPageSize(int64(64 + rng.IntN(4096))),
			pq.WithMaxRowGroupLength(int64(300 + rng.IntN(3000))),
		}
		for path, enc := range encodings {
			props = append(props, pq.WithEncodingFor(path, enc))
		}
		var buf bytes.Buffer
		err := pqarrow.WriteTable(tbl, &buf, 1<<20, pq.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		tbl.Release()
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
		r := openBytes(t, buf.Bytes(), Options{})
		for leaf := range r.file.MetaData().Schema.NumColumns() {
			cc, err := r.file.MetaData().RowGroup(0).ColumnChunk(leaf)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodings[cc.PathInSchema().String()]; !slices.Contains(cc.Encodings(), want) {
				t.Fatalf("column %s: encodings %v, want %v among them", cc.PathInSchema(), cc.Encodings(), want)
			}
		}
		if n := checkSameReads(t, buf.Bytes(), Options{ReadOptions: format.ReadOptions{BatchSize: 1 + rng.IntN(900)}}); n != len(encodings) {
			t.Fatalf("%d of %d delta-encoded columns on the fast path", n, len(encodings))
		}
	}
}

// TestFastEqualListsAllPresent reads lists with no null and no empty list,
// whose windows take the path that finds list starts run by run (window,
// startsOnly), with batches ending inside windows and pages starting
// inside lists, in both page versions.
func TestFastEqualListsAllPresent(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "emb", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float32)},
		{Name: "ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	for row := range 4000 {
		for c, lb := range []*array.ListBuilder{rb.Field(0).(*array.ListBuilder), rb.Field(1).(*array.ListBuilder)} {
			lb.Append(true)
			n := 1 + rng.IntN(70)
			if row%500 < 20 {
				n = 64 // a stretch of equal lengths, as embeddings have
			}
			for j := range n {
				if c == 0 {
					lb.ValueBuilder().(*array.Float32Builder).Append(float32(row + j))
				} else {
					lb.ValueBuilder().(*array.Int64Builder).Append(int64(row * j))
				}
			}
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	for _, version := range []pq.DataPageVersion{pq.DataPageV1, pq.DataPageV2} {
		for _, pageSize := range []int64{256, 64 << 10} {
			var buf bytes.Buffer
			props := pq.NewWriterProperties(pq.WithDataPageVersion(version), pq.WithDataPageSize(pageSize),
				pq.WithDictionaryDefault(false), pq.WithCompression(compress.Codecs.Snappy))
			if err := pqarrow.WriteTable(tbl, &buf, 1500, props, pqarrow.NewArrowWriterProperties()); err != nil {
				t.Fatal(err)
			}
			for _, batch := range []int{1, 7, 100, 5000} {
				if batch == 1 && testing.Short() {
					continue
				}
				if n := checkSameReads(t, buf.Bytes(), Options{ReadOptions: format.ReadOptions{BatchSize: batch}}); n != 2 {
					t.Fatalf("%d columns on the fast path, want 2", n)
				}
			}
		}
	}
}
