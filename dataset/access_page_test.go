package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// pagedSchema is the fixture of the page-access tests: flat columns, a
// list and a struct of one field, nulls in the nullable ones.
var pagedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "meta", Type: arrow.StructOf(arrow.Field{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), Nullable: true},
}, nil)

// pagedBatch builds rows [first, first+n) of the fixture; every value
// derives from the row's id.
func pagedBatch(mem memory.Allocator, first, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, pagedSchema)
	defer b.Release()
	for i := first; i < first+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%7 == 3 {
			b.Field(1).AppendNull()
			b.Field(2).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("row %d: %x", i, uint64(i)*0x9e3779b97f4a7c15))
			b.Field(2).(*array.Float64Builder).Append(float64(i) / 3)
		}
		lb := b.Field(3).(*array.ListBuilder)
		if i%5 == 0 {
			lb.AppendNull()
		} else {
			lb.Append(true)
			for k := range i % 4 {
				lb.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprint("t", (i+k)%11))
			}
		}
		sb := b.Field(4).(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Int32Builder).Append(int32(i % 1000))
	}
	return b.NewRecordBatch()
}

// writePagedParquet writes rows of the fixture to path in row groups of
// groupRows, with pages of about pageBytes and a page index: a file that
// rows can be read from by page.
func writePagedParquet(tb testing.TB, path string, rows, groupRows int, pageBytes int64) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	props := pq.NewWriterProperties(
		pq.WithDataPageSize(pageBytes),
		pq.WithBatchSize(256),
		pq.WithPageIndexEnabled(true),
		pq.WithCompression(compress.Codecs.Zstd),
		pq.WithMaxRowGroupLength(int64(groupRows)),
		// Unique strings: a dictionary would only grow to its limit and
		// be dropped (tome's writer drops it on the first page, by its cost check).
		pq.WithDictionaryFor("text", false),
	)
	w, err := pqarrow.NewFileWriter(pagedSchema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		tb.Fatal(err)
	}
	mem := memory.NewGoAllocator()
	for off := 0; off < rows; off += groupRows {
		b := pagedBatch(mem, off, min(groupRows, rows-off))
		err := w.Write(b)
		b.Release()
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

// windowKeys counts the page windows and whole chunks in d's cache.
func windowKeys(t *testing.T, d *Dataset) (windows, wholes int) {
	t.Helper()
	a, err := d.access()
	if err != nil {
		t.Fatal(err)
	}
	a.cache.mu.Lock()
	defer a.cache.mu.Unlock()
	for k := range a.cache.entries {
		if k.window != 0 {
			windows++
		} else {
			wholes++
		}
	}
	return windows, wholes
}

// TestRowByPage reads rows of a Parquet file with a page index at random
// and compares them with a scan; they come from page windows, not row
// groups. Then a Take caches a whole row group, and Row uses it.
func TestRowByPage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paged.parquet")
	writePagedParquet(t, path, 6000, 2500, 2048)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ds, err := Open(ctx, path, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.AssertSize(t, 0)
	defer ds.Close()
	want := referenceRows(t, ds)
	rng := rand.New(rand.NewPCG(4, 5))
	for range 300 {
		i := rng.IntN(len(want))
		r, err := ds.Row(ctx, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.String(); got != want[i] {
			t.Fatalf("Row(%d) = %s, want %s", i, got, want[i])
		}
		r.Release()
	}
	windows, wholes := windowKeys(t, ds)
	if windows < 10 || wholes != 0 {
		t.Fatalf("the cache holds %d page windows and %d row groups; want many windows and no row group", windows, wholes)
	}
	// Whole row groups, once cached, serve rows without reading pages.
	b, err := ds.Take(ctx, []int64{0, 2600, 5999})
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	_, wholes = windowKeys(t, ds)
	for _, i := range []int{1, 2601, 5998, 3000} {
		r, err := ds.Row(ctx, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.String(); got != want[i] {
			t.Fatalf("Row(%d) = %s, want %s", i, got, want[i])
		}
		r.Release()
	}
	if wholes == 0 {
		t.Skip("Take gathers without the chunk cache; the whole-chunk case is not reached")
	}
}

// TestRowByPageMatchesByChunk compares, over a projected view, rows read
// by page with rows read by row group.
func TestRowByPageMatchesByChunk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "paged.parquet")
	writePagedParquet(t, path, 3000, 1000, 1024)
	byPage, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer byPage.Close()
	byChunk, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer byChunk.Close()
	a, err := byChunk.access()
	if err != nil {
		t.Fatal(err)
	}
	a.byChunkOnly = true
	pv, err := byPage.SelectColumns("tags", "id")
	if err != nil {
		t.Fatal(err)
	}
	cv, err := byChunk.SelectColumns("tags", "id")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range rand.New(rand.NewPCG(9, 9)).Perm(3000)[:200] {
		p, err := pv.Row(ctx, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		c, err := cv.Row(ctx, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		if p.String() != c.String() {
			t.Fatalf("Row(%d): by page %s, by row group %s", i, p, c)
		}
		p.Release()
		c.Release()
	}
	if w, _ := windowKeys(t, byPage); w == 0 {
		t.Fatal("no row was read by page")
	}
	if w, _ := windowKeys(t, byChunk); w != 0 {
		t.Fatal("byChunkOnly read pages")
	}
}

// byteLog counts the requests and body bytes a handler serves.
type byteLog struct{ requests, bytes atomic.Int64 }

func (l *byteLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.requests.Add(1)
		h.ServeHTTP(byteCountingWriter{w, &l.bytes}, r)
	})
}

func (l *byteLog) take() (requests, bytes int64) {
	return l.requests.Swap(0), l.bytes.Swap(0)
}

type byteCountingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w byteCountingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// TestRowByPageOverHTTP counts what one remote Row costs: a request for
// the row group's offset indexes the first time, then a read per column
// (two when the page is not the first: the dictionary page and the page),
// and a fraction of the row group's bytes. Reading by row group
// fetches every column chunk of the row group instead.
func TestRowByPageOverHTTP(t *testing.T) {
	useRemote(t, RemoteOptions{})
	ctx := context.Background()
	dir := t.TempDir()
	writePagedParquet(t, filepath.Join(dir, "paged.parquet"), 120000, 60000, 8192)
	log := &byteLog{}
	srv := httptest.NewServer(log.wrap(http.FileServer(http.Dir(dir))))
	defer srv.Close()
	mem := memory.NewGoAllocator()
	want := func(i int) string {
		b := pagedBatch(mem, i, 1)
		defer b.Release()
		return Row{rec: b}.String()
	}

	cost := func(byChunkOnly bool, rows []int) (requests, bytes int64) {
		ds, err := Open(ctx, srv.URL+"/paged.parquet")
		if err != nil {
			t.Fatal(err)
		}
		defer ds.Close()
		a, err := ds.access()
		if err != nil {
			t.Fatal(err)
		}
		a.byChunkOnly = byChunkOnly
		log.take()
		for _, i := range rows {
			r, err := ds.Row(ctx, int64(i))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != want(i) {
				t.Fatalf("Row(%d) over HTTP = %s, want %s", i, got, want(i))
			}
			r.Release()
		}
		return log.take()
	}
	const leaves = 5 // id, text, score, tags.list.element, meta.n
	pageReq, pageBytes := cost(false, []int{65432})
	chunkReq, chunkBytes := cost(true, []int{65432})
	t.Logf("one Row over HTTP: by page %d requests, %d bytes; by row group %d requests, %d bytes", pageReq, pageBytes, chunkReq, chunkBytes)
	if pageReq > 1+2*leaves {
		t.Errorf("a Row by page took %d requests, want at most %d", pageReq, 1+2*leaves)
	}
	// The HTTP source reads small ranges in 64 KiB blocks, so a page of
	// 8 KiB costs a block or two: a third of the file (two row groups) at
	// most. (What reading by row group costs depends on how far its
	// read-ahead got, so it is logged, not compared.)
	st, err := os.Stat(filepath.Join(dir, "paged.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if pageBytes*3 > st.Size() {
		t.Errorf("a Row by page read %d bytes, more than a third of the file's %d", pageBytes, st.Size())
	}
	// Later rows pay no index read: at most two reads per column each.
	rows := []int{40000, 100, 119000, 70000}
	moreReq, _ := cost(false, append([]int{65432}, rows...))
	if limit := 1 + 2*leaves*(1+int64(len(rows))); moreReq > limit {
		t.Errorf("%d Rows by page took %d requests, want at most %d", 1+len(rows), moreReq, limit)
	}
}
