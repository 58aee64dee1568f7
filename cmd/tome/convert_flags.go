package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// hfBatchRows is the batch size of the .arrow files save_to_disk writes
// (datasets' config.DEFAULT_MAX_BATCH_SIZE).
const hfBatchRows = 1000

// outputSpec is how a dataset directory is written: everything about the
// output that the plan's fingerprint covers.
type outputSpec struct {
	Format        string `json:"format"` // a format.Format name
	Layout        string `json:"layout"` // shard.LayoutHub or shard.LayoutSaveToDisk
	Compression   string `json:"compression,omitempty"`
	Level         int    `json:"level,omitempty"`
	RowGroupRows  int64  `json:"row_group_rows,omitempty"`
	MaxShardBytes int64  `json:"max_shard_bytes"`
	MaxShardRows  int64  `json:"max_shard_rows,omitempty"`
	BatchRows     int    `json:"batch_rows,omitempty"`
}

// writerOptions are the shard writer's options for spec; path names the
// shards.
func (s outputSpec) writerOptions(path func(int) string) shard.WriterOptions {
	f, _ := format.ParseFormat(s.Format)
	return shard.WriterOptions{
		Format: f, Compression: s.Compression, Level: s.Level, RowGroupRows: s.RowGroupRows,
		MaxShardBytes: s.MaxShardBytes, MaxShardRows: s.MaxShardRows, BatchRows: s.BatchRows, Path: path,
	}
}

// extension is the file suffix of the shards.
func (s outputSpec) extension() string {
	if s.Layout == shard.LayoutSaveToDisk {
		return ".arrow" // save_to_disk's name for IPC stream files
	}
	return s.writerOptions(nil).Extension()
}

// outputSpec checks the flags that shape the output.
func (o convertOptions) outputSpec() (outputSpec, error) {
	maxBytes, err := parseSize(o.maxShardSize)
	if err != nil {
		return outputSpec{}, usageError{fmt.Errorf("--max-shard-size: %w", err)}
	}
	if o.rowsPerShard < 0 || o.rowGroupSize < 0 {
		return outputSpec{}, usageError{fmt.Errorf("--rows-per-shard and --row-group-size must not be negative")}
	}
	spec := outputSpec{
		Layout: shard.LayoutHub, Compression: strings.ToLower(o.compression), Level: o.level,
		RowGroupRows: o.rowGroupSize, MaxShardBytes: maxBytes, MaxShardRows: o.rowsPerShard,
	}
	if strings.EqualFold(o.to, "hf") {
		spec.Format, spec.Layout, spec.BatchRows = format.ArrowStream.String(), shard.LayoutSaveToDisk, hfBatchRows
	} else {
		f, err := format.ParseFormat(o.to)
		if err != nil {
			return outputSpec{}, usageError{fmt.Errorf("--to: %w (want parquet, arrow, arrow-stream, jsonl, csv or hf)", err)}
		}
		spec.Format = f.String()
	}
	if o.level != 0 && spec.Format != format.Parquet.String() {
		return outputSpec{}, usageError{fmt.Errorf("--level applies to Parquet output only")}
	}
	if o.rowGroupSize != 0 && spec.Format != format.Parquet.String() {
		return outputSpec{}, usageError{fmt.Errorf("--row-group-size applies to Parquet output only")}
	}
	if err := spec.writerOptions(func(int) string { return "" }).Validate(); err != nil {
		return outputSpec{}, err
	}
	return spec, nil
}

// checkTasks validates --task-index, --task-count and --workers.
func (o convertOptions) checkTasks() error {
	if o.taskCount < 1 || o.taskIndex < 0 || o.taskIndex >= o.taskCount {
		return usageError{fmt.Errorf("--task-index %d --task-count %d: want 0 <= index < count", o.taskIndex, o.taskCount)}
	}
	if o.workers < 1 {
		return usageError{fmt.Errorf("--workers %d: want at least 1", o.workers)}
	}
	return nil
}

// parseSize parses a byte size as Hugging Face's max_shard_size does:
// a plain number of bytes, or a number with KB, MB, GB, TB (powers of
// 1000) or KiB, MiB, GiB, TiB (powers of 1024); "0" or "none" mean no
// limit.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "NONE" || t == "0" {
		return -1, nil
	}
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) || v*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q (want a number of bytes, or 500MB, 2GiB, ...)", s)
	}
	return max(1, int64(v*mult)), nil
}

// parseRenames parses --rename old=new pairs.
func parseRenames(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		old, new, ok := strings.Cut(p, "=")
		old, new = strings.TrimSpace(old), strings.TrimSpace(new)
		if !ok || old == "" || new == "" {
			return nil, usageError{fmt.Errorf("--rename %q: want old=new", p)}
		}
		if _, dup := out[old]; dup {
			return nil, usageError{fmt.Errorf("--rename: %q renamed twice", old)}
		}
		out[old] = new
	}
	return out, nil
}
