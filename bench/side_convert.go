package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/tome-data/tome/dataset"
)

// Workload 7: JSON Lines -> Parquet (zstd), issue 6's comparison. tome's
// side runs the tome binary built from ../cmd/tome, exactly as a user does
// (`tome convert -q --to parquet IN OUT/`), with GOMAXPROCS and --workers
// set to the thread count; DuckDB's runs
// COPY (SELECT * FROM read_json(IN)) TO OUT (FORMAT parquet, COMPRESSION zstd)
// at the same thread count. After the clock stops, both outputs are opened
// with tome and their rows counted for the check.
func init() {
	register("tome-convert", func(ctx context.Context, e *env) (run, error) {
		if e.tomeBin == "" {
			return run{}, fmt.Errorf("no tome binary")
		}
		in, out, cleanup, err := convertPaths(ctx, e)
		if err != nil {
			return run{}, err
		}
		defer cleanup()
		r, err := timed(func(c *check) (string, error) {
			cmd := exec.CommandContext(ctx, e.tomeBin, "convert", "-q", "--to", "parquet",
				"--workers", strconv.Itoa(e.threads), in, out)
			cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(e.threads))
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				return "", err
			}
			sampler.track(cmd.Process.Pid)
			err := cmd.Wait()
			sampler.untrack(cmd.Process.Pid)
			if err != nil {
				return "", fmt.Errorf("tome convert: %w: %s", err, out.Bytes())
			}
			return "", nil
		})
		if err != nil {
			return r, err
		}
		return countOutput(ctx, r, out)
	})
}

// duckCopy is DuckDB's side of workload 7.
func duckCopy(ctx context.Context, e *env) (run, error) {
	in, out, cleanup, err := convertPaths(ctx, e)
	if err != nil {
		return run{}, err
	}
	defer cleanup()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return run{}, err
	}
	file := filepath.Join(out, "out.parquet")
	db, err := openDuck(ctx, e.threads)
	if err != nil {
		return run{}, err
	}
	defer db.Close()
	r, err := timed(func(c *check) (string, error) {
		_, err := db.ExecContext(ctx, fmt.Sprintf(
			`COPY (SELECT * FROM read_json('%s', format='newline_delimited')) TO '%s' (FORMAT parquet, COMPRESSION zstd)`,
			sqlString(in), sqlString(file)))
		if err != nil {
			return "", fmt.Errorf("duckdb: %w", err)
		}
		return "", nil
	})
	if err != nil {
		return r, err
	}
	return countOutput(ctx, r, file)
}

// convertPaths returns the input file and a fresh output path in the data
// set's directory, and a function removing the output.
func convertPaths(ctx context.Context, e *env) (in, out string, cleanup func(), err error) {
	in, err = e.set.Path(ctx, e.file)
	if err != nil {
		return "", "", nil, err
	}
	dir, err := os.MkdirTemp(e.set.Dir, "convert-")
	if err != nil {
		return "", "", nil, err
	}
	return in, filepath.Join(dir, "out"), func() { os.RemoveAll(dir) }, nil
}

// countOutput adds the output's row count and size to r.
func countOutput(ctx context.Context, r run, out string) (run, error) {
	d, err := dataset.Open(ctx, out)
	if err != nil {
		return r, fmt.Errorf("reading the output back: %w", err)
	}
	defer d.Close()
	r.Check.Rows = d.Len()
	var bytes int64
	filepath.Walk(out, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && filepath.Ext(info.Name()) == ".parquet" {
			bytes += info.Size()
		}
		return nil
	})
	r.Note = fmt.Sprintf("output %.1f MB of Parquet", float64(bytes)/1e6)
	return r, nil
}
