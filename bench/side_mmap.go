package main

import (
	"context"
	"fmt"

	"github.com/tome-data/tome/dataset"
)

// Workload 1: a full scan of a memory-mapped Arrow IPC file against the
// floor for any scan of it, a raw sum over the mapped bytes. Both sides add
// their bytes as 64-bit words with the same loop (sumWords): tome over the
// value buffers of every column of every batch it yields (offsets, text
// bytes, ids, labels and embedding values), the anchor over the whole
// mapping. What is left between them is tome's cost of opening, indexing and
// handing out batches.
func init() {
	register("tome-mmap-words", func(ctx context.Context, e *env) (run, error) {
		return timedDataset(ctx, e, func(c *check, d *dataset.Dataset) error {
			for rec, err := range d.Batches(ctx, nil) {
				if err != nil {
					return err
				}
				c.Rows += rec.NumRows()
				c.Words += sumBatchWords(rec)
			}
			return nil
		})
	})
	register("raw-sum", func(ctx context.Context, e *env) (run, error) {
		return timedPath(ctx, e, func(c *check, path string) (string, error) {
			data, unmap, err := mapFile(path)
			if err != nil {
				return "", err
			}
			defer unmap()
			c.Words = sumWords(data)
			return fmt.Sprintf("%d bytes", len(data)), nil
		})
	})
}
