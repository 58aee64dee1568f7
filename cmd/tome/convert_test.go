package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/shard"
)

// convertOK runs tome convert -q and fails the test on error.
func convertOK(t *testing.T, args ...string) {
	t.Helper()
	if _, errOut, code := tome(t, append([]string{"convert", "-q"}, args...)...); code != 0 {
		t.Fatalf("convert %v: exit %d: %s", args, code, errOut)
	}
}

// verify runs tome verify in-process.
func verify(t *testing.T, dir string, quick bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runVerify(context.Background(), &env{stdout: &out, stderr: &out}, verifyOptions{quick: quick}, dir)
	return out.String(), err
}

// merge runs tome merge in-process.
func merge(t *testing.T, dst string, overwrite bool) error {
	t.Helper()
	var out bytes.Buffer
	return runMerge(context.Background(), &env{stdout: &out, stderr: &out}, mergeOptions{overwrite: overwrite, quiet: true}, dst)
}

func readManifest(t *testing.T, dir string) *shard.Manifest {
	t.Helper()
	m, err := shard.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// splitsOf lists the splits dataset.Open sees at path.
func splitsOf(t *testing.T, path string) []string {
	t.Helper()
	l, err := dataset.ResolveLayout(path, "")
	if err != nil {
		t.Fatal(err)
	}
	return l.SplitNames()
}

// compressedCopies writes reviews.jsonl gzipped and zstd-compressed.
func compressedCopies(t *testing.T, dir string) (gz, zst string) {
	t.Helper()
	data, err := os.ReadFile(reviews)
	if err != nil {
		t.Fatal(err)
	}
	gz, zst = filepath.Join(dir, "reviews.jsonl.gz"), filepath.Join(dir, "reviews.jsonl.zst")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	os.WriteFile(gz, b.Bytes(), 0o644)
	enc, _ := zstd.NewWriter(nil)
	os.WriteFile(zst, enc.EncodeAll(data, nil), 0o644)
	return gz, zst
}

// writeCSV writes a small CSV of every common column type.
func writeCSV(t *testing.T, path string, rows int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,name,score,ok")
	for i := range rows {
		fmt.Fprintf(w, "%d,\"name %d, with a comma\",%d.25,%t\n", i, i, i, i%3 == 0)
	}
	w.Flush()
	f.Close()
}

// Every kind of input converts to every output, and tome reads the
// result back row for row, split for split.
func TestConvertEveryInputToEveryOutput(t *testing.T) {
	tmp := t.TempDir()
	gz, zst := compressedCopies(t, tmp)
	csvPath := filepath.Join(tmp, "table.csv")
	writeCSV(t, csvPath, 300)
	pq := filepath.Join(tmp, "reviews.parquet")
	arrowFile := filepath.Join(tmp, "reviews.arrow")
	convertOK(t, reviews, pq)
	convertOK(t, reviews, arrowFile)
	inputs := map[string]string{
		"jsonl": reviews, "jsonl.gz": gz, "jsonl.zst": zst, "csv": csvPath, "parquet": pq, "arrow": arrowFile,
	}
	if os.Getenv(conformance.EnvVar) != "" {
		inputs["hf-datasetdict"] = conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict")
		inputs["hf-dataset"] = conformance.Dir(t, "hf/save_to_disk/proxyqa_single_dataset")
		inputs["hub-parquet"] = conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony")
	}
	for name, src := range inputs {
		srcSplits := splitsOf(t, src)
		want := map[string][]string{}
		for _, s := range srcSplits {
			want[s] = canonicalLines(t, src, dataset.WithSplit(s))
		}
		for _, to := range []string{"parquet", "arrow", "jsonl", "hf"} {
			t.Run(name+"/"+to, func(t *testing.T) {
				dst := filepath.Join(tmp, name+"-to-"+to)
				convertOK(t, "--to", to, "--max-shard-size", "40kB", src, dst)
				if got := splitsOf(t, dst); !slices.Equal(got, srcSplits) {
					t.Fatalf("splits %v, source has %v", got, srcSplits)
				}
				m := readManifest(t, dst)
				for _, s := range srcSplits {
					got := canonicalLines(t, dst, dataset.WithSplit(s))
					if strings.Join(got, "\n") != strings.Join(want[s], "\n") {
						t.Fatalf("split %s: %d rows read back, want %d; first %.200q vs %.200q", s, len(got), len(want[s]), first(got), first(want[s]))
					}
					ms, ok := m.Split(s)
					if !ok || ms.Rows != int64(len(want[s])) {
						t.Fatalf("manifest split %s: %+v", s, ms)
					}
				}
				if out, err := verify(t, dst, false); err != nil {
					t.Fatalf("verify: %v\n%s", err, out)
				}
			})
		}
	}
}

// The Hub layout's README names the splits, and tome.json agrees with
// the files.
func TestConvertHubLayout(t *testing.T) {
	src := conformance.Dir(t, "hf/save_to_disk/poubelle_datasetdict")
	dst := filepath.Join(t.TempDir(), "poubelle")
	convertOK(t, "--to", "parquet", "--rows-per-shard", "500", src, dst)
	readme, err := os.ReadFile(filepath.Join(dst, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"train", "val", "test"} {
		if !strings.Contains(string(readme), "split: "+s+"\n") || !strings.Contains(string(readme), "path: data/"+s+"-*") {
			t.Errorf("README.md does not declare split %s:\n%s", s, readme)
		}
	}
	m := readManifest(t, dst)
	train, _ := m.Split("train")
	if len(train.Shards) != 4 || train.Shards[0].Path != "data/train-00000-of-00004.parquet" || train.Shards[3].Rows != 1859-1500 {
		t.Fatalf("train shards: %+v", train.Shards)
	}
	for _, sh := range train.Shards {
		if sh.Rows > 500 {
			t.Errorf("%s has %d rows, --rows-per-shard 500", sh.Path, sh.Rows)
		}
	}
	if m.Format != "parquet" || m.Layout != shard.LayoutHub || m.Rows != 1859+868+372 {
		t.Fatalf("manifest: format %s layout %s rows %d", m.Format, m.Layout, m.Rows)
	}
	var features map[string]any
	if err := json.Unmarshal(train.Features, &features); err != nil || len(features) != 3 {
		t.Fatalf("features %s: %v", train.Features, err)
	}
}

// Columns are selected and renamed, and the features follow the names.
func TestConvertColumnsAndRename(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out")
	convertOK(t, "--to", "parquet", "--columns", "label,text", "--rename", "text=review", reviews, dst)
	m := readManifest(t, dst)
	train, _ := m.Split("train")
	var names []string
	for _, f := range train.Schema.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"label", "review"}) || !strings.Contains(string(train.Features), `"review"`) || strings.Contains(string(train.Features), `"text"`) {
		t.Fatalf("columns %v, features %s", names, train.Features)
	}
	lines := canonicalLines(t, dst)
	if len(lines) != 500 || !strings.HasPrefix(lines[0], `{"label":0,"review":"quiet bright`) {
		t.Fatalf("first row %q of %d", first(lines), len(lines))
	}
	for _, bad := range [][]string{
		{"--rename", "nope=x"},
		{"--rename", "text=label"},
		{"--columns", "nope"},
		{"--rename", "text"},
	} {
		_, errOut, code := tome(t, append([]string{"convert", "-q", "--to", "parquet"}, append(bad, reviews, filepath.Join(t.TempDir(), "x"))...)...)
		if code == 0 || !strings.HasPrefix(errOut, "tome: ") {
			t.Errorf("%v: exit %d, %q", bad, code, errOut)
		}
	}
}

// An explicit schema fixes the types of JSON Lines input.
func TestConvertWithSchemaFile(t *testing.T) {
	dir := t.TempDir()
	for name, schema := range map[string]string{
		"list":     `[{"name": "id", "type": "int32"}, {"name": "score", "type": "float32"}, {"name": "tags", "type": "list<string>"}]`,
		"features": `{"id": {"dtype": "int32", "_type": "Value"}, "score": {"dtype": "float32", "_type": "Value"}, "tags": {"feature": {"dtype": "string", "_type": "Value"}, "_type": "List"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".json")
			os.WriteFile(path, []byte(schema), 0o644)
			dst := filepath.Join(dir, name)
			convertOK(t, "--to", "arrow", "--schema", path, reviews, dst)
			train, _ := readManifest(t, dst).Split("train")
			var types []string
			for _, f := range train.Schema.Fields {
				types = append(types, f.Name+":"+f.Type)
			}
			if strings.Join(types, " ") != "id:int32 score:float32 tags:list<item: utf8, nullable>" {
				t.Fatalf("schema %v", types)
			}
		})
	}
}

// A shuffled conversion holds the same rows in another order, the same
// for every run of a seed, and different for another seed.
func TestConvertShuffle(t *testing.T) {
	dir := t.TempDir()
	want := canonicalLines(t, reviews)
	var orders [][]string
	for i, args := range [][]string{
		{"--shuffle-seed", "7", "--to", "parquet"},
		{"--shuffle-seed", "7", "--to", "parquet", "--workers", "1", "--max-shard-size", "30kB"},
		{"--shuffle-seed", "8", "--to", "parquet"},
	} {
		dst := filepath.Join(dir, fmt.Sprint(i))
		convertOK(t, append(args, reviews, dst)...)
		got := canonicalLines(t, dst)
		if len(got) != len(want) {
			t.Fatalf("%v: %d rows, want %d", args, len(got), len(want))
		}
		sorted := slices.Sorted(slices.Values(got))
		if !slices.Equal(sorted, slices.Sorted(slices.Values(want))) {
			t.Fatalf("%v: shuffled rows are not the input's rows", args)
		}
		orders = append(orders, got)
	}
	if slices.Equal(orders[0], want) {
		t.Fatal("seed 7 left the rows in order")
	}
	if !slices.Equal(orders[0], orders[1]) {
		t.Fatal("seed 7 gave two orders (shard size or workers changed it)")
	}
	if slices.Equal(orders[0], orders[2]) {
		t.Fatal("seeds 7 and 8 gave the same order")
	}
	// From uncompressed Arrow the rows are gathered directly, without a
	// copy, into the same order.
	arrowDir := filepath.Join(dir, "arrow")
	convertOK(t, "--to", "arrow", reviews, arrowDir)
	direct := filepath.Join(dir, "direct")
	convertOK(t, "--shuffle-seed", "7", "--to", "parquet", arrowDir, direct)
	if !slices.Equal(canonicalLines(t, direct), orders[0]) {
		t.Fatal("shuffling the Arrow copy gave another order")
	}
}

// The same conversion gives the same shards whatever the worker count.
func TestConvertIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	inputs := splitInput(t, dir, 6)
	var manifests []*shard.Manifest
	for i, workers := range []string{"1", "3"} {
		dst := filepath.Join(dir, fmt.Sprint("out", i))
		convertOK(t, append([]string{"--to", "parquet", "--max-shard-size", "15kB", "--workers", workers}, append(inputs, dst)...)...)
		manifests = append(manifests, readManifest(t, dst))
	}
	if a, b := mustJSON(t, manifests[0]), mustJSON(t, manifests[1]); a != b {
		t.Fatalf("1 worker and 3 wrote different datasets:\n%s\n%s", a, b)
	}
}

// splitInput cuts reviews.jsonl into n files.
func splitInput(t *testing.T, dir string, n int) []string {
	t.Helper()
	data, err := os.ReadFile(reviews)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	var paths []string
	per := (len(lines) + n - 1) / n
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("part-%d.jsonl", i))
		chunk := strings.Join(lines[i*per:min((i+1)*per, len(lines))], "")
		if !strings.HasSuffix(chunk, "\n") {
			chunk += "\n"
		}
		os.WriteFile(p, []byte(chunk), 0o644)
		paths = append(paths, p)
	}
	return paths
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An existing dataset is replaced only with --overwrite, and never
// something that is not a dataset.
func TestConvertOverwrite(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "out")
	convertOK(t, "--to", "jsonl", reviews, dst)
	_, errOut, code := tome(t, "convert", "-q", "--to", "parquet", reviews, dst)
	if code == 0 || !strings.Contains(errOut, "--overwrite") {
		t.Fatalf("second convert: exit %d, %q", code, errOut)
	}
	convertOK(t, "--to", "parquet", "--overwrite", reviews, dst)
	if m := readManifest(t, dst); m.Format != "parquet" {
		t.Fatalf("format %s after --overwrite", m.Format)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, "notes.txt"), []byte("keep me"), 0o644)
	_, errOut, code = tome(t, "convert", "-q", "--to", "parquet", "--overwrite", reviews, home)
	if code == 0 || !strings.Contains(errOut, "not a dataset") {
		t.Fatalf("overwriting a non-dataset: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(home, "notes.txt")); string(b) != "keep me" {
		t.Fatal("a non-dataset directory was touched")
	}
}

// A rerun with --resume of a finished conversion does nothing.
func TestConvertResumeFinished(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out")
	convertOK(t, "--to", "parquet", reviews, dst)
	before := mustJSON(t, readManifest(t, dst))
	_, errOut, code := tome(t, "convert", "--to", "parquet", "--resume", reviews, dst)
	if code != 0 || !strings.Contains(errOut, "nothing to do") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if mustJSON(t, readManifest(t, dst)) != before {
		t.Fatal("the dataset changed")
	}
}

func TestConvertUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--to", "xml"}, "--to"},
		{[]string{"--to", "parquet", "--max-shard-size", "lots"}, "bad size"},
		{[]string{"--to", "parquet", "--task-index", "3", "--task-count", "3"}, "task-index"},
		{[]string{"--to", "arrow", "--level", "3"}, "Parquet"},
		{[]string{"--to", "parquet", "--workers", "0"}, "workers"},
		{[]string{"--rows-per-shard", "10"}, "dataset directory"},
	} {
		dst := filepath.Join(dir, "out")
		if tt.args[len(tt.args)-1] == "10" {
			dst += ".parquet"
		}
		_, errOut, code := tome(t, append(append([]string{"convert", "-q"}, tt.args...), reviews, dst)...)
		if code != exitUsage || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, %q; want %d mentioning %q", tt.args, code, errOut, exitUsage, tt.msg)
		}
	}
	_, errOut, code := tome(t, "convert", "-q", "--to", "parquet", "--split", "nope", reviews, filepath.Join(dir, "o"))
	if code != exitNotFound || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown split: exit %d, %q", code, errOut)
	}
}
