package main

import (
	"context"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
)

// sourceFlags are the flags every reading command shares.
type sourceFlags struct {
	split   string
	config  string
	columns []string
	remote  dataset.RemoteOptions
}

func (f *sourceFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.split, "split", "", "split to read (default: the only split, or train)")
	cmd.Flags().StringVar(&f.config, "config", "", "Hub config declared in the dataset card")
	cmd.Flags().StringSliceVar(&f.columns, "columns", nil, "comma-separated columns to read (default: all)")
	cmd.Flags().StringVar(&f.remote.CacheDir, "cache-dir", "", "keep bytes read from http(s):// and hf:// on disk here, for later runs")
	cmd.Flags().Int64Var(&f.remote.CacheBytes, "cache-max-bytes", 0, "budget of --cache-dir in bytes (default 4 GiB)")
	cmd.Flags().IntVar(&f.remote.MaxPerHost, "max-per-host", 0, "most requests in flight to one host (default 8)")
	cmd.Flags().Int64Var(&f.remote.ReadAheadBytes, "read-ahead-bytes", 0, "bytes fetched ahead of the reader per remote file (default 64 MiB)")
}

// open opens one or more paths or URLs as a dataset.
func (f *sourceFlags) open(ctx context.Context, paths []string) (*dataset.Dataset, error) {
	if err := applyRemote(f.remote); err != nil {
		return nil, err
	}
	opts := []dataset.Option{dataset.WithSplit(f.split), dataset.WithConfig(f.config)}
	if len(paths) == 1 {
		return dataset.Open(ctx, paths[0], opts...)
	}
	return dataset.OpenFiles(ctx, paths, opts...)
}

var (
	remoteMu      sync.Mutex
	remoteApplied dataset.RemoteOptions
)

// applyRemote puts the remote flags in force, once for a run that opens
// several datasets, so that they share one cache and one host limiter.
func applyRemote(o dataset.RemoteOptions) error {
	remoteMu.Lock()
	defer remoteMu.Unlock()
	if o == remoteApplied {
		return nil
	}
	if err := dataset.SetRemoteOptions(o); err != nil {
		return err
	}
	remoteApplied = o
	return nil
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
