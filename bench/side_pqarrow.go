package main

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The plain arrow-go anchor of workload 2: pqarrow's FileReader with
// Parallel (columns read concurrently), batches of 64 Ki rows, every value
// touched as tome's side touches them.
//
// Both run in this binary, and tome's format/parquet registers its own
// bounded page decompressors with arrow-go's codec registry at init, so
// this side decompresses pages with tome's codecs rather than arrow-go's
// stock ones (the same klauspost zstd underneath).
func init() {
	register("pqarrow-scan", func(ctx context.Context, e *env) (run, error) {
		return timedPath(ctx, e, func(c *check, path string) (string, error) {
			pf, err := file.OpenParquetFile(path, false)
			if err != nil {
				return "", err
			}
			defer pf.Close()
			fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{Parallel: true, BatchSize: 64 << 10}, memory.NewGoAllocator())
			if err != nil {
				return "", err
			}
			rr, err := fr.GetRecordReader(ctx, nil, nil)
			if err != nil {
				return "", err
			}
			defer rr.Release()
			if err := touchAll(rr, c); err != nil {
				return "", err
			}
			return fmt.Sprintf("%d row groups", pf.NumRowGroups()), nil
		})
	})
}
