package hf

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tome-data/tome/format"
)

// oldDatasetInfo is dataset_info.json as datasets 1.x wrote it: every
// member present, nulls included, splits and a version with a description.
const oldDatasetInfo = `{"description": "d", "citation": "c", "homepage": "h", "license": "l",
 "features": {"text": {"dtype": "string", "id": null, "_type": "Value"}},
 "post_processed": null, "supervised_keys": {"input": "text", "output": "label"},
 "task_templates": [{"task": "text-classification"}],
 "builder_name": "csv", "config_name": "default",
 "version": {"version_str": "1.2.3", "description": null, "major": 1, "minor": 2, "patch": 3},
 "splits": {"train": {"name": "train", "num_bytes": 10, "num_examples": 2, "dataset_name": "csv"}},
 "download_checksums": {"data.csv": {"num_bytes": 7, "checksum": "abc"}},
 "download_size": 7, "post_processing_size": null, "dataset_size": 10, "size_in_bytes": 17}`

func TestParseOldDatasetInfo(t *testing.T) {
	info, err := ParseDatasetInfo([]byte(oldDatasetInfo))
	if err != nil {
		t.Fatal(err)
	}
	checksum := "abc"
	n7, n10, n17 := int64(7), int64(10), int64(17)
	want := &DatasetInfo{
		Description: "d", Citation: "c", Homepage: "h", License: "l",
		BuilderName: "csv", ConfigName: "default",
		Version:           &Version{VersionStr: "1.2.3", Major: 1, Minor: 2, Patch: 3},
		Splits:            []SplitInfo{{Name: "train", NumBytes: 10, NumExamples: 2, DatasetName: "csv"}},
		DownloadChecksums: []DownloadChecksum{{URL: "data.csv", NumBytes: 7, Checksum: &checksum}},
		DownloadSize:      &n7, DatasetSize: &n10, SizeInBytes: &n17,
	}
	got := *info
	got.Features, got.extra = nil, nil
	if diff := cmp.Diff(*want, got, cmp.AllowUnexported(DatasetInfo{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(info.extra) != 3 {
		t.Errorf("kept %d unmodelled members, want post_processed, supervised_keys, task_templates", len(info.extra))
	}
	// Written back as a current datasets writes it: sorted, nulls dropped,
	// unmodelled members kept.
	wantOut := `{
  "builder_name": "csv",
  "citation": "c",
  "config_name": "default",
  "dataset_size": 10,
  "description": "d",
  "download_checksums": {
    "data.csv": {
      "num_bytes": 7,
      "checksum": "abc"
    }
  },
  "download_size": 7,
  "features": {
    "text": {
      "dtype": "string",
      "id": null,
      "_type": "Value"
    }
  },
  "homepage": "h",
  "license": "l",
  "post_processed": null,
  "size_in_bytes": 17,
  "splits": {
    "train": {
      "name": "train",
      "num_bytes": 10,
      "num_examples": 2,
      "dataset_name": "csv"
    }
  },
  "supervised_keys": {
    "input": "text",
    "output": "label"
  },
  "task_templates": [
    {
      "task": "text-classification"
    }
  ],
  "version": {
    "version_str": "1.2.3",
    "major": 1,
    "minor": 2,
    "patch": 3
  }
}`
	if got := string(info.Encode()); got != wantOut {
		t.Errorf("Encode:\n%s", cmp.Diff(wantOut, got))
	}
}

// TestParseOlderShapes covers the list-of-splits and string-version forms.
func TestParseOlderShapes(t *testing.T) {
	info, err := ParseDatasetInfo([]byte(`{"splits": [{"name": "test", "num_bytes": 1, "num_examples": 3,
		"shard_lengths": [2, 1]}], "version": "0.1.0", "features": null, "description": null}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Splits) != 1 || info.Splits[0].Name != "test" || !cmp.Equal(info.Splits[0].ShardLengths, []int64{2, 1}) {
		t.Errorf("splits %+v", info.Splits)
	}
	if info.Version == nil || info.Version.Minor != 1 || info.Version.VersionStr != "0.1.0" {
		t.Errorf("version %+v", info.Version)
	}
	if info.Features != nil {
		t.Errorf("null features parsed as %v", info.Features)
	}
}

func TestNewDatasetInfoEncode(t *testing.T) {
	info := &DatasetInfo{Features: &Features{Fields: []Field{{"x", Value("int64")}}}}
	want := "{\n  \"citation\": \"\",\n  \"description\": \"\",\n  \"features\": {\n    \"x\": {\n      \"dtype\": \"int64\",\n" +
		"      \"_type\": \"Value\"\n    }\n  },\n  \"homepage\": \"\",\n  \"license\": \"\"\n}"
	if got := string(info.Encode()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	compact, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	if diff := sameJSON(t, []byte(want), compact); diff != "" {
		t.Errorf("MarshalJSON differs: %s", diff)
	}
}

func TestNewState(t *testing.T) {
	s := NewState(2, "train", NewFingerprint("a", "b"))
	got, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "_data_files": [
    {
      "filename": "data-00000-of-00002.arrow"
    },
    {
      "filename": "data-00001-of-00002.arrow"
    }
  ],
  "_fingerprint": "` + s.Fingerprint + `",
  "_format_columns": null,
  "_format_kwargs": {},
  "_format_type": null,
  "_output_all_columns": false,
  "_split": "train"
}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(s.Fingerprint) != 16 || NewFingerprint("a", "b") != s.Fingerprint || NewFingerprint("ab") == s.Fingerprint {
		t.Errorf("fingerprint %q is not a stable 16-digit digest of its parts", s.Fingerprint)
	}
}

func TestStateFormatKwargsAndExtras(t *testing.T) {
	in := `{"_data_files": [{"filename": "x.arrow"}], "_fingerprint": "f", "_format_columns": ["b", "a"],
		"_format_kwargs": {"dtype": "float32", "device": {"z": 1, "a": 2}}, "_format_type": "torch",
		"_indexes": {}, "_output_all_columns": true, "_split": null}`
	s, err := ParseState([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.FormatType != "torch" || !s.OutputAllColumns || s.Split != "" || !cmp.Equal(s.FormatColumns, []string{"b", "a"}) {
		t.Errorf("parsed %+v", s)
	}
	got, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_data_files":[{"filename":"x.arrow"}],"_fingerprint":"f","_format_columns":["b","a"],` +
		`"_format_kwargs":{"device":{"a":2,"z":1},"dtype":"float32"},"_format_type":"torch","_indexes":{},` +
		`"_output_all_columns":true,"_split":null}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		in    string
	}{
		{"info not json", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `{"description": `},
		{"info not object", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `[]`},
		{"info bad size", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `{"dataset_size": "big"}`},
		{"info bad splits", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `{"splits": 3}`},
		{"info bad split count", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `{"splits": {"a": {"num_examples": "x"}}}`},
		{"info bad features", func(b []byte) error { _, err := ParseDatasetInfo(b); return err }, `{"features": {"a": 1}}`},
		{"state bad files", func(b []byte) error { _, err := ParseState(b); return err }, `{"_data_files": [{"name": "x"}]}`},
		{"state bad columns", func(b []byte) error { _, err := ParseState(b); return err }, `{"_format_columns": "a"}`},
		{"state bad split", func(b []byte) error { _, err := ParseState(b); return err }, `{"_split": 1}`},
		{"dict no splits", func(b []byte) error { _, err := ParseDatasetDict(b); return err }, `{"split": ["a"]}`},
		{"dict bad split", func(b []byte) error { _, err := ParseDatasetDict(b); return err }, `{"splits": [1]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.parse([]byte(tt.in)); !errors.Is(err, format.ErrCorrupt) {
				t.Errorf("got %v, want an ErrCorrupt error", err)
			}
		})
	}
}

// TestFilesRoundTrip writes the three files into a directory with the
// Write functions and reads them back with the Read functions.
func TestFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	info := &DatasetInfo{Description: "é", Features: &Features{Fields: []Field{{"label", ClassLabel("a", "b")}}}}
	state := NewState(1, "", "0123456789abcdef")
	dict := &DatasetDict{Splits: []string{"train", "test"}}
	if err := WriteDatasetInfo(dir, info); err != nil {
		t.Fatal(err)
	}
	if err := WriteState(filepath.Join(dir, StateFile), state); err != nil {
		t.Fatal(err)
	}
	if err := WriteDatasetDict(dir, dict); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, DatasetDictFile))
	if string(raw) != `{"splits": ["train", "test"]}` {
		t.Errorf("dataset_dict.json is %s", raw)
	}
	gotInfo, err := ReadDatasetInfo(filepath.Join(dir, DatasetInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(gotInfo.Encode()) != string(info.Encode()) {
		t.Errorf("info read back differs: %s", gotInfo.Encode())
	}
	gotState, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(state, gotState, cmp.AllowUnexported(State{})); diff != "" {
		t.Errorf("state read back (-want +got):\n%s", diff)
	}
	gotDict, err := ReadDatasetDict(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(gotDict.Splits, dict.Splits) {
		t.Errorf("splits %v", gotDict.Splits)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d entries, want the 3 files and no temporaries", len(entries))
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadState(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	lfs := filepath.Join(dir, "lfs.json")
	os.WriteFile(lfs, []byte("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n"), 0o644)
	if _, err := ReadDatasetInfo(lfs); !errors.Is(err, format.ErrNotData) {
		t.Errorf("LFS pointer: %v, want ErrNotData", err)
	}
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, nil, 0o644)
	if _, err := ReadDatasetDict(empty); !errors.Is(err, format.ErrCorrupt) {
		t.Errorf("empty file: %v, want ErrCorrupt", err)
	}
	html := filepath.Join(dir, "page.json")
	os.WriteFile(html, []byte("<!DOCTYPE html><html></html>"), 0o644)
	_, err := ReadState(html)
	if !errors.Is(err, format.ErrCorrupt) || !strings.Contains(err.Error(), "page.json") {
		t.Errorf("HTML page: %v, want an ErrCorrupt error naming the file", err)
	}
}

func TestDataFileName(t *testing.T) {
	if got := DataFileName(3, 12); got != "data-00003-of-00012.arrow" {
		t.Errorf("got %s", got)
	}
}
