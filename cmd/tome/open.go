package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
)

// sourceFlags are the flags every reading command shares.
type sourceFlags struct {
	split   string
	config  string
	columns []string
}

func (f *sourceFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.split, "split", "", "split to read (default: the only split, or train)")
	cmd.Flags().StringVar(&f.config, "config", "", "Hub config declared in the dataset card")
	cmd.Flags().StringSliceVar(&f.columns, "columns", nil, "comma-separated columns to read (default: all)")
}

// open opens one or more paths as a dataset.
func (f *sourceFlags) open(ctx context.Context, paths []string) (*dataset.Dataset, error) {
	opts := []dataset.Option{dataset.WithSplit(f.split), dataset.WithConfig(f.config)}
	if len(paths) == 1 {
		return dataset.Open(ctx, paths[0], opts...)
	}
	return dataset.OpenFiles(ctx, paths, opts...)
}

// scanOptions turns --columns into scan options (nil: every column).
func (f *sourceFlags) scanOptions() *dataset.ScanOptions {
	if len(f.columns) == 0 {
		return nil
	}
	cols := make([]string, len(f.columns))
	for i, c := range f.columns {
		cols[i] = strings.TrimSpace(c)
	}
	return &dataset.ScanOptions{Columns: cols}
}
