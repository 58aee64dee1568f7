package shard

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tome-data/tome/format"
)

const zeros = "0000000000000000000000000000000000000000000000000000000000000000"

func testManifest(t testing.TB) *Manifest {
	t.Helper()
	md := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info": {"features": {"id": {"dtype": "int64", "_type": "Value"}}}}`})
	schema, err := NewSchema(arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, &md))
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{
		Version: ManifestVersion, Format: "parquet", Compression: "zstd", Layout: LayoutHub, Plan: "abc",
		Splits: []ManifestSplit{
			{Name: "train", Schema: schema, Features: json.RawMessage(`{"id":{"dtype":"int64","_type":"Value"}}`), Shards: []ManifestShard{
				{Path: "data/train-00000-of-00002.parquet", Rows: 10, Bytes: 100, SHA256: zeros},
				{Path: "data/train-00001-of-00002.parquet", Rows: 5, Bytes: 60, SHA256: strings.Repeat("ab", 32)},
			}},
			{Name: "test", Schema: schema, Shards: []ManifestShard{
				{Path: "data/test-00000-of-00001.parquet", Rows: 3, Bytes: 40, SHA256: zeros},
			}},
		},
	}
	m.Total()
	return m
}

func TestManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := testManifest(t)
	if m.Rows != 18 || m.Bytes != 200 || m.Splits[0].Rows != 15 || m.Splits[1].Bytes != 40 {
		t.Fatalf("Total: %+v", m)
	}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Fatalf("read back (-want +got):\n%s", diff)
	}
	s, ok := got.Split("train")
	if !ok || cmp.Diff([]int64{10, 5}, s.ShardRows()) != "" || cmp.Diff([]string{"train", "test"}, got.SplitNames()) != "" {
		t.Fatalf("split lookup: %v %v %v", ok, s.ShardRows(), got.SplitNames())
	}
	schema, err := s.Schema.Arrow()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := schema.Metadata().GetValue("huggingface"); !strings.Contains(v, "int64") || schema.Field(1).Type.String() != "list<item: utf8, nullable>" {
		t.Fatalf("schema lost detail: %v", schema)
	}
}

func TestReadManifestMissing(t *testing.T) {
	if _, err := ReadManifest(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v, want ErrNotFound", err)
	}
}

func TestManifestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *Manifest)
		want   error
	}{
		{"unknown format", func(m *Manifest) { m.Format = "avro" }, format.ErrCorrupt},
		{"format alias", func(m *Manifest) { m.Format = "pq" }, format.ErrCorrupt},
		{"unknown layout", func(m *Manifest) { m.Layout = "zip" }, format.ErrCorrupt},
		{"no splits", func(m *Manifest) { m.Splits = nil; m.Total() }, format.ErrCorrupt},
		{"duplicate split", func(m *Manifest) { m.Splits[1].Name = "train" }, format.ErrCorrupt},
		{"split with a slash", func(m *Manifest) { m.Splits[1].Name = "a/b" }, format.ErrCorrupt},
		{"absolute path", func(m *Manifest) { m.Splits[0].Shards[0].Path = "/etc/passwd" }, format.ErrCorrupt},
		{"escaping path", func(m *Manifest) { m.Splits[0].Shards[0].Path = "../x.parquet" }, format.ErrCorrupt},
		{"unclean path", func(m *Manifest) { m.Splits[0].Shards[0].Path = "data//x.parquet" }, format.ErrCorrupt},
		{"backslash path", func(m *Manifest) { m.Splits[0].Shards[0].Path = `data\x.parquet` }, format.ErrCorrupt},
		{"duplicate path", func(m *Manifest) { m.Splits[1].Shards[0].Path = m.Splits[0].Shards[0].Path }, format.ErrCorrupt},
		{"short checksum", func(m *Manifest) { m.Splits[0].Shards[0].SHA256 = "abc" }, format.ErrCorrupt},
		{"negative rows", func(m *Manifest) { m.Splits[0].Shards[0].Rows = -20; m.Total() }, format.ErrCorrupt},
		{"split total", func(m *Manifest) { m.Splits[0].Rows++ }, format.ErrCorrupt},
		{"manifest total", func(m *Manifest) { m.Bytes-- }, format.ErrCorrupt},
		{"bad schema bytes", func(m *Manifest) { m.Splits[0].Schema.IPC = []byte("garbage") }, format.ErrCorrupt},
		{"schema fields disagree", func(m *Manifest) { m.Splits[0].Schema.Fields[0].Name = "other" }, format.ErrCorrupt},
		{"features not JSON", func(m *Manifest) { m.Splits[0].Features = json.RawMessage("{") }, format.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testManifest(t)
			tt.change(m)
			if err := m.Validate(); !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
	if err := testManifest(t).Validate(); err != nil {
		t.Fatalf("valid manifest: %v", err)
	}
}

func TestParseManifestVersions(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want error
	}{
		{`{"tome_manifest": 2}`, format.ErrUnsupported},
		{`{"format": "parquet"}`, format.ErrCorrupt},
		{`[1, 2]`, format.ErrCorrupt},
		{`{"tome_manifest": 1, "splits": "x"}`, format.ErrCorrupt},
		{``, format.ErrCorrupt},
	} {
		if _, err := ParseManifest([]byte(tt.doc)); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.doc, err, tt.want)
		}
	}
}

func TestReadManifestRefusesHugeFiles(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: large on paper, cheap on disk.
	if err := f.Truncate(maxManifestSize + 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadManifest(dir); !errors.Is(err, format.ErrCorrupt) {
		t.Fatalf("error %v, want ErrCorrupt", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	good, err := testManifest(f).Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"tome_manifest": 1}`))
	f.Add([]byte(`{"tome_manifest": 1, "format": "jsonl", "layout": "hub", "splits": [{"name": "x", "schema": {"fields": [], "ipc": "AAAA"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !errors.Is(err, format.ErrCorrupt) && !errors.Is(err, format.ErrUnsupported) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// What parses is valid, and survives a round trip.
		again, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseManifest(again); err != nil {
			t.Fatalf("re-encoded manifest does not parse: %v", err)
		}
	})
}
