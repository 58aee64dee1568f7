package parquet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// openBytes opens an in-memory Parquet file.
func openBytes(tb testing.TB, b []byte, opts Options) *Reader {
	tb.Helper()
	r, err := Open(bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

func bytesReaderAt(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// openFile opens a Parquet file from disk, read whole into memory.
func openFile(tb testing.TB, path string, opts Options) *Reader {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return openBytes(tb, b, opts)
}

// drain reads every batch of seq and returns the row count and the first
// error, checking that an error comes last.
func drain(seq func(func(arrow.RecordBatch, error) bool)) (rows int64, err error) {
	sawErr := false
	for batch, e := range seq {
		if sawErr {
			panic("iteration continued after an error")
		}
		if e != nil {
			err, sawErr = e, true
			continue
		}
		rows += batch.NumRows()
	}
	return rows, err
}

// readTable reads every batch of r into one table the caller releases.
func readTable(tb testing.TB, r *Reader, mem memory.Allocator) arrow.Table {
	tb.Helper()
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	for batch, err := range r.Batches(context.Background()) {
		if err != nil {
			tb.Fatalf("reading: %v", err)
		}
		batch.Retain()
		batches = append(batches, batch)
	}
	return array.NewTableFromRecords(r.Schema(), batches)
}

// writeFile writes batches with opts and returns the file's bytes.
func writeFile(tb testing.TB, schema *arrow.Schema, opts WriteOptions, batches ...arrow.RecordBatch) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, schema, opts)
	if err != nil {
		tb.Fatalf("NewWriter: %v", err)
	}
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			tb.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// checkedMem returns an allocator that fails the test if anything allocated
// through it is still held when the test ends.
func checkedMem(tb testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	tb.Cleanup(func() { mem.AssertSize(tb, 0) })
	return mem
}

// deltaScratchLeak is an arrow-go v18.8.0 allocation never freed: the delta
// decoder's miniblock bit widths (parquet/internal/encoding/
// delta_bit_packing.go, deltaBitWidths). The Go allocator's garbage
// collector reclaims it; a manual allocator would leak it.
const deltaScratchLeak = "(*deltaBitPackDecoder[...]).initBlock"

// checkedMemAllowing is checkedMem, except that leaks allocated at the
// named arrow-go sites are tolerated; any other leak fails the test.
func checkedMemAllowing(tb testing.TB, sites ...string) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	tb.Cleanup(func() {
		var rec leakRecorder
		mem.AssertSize(&rec, 0)
	next:
		for _, msg := range rec.msgs {
			if !strings.HasPrefix(msg, "LEAK") {
				continue // the size total, which the listed leaks explain
			}
			site, _, _ := strings.Cut(strings.TrimPrefix(msg, "LEAK"), "\n\t\t")
			for _, s := range sites {
				if strings.Contains(site, s) {
					continue next
				}
			}
			tb.Error(msg)
		}
	})
	return mem
}

type leakRecorder struct{ msgs []string }

func (l *leakRecorder) Errorf(f string, args ...any) {
	l.msgs = append(l.msgs, fmt.Sprintf(f, args...))
}
func (l *leakRecorder) Helper() {}
