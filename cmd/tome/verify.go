package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

type verifyOptions struct {
	quick bool
}

func newVerifyCommand(e *env) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify DST",
		Short: "check a dataset written by tome convert against its manifest",
		Long: "verify re-reads every shard of the dataset at DST and checks it against tome.json: " +
			"that it exists, its size and SHA-256, its schema, and its rows, decoding every one; " +
			"and that the layout's own files (README configs, state.json, dataset_dict.json) name " +
			"exactly the manifest's shards. It prints each difference on stdout and exits 4 when " +
			"there is any. --quick checks sizes, footers and the row counts they record, without " +
			"hashing or decoding the data.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), e, o, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.quick, "quick", false, "check sizes and footers only")
	return cmd
}

func runVerify(ctx context.Context, e *env, o verifyOptions, dir string) error {
	m, err := shard.ReadManifest(dir)
	if err != nil {
		return err
	}
	var problems []string
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	checkLayout(dir, m, report)
	var shards int
	for _, s := range m.Splits {
		schema, err := s.Schema.Arrow()
		if err != nil {
			return err
		}
		for _, sh := range s.Shards {
			if err := ctx.Err(); err != nil {
				return err
			}
			shards++
			if msg := verifyShard(ctx, dir, m, schema, sh, o.quick); msg != "" {
				report("%s: %s", sh.Path, msg)
			}
		}
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	if len(problems) > 0 {
		places := "places"
		if len(problems) == 1 {
			places = "place"
		}
		return fmt.Errorf("%w: %s differs from its manifest in %d %s (listed on stdout)", format.ErrCorrupt, dir, len(problems), places)
	}
	mode := "checksums and rows"
	if o.quick {
		mode = "sizes and footers"
	}
	fmt.Fprintf(e.stdout, "ok: %d shards, %d rows, %d bytes in %d splits (%s)\n", shards, m.Rows, m.Bytes, len(m.Splits), mode)
	return nil
}

// checkLayout compares the files the layout's own metadata points at
// (what dataset.Open and Hugging Face read) with the manifest's shards.
func checkLayout(dir string, m *shard.Manifest, report func(string, ...any)) {
	layout, err := dataset.ResolveLayout(dir, "")
	if err != nil {
		report("layout: %v", err)
		return
	}
	if got, want := layout.SplitNames(), m.SplitNames(); !slices.Equal(got, want) {
		report("layout: splits %v, manifest %v", got, want)
		return
	}
	for _, sl := range layout.Splits {
		ms, _ := m.Split(sl.Name)
		var want []string
		for _, sh := range ms.Shards {
			want = append(want, filepath.Join(dir, filepath.FromSlash(sh.Path)))
		}
		got := append(slices.Clone(sl.Files), sl.Missing...)
		if !slices.Equal(got, want) {
			report("layout: split %s names %d files, the manifest %d shards (%v vs %v)", sl.Name, len(got), len(want), rel(dir, got), rel(dir, want))
		}
	}
}

func rel(dir string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i], _ = filepath.Rel(dir, p)
	}
	return out
}

// verifyShard checks one shard and says what differs ("" when nothing).
func verifyShard(ctx context.Context, dir string, m *shard.Manifest, schema *arrow.Schema, sh shard.ManifestShard, quick bool) string {
	path := filepath.Join(dir, filepath.FromSlash(sh.Path))
	st, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	if st.Size() != sh.Bytes {
		return fmt.Sprintf("%d bytes, manifest says %d (truncated or replaced)", st.Size(), sh.Bytes)
	}
	if !quick {
		sum, err := fileSHA256(path)
		if err != nil {
			return err.Error()
		}
		if sum != sh.SHA256 {
			return fmt.Sprintf("sha256 %s, manifest says %s", sum, sh.SHA256)
		}
	}
	rows, err := readShard(ctx, path, m, schema, quick)
	if err != nil {
		return fmt.Sprintf("unreadable: %v", err)
	}
	if rows >= 0 && rows != sh.Rows {
		return fmt.Sprintf("%d rows, manifest says %d", rows, sh.Rows)
	}
	return ""
}

// readShard opens a shard, checks its schema and returns its rows: from
// the footer or index when quick (-1 for text, which records none), else
// by decoding every batch.
func readShard(ctx context.Context, path string, m *shard.Manifest, schema *arrow.Schema, quick bool) (int64, error) {
	in := inputFile{Path: path, Format: m.Format}
	if f, _ := format.ParseFormat(m.Format); f == format.JSONL || f == format.CSV {
		if quick {
			return -1, nil
		}
		src, err := shard.OpenLocal(path)
		if err != nil {
			return 0, err
		}
		kind, err := format.Detect(src, src.Size(), path)
		src.Close()
		if err != nil {
			return 0, err
		}
		in.Compression = kind.Compression.String()
	}
	src, err := shard.OpenLocal(path)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	r, err := openReader(src, in, readOptions{textSchema: schema})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if diff := shard.SameColumns(schema, r.Schema()); diff != "" {
		return 0, fmt.Errorf("%w: %s", format.ErrSchema, diff)
	}
	if quick {
		return r.NumRows(), nil
	}
	var rows int64
	for b, err := range r.Batches(ctx) {
		if err != nil {
			return 0, err
		}
		rows += b.NumRows()
	}
	return rows, nil
}

// fileSHA256 is the hex SHA-256 of a file's bytes.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", errors.New("reading: " + err.Error())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
