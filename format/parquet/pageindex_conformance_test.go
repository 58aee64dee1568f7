package parquet

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// TestPageWindowConformance reads rows by page from every Parquet file of
// the conformance suites that has a page index, and compares them with the
// same rows of the row group read whole (parquet-testing's
// alltypes_tiny_pages, the checksum and data_index files, and more). Where
// a file's row groups do not read (the bad_data directory), reading by page
// must fail cleanly too.
func TestPageWindowConformance(t *testing.T) {
	root := conformance.Dir(t)
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	indexed := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil || int64(len(data)) > 64<<20 {
			continue
		}
		r, err := Open(bytesReaderAt(data), int64(len(data)), Options{})
		if err != nil || r.NumChunks() == 0 || r.ChunkRows(0) == 0 {
			continue
		}
		_, _, ok, err := r.PageWindow(context.Background(), 0, 0)
		if !ok && err == nil {
			continue
		}
		name, _ := filepath.Rel(root, path)
		t.Run(name, func(t *testing.T) {
			if _, werr := drain(r.Batches(context.Background())); werr != nil {
				checkPageErrors(t, r)
				return
			}
			if err != nil {
				t.Fatalf("PageWindow: %v, but the row groups read", err)
			}
			indexed++
			checkWindows(t, data, Options{}, rand.New(rand.NewPCG(7, uint64(len(data)))), 25)
		})
	}
	t.Logf("%d files with a page index compared", indexed)
}

// checkPageErrors reads every row of a file whose row groups fail by page,
// and requires errors that wrap a format sentinel.
func checkPageErrors(t *testing.T, r *Reader) {
	ctx := context.Background()
	for c := range r.NumChunks() {
		for row := int64(0); row < r.ChunkRows(c); {
			first, end, ok, err := r.PageWindow(ctx, c, row)
			if err == nil && ok {
				var b interface{ Release() }
				b, err = r.ReadPageWindow(ctx, c, first, end)
				if err == nil {
					b.Release()
				}
			}
			if err != nil && !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) {
				t.Fatalf("chunk %d row %d: %v wraps no format sentinel", c, row, err)
			}
			if err != nil || !ok {
				break
			}
			row = end
		}
	}
}
