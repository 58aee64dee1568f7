package main

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/tome-data/tome/dataset"
)

// Workload 4: typed rows of a flat struct, read from the zstd Parquet file
// by tome's dataset.Scan[T] and by parquet-go's GenericReader[T]. The struct
// holds the three flat columns (the design's target is for flat structs);
// both sides read only those columns and add up the same check.
type flatRow struct {
	ID    int64   `parquet:"id" tome:"id"`
	Label float32 `parquet:"label" tome:"label"`
	Text  string  `parquet:"text" tome:"text"`
}

func (r *flatRow) addTo(c *check) {
	c.Rows++
	c.IDSum += r.ID
	c.LabelSum += float64(r.Label)
	c.TextBytes += int64(len(r.Text))
}

func init() {
	register("tome-typed", func(ctx context.Context, e *env) (run, error) {
		return timedDataset(ctx, e, func(c *check, d *dataset.Dataset) error {
			opts := &dataset.ScanOptions{Columns: []string{"id", "label", "text"}}
			for row, err := range dataset.Scan[flatRow](ctx, d, opts) {
				if err != nil {
					return err
				}
				row.addTo(c)
			}
			return nil
		})
	})
	register("parquetgo-typed", func(ctx context.Context, e *env) (run, error) {
		return timedPath(ctx, e, func(c *check, path string) (string, error) {
			f, err := os.Open(path)
			if err != nil {
				return "", err
			}
			defer f.Close()
			r := parquet.NewGenericReader[flatRow](f)
			defer r.Close()
			buf := make([]flatRow, 1024)
			for {
				n, err := r.Read(buf)
				for i := range buf[:n] {
					buf[i].addTo(c)
				}
				if errors.Is(err, io.EOF) {
					return "", nil
				}
				if err != nil {
					return "", err
				}
			}
		})
	})
}
