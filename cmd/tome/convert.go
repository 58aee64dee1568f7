package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
)

type convertOptions struct {
	sourceFlags
	to          string
	compression string
	level       int
	quiet       bool
}

func newConvertCommand(e *env) *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert SRC... DST",
		Short: "convert datasets to Parquet, Arrow or JSON Lines",
		Long: "convert reads every SRC (anything tome can open) and writes one file DST. " +
			"The output format comes from --to or DST's extension. The file is written " +
			"under a temporary name and renamed when complete, so an interrupted or " +
			"failed conversion leaves nothing behind.",
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConvert(cmd.Context(), e, o, args[:len(args)-1], args[len(args)-1])
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&o.to, "to", "", "output format: parquet, arrow, arrow-stream, jsonl or csv (default: from DST's extension)")
	cmd.Flags().StringVar(&o.compression, "compression", "", "codec: parquet zstd|snappy|lz4|gzip|brotli|none, arrow none|lz4|zstd")
	cmd.Flags().IntVar(&o.level, "level", 0, "compression level (0: the codec's default)")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "no progress output")
	return cmd
}

func runConvert(ctx context.Context, e *env, o convertOptions, srcs []string, dst string) error {
	wo := dataset.WriteOptions{Compression: o.compression, Level: o.level, Columns: o.scanColumns()}
	if o.to != "" {
		f, err := format.ParseFormat(o.to)
		if err != nil {
			return usageError{err}
		}
		wo.Format = f
	}
	ds, err := o.open(ctx, srcs)
	if err != nil {
		return err
	}
	defer ds.Close()
	var bar *progress
	if !o.quiet {
		bar = newProgress(e.stderr, ds.Len(), "converting")
		defer bar.finish()
		var last int64
		wo.Progress = func(rows int64) { bar.add(rows - last); last = rows }
	}
	rows, err := dataset.WriteFile(ctx, ds, dst, wo)
	if err != nil {
		return err
	}
	if !o.quiet {
		fmt.Fprintf(e.stderr, "wrote %d rows to %s\n", rows, dst)
	}
	return nil
}

// scanColumns returns --columns trimmed, or nil for every column.
func (f *sourceFlags) scanColumns() []string {
	if o := f.scanOptions(); o != nil {
		return o.Columns
	}
	return nil
}
