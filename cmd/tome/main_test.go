package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/conformance"
)

// TestMain lets the test binary stand in for the tome command, so that
// signal handling is tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("TOME_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// tome runs a command line in-process.
func tome(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runContext(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

const reviews = "../../testdata/reviews.jsonl"

func TestInfoJSONMatchesData(t *testing.T) {
	paths := []string{
		reviews,
		conformance.Dir(t, "hf/save_to_disk/ads_thesis_text_datasetdict"),
		conformance.Dir(t, "hf/save_to_disk/proxyqa_single_dataset"),
		conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony"),
		conformance.Dir(t, "hf/hf_cache/financial_classification_builder_cache"),
		conformance.Dir(t, "parquet-testing/data/alltypes_plain.parquet"),
		conformance.Dir(t, "parquet-testing/data/nested_lists.snappy.parquet"),
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			out, errOut, code := tome(t, "info", "--json", p)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var info infoJSON
			if err := json.Unmarshal([]byte(out), &info); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
			ds, err := dataset.Open(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			var rows int64
			for b, err := range ds.Batches(context.Background(), nil) {
				if err != nil {
					t.Fatal(err)
				}
				rows += b.NumRows()
			}
			if info.Rows != rows {
				t.Errorf("info rows %d, data has %d", info.Rows, rows)
			}
			var shardRows int64
			for _, s := range info.Shards {
				shardRows += s.Rows
			}
			if shardRows != rows && info.Format != "jsonl" {
				t.Errorf("shard rows add up to %d, data has %d", shardRows, rows)
			}
			if len(info.Columns) != ds.Schema().NumFields() || info.Format == "" {
				t.Errorf("columns %v, format %q", info.Columns, info.Format)
			}
			for name, s := range info.Splits {
				sd, err := dataset.Open(context.Background(), p, dataset.WithSplit(name))
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := sd.Count(context.Background()); n != s.Rows {
					t.Errorf("split %s: info says %d rows, data has %d", name, s.Rows, n)
				}
				sd.Close()
			}
		})
	}
}

// canonicalLines reads path with the dataset layer and renders every row
// in canonical JSON, the reference for head and cat.
func canonicalLines(t *testing.T, path string, args ...dataset.Option) []string {
	t.Helper()
	ds, err := dataset.Open(context.Background(), path, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	var lines []string
	enc := rowjson.NewEncoder(ds.Schema())
	for b, err := range ds.Batches(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		for i := range int(b.NumRows()) {
			lines = append(lines, string(enc.AppendRow(nil, b, i)))
		}
	}
	return lines
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestHeadAndCatMatchTheFormatLayer(t *testing.T) {
	paths := []string{
		reviews,
		conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict"),
		conformance.Dir(t, "hf/hub_parquet/ner_mountain_sequences"),
		conformance.Dir(t, "parquet-testing/data/alltypes_plain.parquet"),
		conformance.Dir(t, "arrow-testing/data/arrow-ipc-stream/integration/1.0.0-littleendian/generated_nested.stream"),
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			want := canonicalLines(t, p)
			out, errOut, code := tome(t, "cat", p)
			if code != 0 {
				t.Fatalf("cat exit %d: %s", code, errOut)
			}
			got := splitLines(out)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("cat gave %d lines, want %d; first: %.200q vs %.200q", len(got), len(want), first(got), first(want))
			}
			out, _, code = tome(t, "head", "-n", "3", p)
			if code != 0 || strings.Join(splitLines(out), "\n") != strings.Join(want[:min(3, len(want))], "\n") {
				t.Fatalf("head -n 3 = %q (exit %d)", out, code)
			}
			out, _, _ = tome(t, "cat", "--limit", "2", p)
			if len(splitLines(out)) != min(2, len(want)) {
				t.Fatalf("cat --limit 2 gave %d lines", len(splitLines(out)))
			}
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func TestHeadColumnsAndSplit(t *testing.T) {
	dir := conformance.Dir(t, "hf/save_to_disk/ocr_screenshots_tiny_datasetdict")
	out, errOut, code := tome(t, "head", "-n", "1", "--split", "validation", "--columns", "text", dir)
	if code != 0 {
		t.Fatal(errOut)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(out), &row); err != nil || len(row) != 1 || row["text"] == nil {
		t.Fatalf("head --columns text: %q (%v)", out, err)
	}
}

func TestErrorsAreOneLineWithExitCodes(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "x.parquet")
	os.WriteFile(html, []byte("<!doctype html><html>nope</html>"), 0o644)
	truncated := filepath.Join(dir, "t.parquet")
	b, _ := os.ReadFile(conformance.Dir(t, "parquet-testing/data/alltypes_plain.parquet"))
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"info", filepath.Join(dir, "missing.parquet")}, exitNotFound, "not found"},
		{[]string{"head", html}, exitBadData, "HTML"},
		{[]string{"cat", truncated}, exitBadData, "t.parquet"},
		{[]string{"info"}, exitUsage, "arg"},
		{[]string{"head", "--bogus", reviews}, exitUsage, "bogus"},
		{[]string{"frobnicate"}, exitUsage, "unknown command"},
		{[]string{"head", "--split", "nope", conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict")}, exitNotFound, "train, val, test"},
		{[]string{"head", "--columns", "nope", reviews}, exitNotFound, "nope"},
		{[]string{"convert", reviews, filepath.Join(dir, "out.weird")}, exitBadData, "extension"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := tome(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (%s)", code, tt.code, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "tome: ") || !strings.Contains(errOut, tt.msg) {
				t.Errorf("stderr %q: want one line starting with tome: and mentioning %q", errOut, tt.msg)
			}
		})
	}
}

func TestConvertRoundTrips(t *testing.T) {
	want := canonicalLines(t, reviews)
	dir := t.TempDir()
	for _, dst := range []string{"r.parquet", "r.arrow", "r.arrows"} {
		t.Run(dst, func(t *testing.T) {
			p := filepath.Join(dir, dst)
			if _, errOut, code := tome(t, "convert", "-q", reviews, p); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			out, errOut, code := tome(t, "cat", p)
			if code != 0 {
				t.Fatal(errOut)
			}
			if got := splitLines(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("round trip through %s differs: %.300q vs %.300q", dst, first(got), first(want))
			}
		})
	}
	// Several sources, a projection and an explicit format.
	p := filepath.Join(dir, "two.data")
	if _, errOut, code := tome(t, "convert", "-q", "--to", "parquet", "--columns", "id,label", reviews, reviews, p); code != 0 {
		t.Fatal(errOut)
	}
	out, _, _ := tome(t, "info", "--json", p)
	var info infoJSON
	json.Unmarshal([]byte(out), &info)
	if info.Rows != 1000 || len(info.Columns) != 2 || info.Format != "parquet" {
		t.Fatalf("info of the converted file: %s", out)
	}
}

func TestConvertCanceledLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := runContext(ctx, []string{"convert", "-q", reviews, filepath.Join(dir, "x.parquet")}, nil, &out, &errb)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, errb.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("canceled convert left %v", entries)
	}
}

// A real Ctrl-C: the process exits 130 and leaves no partial output.
func TestConvertInterruptedBySIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large input")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "big.jsonl")
	f, _ := os.Create(src)
	w := bufio.NewWriter(f)
	for i := range 400_000 {
		fmt.Fprintf(w, `{"id":%d,"text":"%s","x":%d.5}`+"\n", i, strings.Repeat("word ", 20), i)
	}
	w.Flush()
	f.Close()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	cmd := exec.Command(os.Args[0], "convert", "-q", src, filepath.Join(out, "big.parquet"))
	cmd.Env = append(os.Environ(), "TOME_TEST_AS_CLI=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the output is being written.
	deadline := time.Now().Add(20 * time.Second)
	for {
		entries, _ := os.ReadDir(out)
		if len(entries) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code == 0 {
		t.Skip("the conversion finished before the signal arrived")
	}
	if code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130: %s", code, err, stderr.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("interrupted convert left %v", entries)
	}
}

func TestInfoListsHubConfigs(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data"), 0o755)
	os.MkdirAll(filepath.Join(dir, "extra"), 0o755)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n- config_name: extra\n  data_dir: extra\n  data_files: \"*.jsonl\"\n---\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "data", "train-0.jsonl"), []byte("{\"a\":1}\n{\"a\":2}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "extra", "x.jsonl"), []byte("{\"b\":1}\n"), 0o644)
	for _, tt := range []struct {
		args   []string
		config string
		rows   int64
	}{
		{[]string{"info", "--json", dir}, "default", 2},
		{[]string{"info", "--json", "--config", "extra", dir}, "extra", 1},
	} {
		out, errOut, code := tome(t, tt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
		}
		var info infoJSON
		if err := json.Unmarshal([]byte(out), &info); err != nil {
			t.Fatal(err)
		}
		if info.Config != tt.config || strings.Join(info.Configs, ",") != "default,extra" || info.Rows != tt.rows {
			t.Errorf("%v: config %q of %v, %d rows", tt.args, info.Config, info.Configs, info.Rows)
		}
	}
}
