package parquet

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// FuzzParseOffsetIndex parses arbitrary bytes as an offset index and checks
// the result against a chunk: an error or locations that pass the checks,
// never a panic or an allocation the input did not pay for.
//
//	go test ./format/parquet -run '^$' -fuzz FuzzParseOffsetIndex
func FuzzParseOffsetIndex(f *testing.F) {
	f.Add(offsetIndexBytes(f, []pageLocation{{4, 100, 0}, {104, 50, 10}}))
	f.Add(offsetIndexBytes(f, []pageLocation{{1 << 40, 1 << 30, 1 << 50}}))
	f.Add([]byte{0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x0f, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		locs, err := parseOffsetIndex(data)
		if err != nil {
			if !errors.Is(err, errOffsetIndex) {
				t.Fatalf("error %v does not wrap errOffsetIndex", err)
			}
			return
		}
		if len(locs)*minPageLocationBytes > len(data) {
			t.Fatalf("%d locations from %d bytes", len(locs), len(data))
		}
		span := chunkSpan{start: 4, end: 1 << 20, rows: 1000}
		if checkPageLocations(locs, span, 1<<16) != nil {
			return
		}
		for row := range span.rows {
			p, first, end := pageHolding(locs, row, span.rows)
			if first > row || row >= end || locs[p].firstRow != first {
				t.Fatalf("row %d: page %d holds [%d, %d)", row, p, first, end)
			}
		}
	})
}

// FuzzPageWindowIndex puts arbitrary bytes in place of a real file's first
// offset index (same length, so the footer stays valid) and reads every
// row by page: rows or an error wrapping a format sentinel.
func FuzzPageWindowIndex(f *testing.F) {
	b := randomBatch(memory.NewGoAllocator(), flatSchema(), 3000, rand.New(rand.NewPCG(8, 9)))
	defer b.Release()
	file := pagedFile(f, flatSchema(), 3000, false, true, b)
	off, locs := firstOffsetIndex(f, file)
	size := len(offsetIndexBytes(f, locs))
	f.Add(file[off : off+int64(size)])
	f.Fuzz(func(t *testing.T, index []byte) {
		data := bytes.Clone(file)
		copy(data[off:off+int64(size)], index)
		r, err := Open(bytes.NewReader(data), int64(len(data)), Options{MaxPageSize: 1 << 20, ReadOptions: format.ReadOptions{Allocator: memory.NewGoAllocator()}})
		if err != nil {
			t.Fatal(err) // the index is not part of the footer
		}
		ctx := context.Background()
		for row := int64(0); row < r.ChunkRows(0); {
			first, end, ok, err := r.PageWindow(ctx, 0, row)
			if err == nil && ok {
				var rec interface{ Release() }
				if rec, err = r.ReadPageWindow(ctx, 0, first, end); err == nil {
					rec.Release()
				}
			}
			if err != nil {
				if !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) && !errors.Is(err, format.ErrSchema) {
					t.Fatalf("row %d: %v wraps no format sentinel", row, err)
				}
				return
			}
			if !ok {
				return
			}
			row = end
		}
	})
}
