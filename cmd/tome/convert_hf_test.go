package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/internal/conformance"
	"github.com/tome-data/tome/shard"
)

// --to hf writes what datasets' save_to_disk writes: compared file by
// file with real save_to_disk outputs.
func TestConvertHFMatchesSaveToDisk(t *testing.T) {
	for _, name := range []string{"ads_thesis_text_datasetdict", "proxyqa_single_dataset", "ocr_screenshots_tiny_datasetdict", "poubelle_datasetdict",
		"insuranceqa_datasetdict", "probforecast_timeseries_datasetdict", "voxpopuli_processed_datasetdict"} {
		t.Run(name, func(t *testing.T) {
			src := conformance.Dir(t, "hf/save_to_disk", name)
			dst := filepath.Join(t.TempDir(), name)
			convertOK(t, "--to", "hf", src, dst)

			want, got := listFiles(t, src), listFiles(t, dst)
			if !slices.Equal(append(slices.Clone(want), shard.ManifestFile), got) && !slices.Equal(withManifest(want), got) {
				t.Fatalf("files %v, save_to_disk wrote %v (plus %s)", got, want, shard.ManifestFile)
			}
			for _, rel := range want {
				a, b := filepath.Join(src, rel), filepath.Join(dst, rel)
				switch filepath.Base(rel) {
				case hf.DatasetDictFile:
					compareBytes(t, rel, a, b)
				case hf.StateFile:
					compareState(t, rel, a, b)
				case hf.DatasetInfoFile:
					compareInfo(t, rel, a, b)
				default:
					compareArrow(t, rel, a, b)
				}
			}
		})
	}
}

func withManifest(files []string) []string {
	out := append(slices.Clone(files), shard.ManifestFile)
	sort.Strings(out)
	return out
}

// listFiles lists the files under dir, relative and sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(out)
	return out
}

func compareBytes(t *testing.T, rel, want, got string) {
	t.Helper()
	a, _ := os.ReadFile(want)
	b, _ := os.ReadFile(got)
	if !bytes.Equal(a, b) {
		t.Errorf("%s: %q, save_to_disk wrote %q", rel, b, a)
	}
}

// jsonObject reads a JSON object keeping its key order.
func jsonObject(t *testing.T, path string) ([]string, map[string]any, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.Token()
	var keys []string
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	return keys, m, data
}

func compareState(t *testing.T, rel, wantPath, gotPath string) {
	t.Helper()
	wantKeys, want, _ := jsonObject(t, wantPath)
	gotKeys, got, raw := jsonObject(t, gotPath)
	if !slices.Equal(wantKeys, gotKeys) {
		t.Errorf("%s: keys %v, save_to_disk wrote %v", rel, gotKeys, wantKeys)
	}
	for _, k := range []string{"_data_files", "_format_columns", "_format_kwargs", "_format_type", "_output_all_columns"} {
		if !reflect.DeepEqual(want[k], got[k]) {
			t.Errorf("%s: %s is %v, save_to_disk wrote %v", rel, k, got[k], want[k])
		}
	}
	if fp, ok := got["_fingerprint"].(string); !ok || len(fp) != 16 {
		t.Errorf("%s: _fingerprint %v", rel, got["_fingerprint"])
	}
	if _, ok := got["_split"].(string); !ok {
		t.Errorf("%s: _split %v, want the split's name", rel, got["_split"])
	}
	if !bytes.HasPrefix(raw, []byte("{\n  \"_data_files\": [\n    {\n      \"filename\": ")) {
		t.Errorf("%s is not indented as json.dump(indent=2) writes it:\n%s", rel, raw)
	}
}

func compareInfo(t *testing.T, rel, wantPath, gotPath string) {
	t.Helper()
	wantKeys, want, _ := jsonObject(t, wantPath)
	gotKeys, got, _ := jsonObject(t, gotPath)
	if !slices.IsSorted(gotKeys) {
		t.Errorf("%s: top-level keys %v are not sorted as save_to_disk sorts them", rel, gotKeys)
	}
	for _, k := range wantKeys {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: no %q", rel, k)
		}
	}
	for _, k := range gotKeys {
		if _, ok := want[k]; !ok && k != "splits" && k != "dataset_size" {
			t.Errorf("%s: unexpected key %q", rel, k)
		}
	}
	// What describes the dataset is carried over.
	for _, k := range []string{"builder_name", "citation", "config_name", "description", "homepage", "license", "version"} {
		if w, ok := want[k]; ok && !reflect.DeepEqual(w, got[k]) {
			t.Errorf("%s: %s is %v, save_to_disk wrote %v", rel, k, got[k], w)
		}
	}
	// The features are the same, in the same order.
	wf, err := hf.ReadDatasetInfo(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	gf, err := hf.ReadDatasetInfo(gotPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wf.Features.PythonJSON(), gf.Features.PythonJSON()) {
		t.Errorf("%s: features\n%s\nsave_to_disk wrote\n%s", rel, gf.Features.PythonJSON(), wf.Features.PythonJSON())
	}
	if len(gf.Splits) == 0 || gf.DatasetSize == nil {
		t.Errorf("%s: no split sizes", rel)
	}
	for _, s := range gf.Splits {
		if s.NumExamples <= 0 || s.NumBytes <= 0 {
			t.Errorf("%s: split %s: %d examples, %d bytes", rel, s.Name, s.NumExamples, s.NumBytes)
		}
		// A builder's counts go stale when a dataset is cut down before
		// save_to_disk (voxpopuli's); tome writes what the data holds,
		// which the Arrow comparison checks. Where the counts are not
		// stale, the sizes are measured as datasets measures them.
		for _, w := range wf.Splits {
			if w.Name != s.Name {
				continue
			}
			if w.DatasetName != s.DatasetName || (w.NumExamples == s.NumExamples && w.NumBytes != s.NumBytes) {
				t.Errorf("%s: split %+v, save_to_disk wrote %+v", rel, s, w)
			}
		}
	}
}

// compareArrow checks a data file: IPC stream format, the same schema
// and "huggingface" metadata, batches of the same sizes (save_to_disk
// writes 1000 rows a batch).
// oneBatch reads chunk i of r, retained.
func oneBatch(t *testing.T, r *ipc.Reader, i int) arrow.RecordBatch {
	t.Helper()
	var out arrow.RecordBatch
	for b, err := range r.ReadChunk(context.Background(), i) {
		if err != nil {
			t.Fatal(err)
		}
		b.Retain()
		out = b
	}
	if out == nil {
		t.Fatalf("chunk %d is empty", i)
	}
	return out
}

func compareArrow(t *testing.T, rel, wantPath, gotPath string) {
	t.Helper()
	open := func(p string) *ipc.Reader {
		src, err := shard.OpenLocal(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { src.Close() })
		kind, err := format.Detect(src, src.Size(), p)
		if err != nil || kind.Format != format.ArrowStream {
			t.Fatalf("%s: %v %v, want an IPC stream", p, kind, err)
		}
		r, err := ipc.Open(src, src.Size(), ipc.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	want, got := open(wantPath), open(gotPath)
	if diff := shard.SameColumns(want.Schema(), got.Schema()); diff != "" {
		t.Errorf("%s: %s", rel, diff)
	}
	wmd, _ := want.Schema().Metadata().GetValue(hf.MetadataKey)
	gmd, _ := got.Schema().Metadata().GetValue(hf.MetadataKey)
	if wmd != gmd {
		t.Errorf("%s: huggingface metadata\n%s\nsave_to_disk wrote\n%s", rel, gmd, wmd)
	}
	chunks := func(r *ipc.Reader) []int64 {
		var out []int64
		for i := range r.NumChunks() {
			out = append(out, r.ChunkRows(i))
		}
		return out
	}
	if w, g := chunks(want), chunks(got); !slices.Equal(w, g) {
		t.Errorf("%s: batches of %v rows, save_to_disk wrote %v", rel, g, w)
	}
	if w, g := want.Schema().Metadata().Keys(), got.Schema().Metadata().Keys(); !slices.Equal(w, g) {
		t.Errorf("%s: schema metadata keys %v, save_to_disk wrote %v", rel, g, w)
	}
	// And the values, batch by batch.
	for i := range min(want.NumChunks(), got.NumChunks()) {
		wb, gb := oneBatch(t, want, i), oneBatch(t, got, i)
		for c := range int(min(wb.NumCols(), gb.NumCols())) {
			if !array.Equal(wb.Column(c), gb.Column(c)) {
				t.Fatalf("%s: batch %d, column %s differs from save_to_disk's", rel, i, wb.ColumnName(c))
			}
		}
		wb.Release()
		gb.Release()
	}
	if !strings.HasSuffix(rel, ".arrow") {
		t.Errorf("unexpected file %s", rel)
	}
}
