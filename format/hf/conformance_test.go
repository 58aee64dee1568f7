package hf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/tome-data/tome/internal/conformance"
)

// hfFiles returns the conformance files under hf/ named name, or with the
// extension ext, outside malformed_realworld.
func hfFiles(t *testing.T, match func(path string) bool) []string {
	t.Helper()
	root := conformance.Dir(t, "hf")
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "malformed_realworld" {
			return filepath.SkipDir
		}
		if !d.IsDir() && match(p) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("conformance data: no files matched")
	}
	return out
}

func rel(t *testing.T, p string) string {
	r, err := filepath.Rel(conformance.Dir(t), p)
	if err != nil {
		return p
	}
	return r
}

// sameJSON compares two documents as values, ignoring key order and
// spacing.
func sameJSON(t *testing.T, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got: %v", err)
	}
	return cmp.Diff(w, g)
}

// TestConformanceDatasetInfo parses every dataset_info.json and checks
// that writing it back gives the same JSON: byte for byte for the files
// save_to_disk wrote, as values for the builder cache's one-line file.
func TestConformanceDatasetInfo(t *testing.T) {
	for _, p := range hfFiles(t, func(p string) bool { return filepath.Base(p) == DatasetInfoFile }) {
		t.Run(rel(t, p), func(t *testing.T) {
			info, err := ReadDatasetInfo(p)
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := os.ReadFile(p)
			if info.Features == nil || len(info.Features.Fields) == 0 {
				t.Errorf("no features parsed")
			}
			got := info.Encode()
			if strings.Contains(p, "save_to_disk") {
				if string(got) != string(orig) {
					t.Errorf("Encode differs from the file:\n%s", cmp.Diff(string(orig), string(got)))
				}
				return
			}
			if diff := sameJSON(t, orig, got); diff != "" {
				t.Errorf("Encode differs from the file (-file +got):\n%s", diff)
			}
		})
	}
}

func TestConformanceState(t *testing.T) {
	for _, p := range hfFiles(t, func(p string) bool { return filepath.Base(p) == StateFile }) {
		t.Run(rel(t, p), func(t *testing.T) {
			s, err := ReadState(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.DataFiles) == 0 || s.Fingerprint == "" {
				t.Errorf("state without data files or fingerprint: %+v", s)
			}
			got, err := s.Encode()
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := os.ReadFile(p)
			if string(got) != string(orig) {
				t.Errorf("Encode differs from the file:\n%s", cmp.Diff(string(orig), string(got)))
			}
		})
	}
}

func TestConformanceDatasetDict(t *testing.T) {
	for _, p := range hfFiles(t, func(p string) bool { return filepath.Base(p) == DatasetDictFile }) {
		t.Run(rel(t, p), func(t *testing.T) {
			d, err := ReadDatasetDict(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, split := range d.Splits {
				if _, err := ReadState(filepath.Join(filepath.Dir(p), split)); err != nil {
					// Some snapshots lack a split's files entirely.
					if !os.IsNotExist(err) {
						t.Errorf("split %s: %v", split, err)
					}
				}
			}
			orig, _ := os.ReadFile(p)
			if got := d.Encode(); string(got) != string(orig) {
				t.Errorf("Encode = %s, file has %s", got, orig)
			}
		})
	}
}

// readSchema reads the schema of an Arrow IPC stream or a Parquet file.
func readSchema(t *testing.T, p string) *arrow.Schema {
	t.Helper()
	switch filepath.Ext(p) {
	case ".arrow":
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := ipc.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Release()
		return r.Schema()
	case ".parquet":
		pf, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		defer pf.Close()
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		s, err := fr.Schema()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Fatalf("not a data file: %s", p)
	return nil
}

func isDataFile(p string) bool {
	return strings.HasSuffix(p, ".arrow") || strings.HasSuffix(p, ".parquet")
}

// TestConformanceSchemaMetadata checks, for every data file datasets wrote:
// the features in its schema metadata parse; written back with
// WithFeatures they give the original metadata byte for byte; they map to
// the Arrow types the file has; FromSchema keeps them; and features
// inferred from the schema alone map back to the same types.
func TestConformanceSchemaMetadata(t *testing.T) {
	withFeatures := 0
	for _, p := range hfFiles(t, isDataFile) {
		t.Run(rel(t, p), func(t *testing.T) {
			schema := readSchema(t, p)
			inferred, err := FromArrow(schema)
			if err != nil {
				t.Fatalf("FromArrow: %v", err)
			}
			checkLayout(t, "inferred features", inferred, schema)

			f, ok, err := FromMetadata(schema.Metadata())
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				if _, has := schema.Metadata().GetValue(MetadataKey); has {
					t.Fatal("metadata present but not found")
				}
				return
			}
			withFeatures++
			orig, _ := schema.Metadata().GetValue(MetadataKey)
			rewritten, _ := WithFeatures(schema, f).Metadata().GetValue(MetadataKey)
			if rewritten != orig {
				t.Errorf("metadata written back differs:\n%s", cmp.Diff(orig, rewritten))
			}
			checkLayout(t, "recorded features", f, schema)

			resolved, err := FromSchema(schema)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := f.MarshalJSON()
			got, _ := resolved.MarshalJSON()
			if string(want) != string(got) {
				t.Errorf("FromSchema did not keep the recorded features:\nwant %s\ngot  %s", want, got)
			}
		})
	}
	if withFeatures < 20 {
		t.Errorf("only %d files had features metadata; the conformance data has more", withFeatures)
	}
}

// checkLayout checks that the Arrow schema of f has the layout of schema.
func checkLayout(t *testing.T, what string, f *Features, schema *arrow.Schema) {
	t.Helper()
	as, err := f.Arrow()
	if err != nil {
		t.Fatalf("%s: Arrow: %v", what, err)
	}
	if as.NumFields() != schema.NumFields() {
		t.Fatalf("%s: %d fields, file has %d", what, as.NumFields(), schema.NumFields())
	}
	for i, fld := range schema.Fields() {
		if got := as.Field(i); got.Name != fld.Name || !sameLayout(got.Type, fld.Type) {
			t.Errorf("%s: field %d is %s: %s, file has %s: %s", what, i, got.Name, got.Type, fld.Name, fld.Type)
		}
	}
}
