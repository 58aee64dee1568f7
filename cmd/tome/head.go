package main

import (
	"bufio"
	"context"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/format/rowjson"
)

type headOptions struct {
	sourceFlags
	n int64
}

func newHeadCommand(e *env) *cobra.Command {
	var o headOptions
	cmd := &cobra.Command{
		Use:   "head PATH",
		Short: "print the first rows as JSON Lines",
		Long: "head prints the first rows of a dataset as JSON Lines, one object per row, " +
			"in tome's canonical JSON (exact integers, RFC 3339 timestamps, base64 binary).",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHead(cmd.Context(), e, o, args[0])
		},
	}
	o.register(cmd)
	cmd.Flags().Int64VarP(&o.n, "lines", "n", 10, "number of rows to print")
	return cmd
}

func runHead(ctx context.Context, e *env, o headOptions, path string) error {
	return printRows(ctx, e, o.sourceFlags, []string{path}, o.n, false)
}

// printRows writes up to limit rows (all when limit < 0) as canonical JSON
// Lines, streaming batch by batch in bounded memory.
func printRows(ctx context.Context, e *env, f sourceFlags, paths []string, limit int64, showProgress bool) error {
	ds, err := f.open(ctx, paths)
	if err != nil {
		return err
	}
	defer ds.Close()
	w := bufio.NewWriterSize(e.stdout, 1<<16)
	var enc *rowjson.Encoder
	var buf []byte
	var done int64
	total := ds.Len()
	if limit >= 0 && (total < 0 || limit < total) {
		total = limit
	}
	var bar *progress
	if showProgress {
		bar = newProgress(e.stderr, total, "rows")
		defer bar.finish()
	}
	for b, err := range ds.Batches(ctx, f.scanOptions()) {
		if err != nil {
			return err
		}
		if enc == nil {
			enc = rowjson.NewEncoder(b.Schema())
		}
		n := b.NumRows()
		if limit >= 0 && done+n > limit {
			n = limit - done
		}
		for i := range int(n) {
			buf = enc.AppendRow(buf[:0], b, i)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		done += n
		if bar != nil {
			bar.add(n)
		}
		if limit >= 0 && done >= limit {
			break
		}
	}
	return w.Flush()
}
