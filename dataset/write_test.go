package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/format"
)

func TestWriteFileEveryFormat(t *testing.T) {
	ctx := context.Background()
	src := writeShards(t, ".parquet", 3, 30_000, 7_000) // 90,000 rows in 7,000-row batches
	ds, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	dir := t.TempDir()
	for _, name := range []string{"a.arrow", "a.arrows", "a.parquet", "a.jsonl", "a.jsonl.gz", "a.jsonl.zst", "a.csv", "a.tsv"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			n, err := WriteFile(ctx, ds, p, WriteOptions{})
			if err != nil || n != 90_000 {
				t.Fatalf("wrote %d rows: %v", n, err)
			}
			back, err := Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			defer back.Close()
			got := ids(t, back, nil)
			if len(got) != 90_000 || got[89_999] != 89_999 {
				t.Fatalf("read back %d rows", len(got))
			}
			if k, _ := FormatForPath(p); k.Format == format.ArrowFile || k.Format == format.ArrowStream {
				// Arrow output is written in large batches for cheap zero-copy scans.
				var sizes []int64
				for b, err := range back.Batches(ctx, nil) {
					if err != nil {
						t.Fatal(err)
					}
					sizes = append(sizes, b.NumRows())
				}
				if len(sizes) != 2 || sizes[0] != ArrowWriteBatchRows {
					t.Fatalf("batch sizes %v, want %d then the rest", sizes, ArrowWriteBatchRows)
				}
			}
		})
	}
}

func TestWriteFileCanceledOrFailedLeavesNothing(t *testing.T) {
	src := writeShards(t, ".arrow", 2, 1000, 100)
	ds, err := Open(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := WriteFile(ctx, ds, filepath.Join(dir, "x.parquet"), WriteOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := WriteFile(context.Background(), ds, filepath.Join(dir, "x.parquet"), WriteOptions{Columns: []string{"nope"}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if _, err := WriteFile(context.Background(), ds, filepath.Join(dir, "x.bin"), WriteOptions{}); !errors.Is(err, format.ErrUnknownFormat) {
		t.Fatalf("err = %v, want ErrUnknownFormat", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}
