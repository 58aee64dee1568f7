package main

import (
	"context"
	"fmt"
	"os"
	"syscall"

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
		path, err := e.set.Path(ctx, e.file)
		if err != nil {
			return run{}, err
		}
		return timed(func(c *check) (string, error) {
			d, err := dataset.Open(ctx, path)
			if err != nil {
				return "", err
			}
			defer d.Close()
			for rec, err := range d.Batches(ctx, nil) {
				if err != nil {
					return "", err
				}
				c.Rows += rec.NumRows()
				c.Words += sumBatchWords(rec)
			}
			return "", nil
		})
	})
	register("raw-sum", func(ctx context.Context, e *env) (run, error) {
		path, err := e.set.Path(ctx, e.file)
		if err != nil {
			return run{}, err
		}
		return timed(func(c *check) (string, error) {
			f, err := os.Open(path)
			if err != nil {
				return "", err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return "", err
			}
			data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
			if err != nil {
				return "", fmt.Errorf("mmap %s: %w", path, err)
			}
			defer syscall.Munmap(data)
			c.Words = sumWords(data)
			return fmt.Sprintf("%d bytes", len(data)), nil
		})
	})
}
