package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
)

// convertOptions are the flags of tome convert.
type convertOptions struct {
	config      string
	splits      []string
	columns     []string
	renames     []string
	schemaFile  string
	to          string
	compression string
	level       int
	quiet       bool

	maxShardSize string
	rowsPerShard int64
	rowGroupSize int64
	shuffleSeed  uint64
	shuffle      bool // --shuffle-seed was given
	workers      int
	taskIndex    int
	taskCount    int
	resume       bool
	overwrite    bool

	stage string // what progress calls the work ("converting" when empty)
}

func newConvertCommand(e *env) *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert SRC... DST",
		Short: "convert datasets to Parquet, Arrow, JSON Lines or the Hugging Face layout",
		Long: `convert reads every SRC (a file, glob, directory of shards, Hugging Face
save_to_disk or DatasetDict directory, builder cache or Hub-style folder) and
writes DST.

When DST is a file name with a data extension (.parquet, .arrow, .arrows,
.jsonl[.gz|.zst], .csv) it is written as one file. Otherwise DST is a dataset
directory in the format --to names:

  parquet, arrow, arrow-stream, jsonl, csv
      the Hugging Face Hub layout: data/{split}-{i:05d}-of-{n:05d}.{ext} and a
      README.md whose YAML configs name the splits
  hf  the layout of datasets' save_to_disk: data-NNNNN-of-NNNNN.arrow (IPC
      stream), dataset_info.json, state.json, and dataset_dict.json with one
      directory per split when there are several

plus tome.json, the manifest: every shard with its rows, bytes and SHA-256,
and each split's schema and features. A source's splits are kept as splits
(--split picks some). Shards are cut at --max-shard-size Arrow bytes (as
Hugging Face measures it) or --rows-per-shard rows.

The dataset is built in a hidden directory next to DST (.tome-staging-NAME)
and moved to DST only when complete, so an interrupted conversion, even a
killed one, leaves no dataset that looks finished. --resume continues from
the finished shards and writes the same files an uninterrupted run would;
an existing DST is replaced only with --overwrite.

--task-index i --task-count n converts a deterministic slice of the input
(whole files, or row ranges of large Parquet and Arrow files); once every
task has finished, tome merge DST writes the dataset.`,
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.shuffle = cmd.Flags().Changed("shuffle-seed")
			return runConvert(cmd.Context(), e, o, args[:len(args)-1], args[len(args)-1])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "output format: parquet, arrow, arrow-stream, jsonl, csv or hf (default: from DST's extension)")
	f.StringVar(&o.config, "config", "", "Hub config declared in the dataset card")
	f.StringSliceVar(&o.splits, "split", nil, "splits to convert (default: all)")
	f.StringSliceVar(&o.columns, "columns", nil, "comma-separated columns to write (default: all)")
	f.StringSliceVar(&o.renames, "rename", nil, "rename columns: old=new[,old=new...]")
	f.StringVar(&o.schemaFile, "schema", "", "explicit schema for JSON Lines and CSV input: a JSON list of {name, type} or Hugging Face features JSON")
	f.StringVar(&o.compression, "compression", "", "codec: parquet zstd|snappy|lz4|gzip|brotli|none, arrow none|lz4|zstd, jsonl/csv gzip|zstd|none")
	f.IntVar(&o.level, "level", 0, "Parquet compression level (0: the codec's default)")
	f.StringVar(&o.maxShardSize, "max-shard-size", "500MB", "largest shard, in Arrow bytes (500MB, 1GiB, ...)")
	f.Int64Var(&o.rowsPerShard, "rows-per-shard", 0, "most rows in a shard (0: no limit)")
	f.Int64Var(&o.rowGroupSize, "row-group-size", 0, "rows per Parquet row group (0: cut by size)")
	f.Uint64Var(&o.shuffleSeed, "shuffle-seed", 0, "write the rows of each split in the order of a global permutation keyed by this seed")
	f.IntVar(&o.workers, "workers", min(4, runtime.GOMAXPROCS(0)), "inputs converted at the same time")
	f.IntVar(&o.taskIndex, "task-index", 0, "this task's index, 0 <= i < --task-count")
	f.IntVar(&o.taskCount, "task-count", 1, "number of tasks sharing the conversion (then run tome merge DST)")
	f.BoolVar(&o.resume, "resume", false, "continue an interrupted conversion from its finished shards")
	f.BoolVar(&o.overwrite, "overwrite", false, "replace an existing dataset at DST")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress output")
	return cmd
}

func runConvert(ctx context.Context, e *env, o convertOptions, srcs []string, dst string) error {
	if isFileDestination(o, dst) {
		return convertToFile(ctx, e, o, srcs, dst)
	}
	if o.to == "" {
		// Neither a data extension nor --to: say how to name the format.
		if _, err := dataset.FormatForPath(dst); err != nil {
			return err
		}
	}
	return convertToDataset(ctx, e, o, srcs, dst)
}

// isFileDestination reports whether DST names one output file: it has a
// data file extension, and --to, if given, is not the hf layout.
func isFileDestination(o convertOptions, dst string) bool {
	if strings.EqualFold(o.to, "hf") {
		return false
	}
	_, err := dataset.FormatForPath(dst)
	return err == nil
}

// convertToFile writes one file with dataset.WriteFile.
func convertToFile(ctx context.Context, e *env, o convertOptions, srcs []string, dst string) error {
	if err := o.checkSingleFile(); err != nil {
		return err
	}
	wo := dataset.WriteOptions{Compression: o.compression, Level: o.level, Columns: trimAll(o.columns), RowGroupRows: o.rowGroupSize}
	if o.to != "" {
		f, err := format.ParseFormat(o.to)
		if err != nil {
			return usageError{err}
		}
		wo.Format = f
	}
	opts := []dataset.Option{dataset.WithConfig(o.config)}
	if len(o.splits) == 1 {
		opts = append(opts, dataset.WithSplit(o.splits[0]))
	}
	if o.schemaFile != "" {
		s, err := readSchemaFile(o.schemaFile)
		if err != nil {
			return err
		}
		opts = append(opts, dataset.WithSchema(s))
	}
	var ds *dataset.Dataset
	var err error
	if len(srcs) == 1 {
		ds, err = dataset.Open(ctx, srcs[0], opts...)
	} else {
		ds, err = dataset.OpenFiles(ctx, srcs, opts...)
	}
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

// checkSingleFile refuses the options that only make sense for a dataset
// directory.
func (o convertOptions) checkSingleFile() error {
	var bad []string
	for _, c := range []struct {
		set  bool
		flag string
	}{
		{len(o.splits) > 1, "--split with several splits"},
		{len(o.renames) > 0, "--rename"},
		{o.rowsPerShard > 0, "--rows-per-shard"},
		{o.maxShardSize != "500MB", "--max-shard-size"},
		{o.shuffle, "--shuffle-seed"},
		{o.taskCount != 1 || o.taskIndex != 0, "--task-index/--task-count"},
		{o.resume, "--resume"},
	} {
		if c.set {
			bad = append(bad, c.flag)
		}
	}
	if len(bad) > 0 {
		return usageError{fmt.Errorf("%s need a dataset directory as DST, not a file name with a data extension", strings.Join(bad, ", "))}
	}
	return nil
}

// trimAll trims every string; nil stays nil.
func trimAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}
