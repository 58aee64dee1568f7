package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	dsinfo "github.com/tome-data/tome/internal/info"
)

type infoOptions struct {
	sourceFlags
	json bool
}

func newInfoCommand(e *env) *cobra.Command {
	var o infoOptions
	cmd := &cobra.Command{
		Use:   "info PATH",
		Short: "describe a dataset: format, rows, columns, shards, features, splits",
		Long: "info describes a dataset from its files' metadata without reading its rows " +
			"(JSON Lines and CSV, which record no row count, are counted).\n\n" +
			"--json prints one object: format, rows, columns [{name, type}], shards " +
			"[{path, rows, bytes}], features (when present) and splits {name: {rows, shards}}.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInfo(cmd.Context(), e, o, args[0])
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

// infoJSON is the contract of `tome info --json`; tome serve answers the
// same object.
type infoJSON = dsinfo.Info

func runInfo(ctx context.Context, e *env, o infoOptions, path string) error {
	ds, err := openForInfo(ctx, o.sourceFlags, path)
	if err != nil {
		return err
	}
	defer ds.Close()
	info, err := dsinfo.Describe(ctx, ds, path)
	if err != nil {
		return err
	}
	splitsErr := info.AddSplits(ctx, ds.Splits(), func(ctx context.Context, name string) (*dataset.Dataset, func(), error) {
		f := o.sourceFlags
		f.split = name
		sd, err := f.open(ctx, []string{path})
		if err != nil {
			return nil, nil, err
		}
		return sd, func() { sd.Close() }, nil
	})
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(info); err != nil {
			return err
		}
	} else {
		printInfo(e.stdout, info, ds.Splits())
	}
	// The details are in the output; the error names the broken splits
	// and keeps the first cause for the exit code.
	return splitsErr
}

// openForInfo opens the split info describes: the one asked for, else the
// default split, else (when that one is broken) the first split that opens,
// so that info can still list every split and say which are broken.
func openForInfo(ctx context.Context, f sourceFlags, path string) (*dataset.Dataset, error) {
	ds, err := f.open(ctx, []string{path})
	if err == nil || f.split != "" {
		return ds, err
	}
	layout, lerr := dataset.ResolveLayout(path, f.config)
	if lerr != nil {
		return nil, err
	}
	for _, name := range layout.SplitNames() {
		f.split = name
		if ds, serr := f.open(ctx, []string{path}); serr == nil {
			return ds, nil
		}
	}
	return nil, err
}

func printInfo(w io.Writer, info *infoJSON, splits []string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "path:\t%s\n", info.Path)
	fmt.Fprintf(tw, "layout:\t%s\n", info.Layout)
	fmt.Fprintf(tw, "format:\t%s\n", info.Format)
	if len(info.Configs) > 0 {
		fmt.Fprintf(tw, "config:\t%s (configs: %s)\n", info.Config, strings.Join(info.Configs, ", "))
	}
	fmt.Fprintf(tw, "split:\t%s\n", info.Split)
	fmt.Fprintf(tw, "rows:\t%d\n", info.Rows)
	var bytes int64
	for _, s := range info.Shards {
		bytes += s.Bytes
	}
	fmt.Fprintf(tw, "shards:\t%d (%s)\n", len(info.Shards), humanBytes(bytes))
	tw.Flush()
	fmt.Fprintln(w, "columns:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range info.Columns {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Type)
	}
	tw.Flush()
	if len(info.Features) > 0 {
		fmt.Fprintf(w, "features: %s\n", info.Features)
	}
	if len(info.Splits) > 0 {
		fmt.Fprintln(w, "splits:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, name := range splits {
			s := info.Splits[name]
			if s.Error != "" {
				fmt.Fprintf(tw, "  %s\terror: %s\n", name, s.Error)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%d rows\t%d shards\n", name, s.Rows, s.Shards)
		}
		tw.Flush()
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), strings.ToUpper("kmgtpe")[exp])
}
