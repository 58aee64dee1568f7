package parquet

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// malformedParquetTesting lists the files of parquet-testing/data that the
// header of parquet-testing/MANIFEST.md names as malformed or expected to
// fail. They must fail cleanly or read; anything else must read.
var malformedParquetTesting = map[string]bool{
	"data/nation.dict-malformed.parquet":                  true,
	"data/datapage_v1-corrupt-checksum.parquet":           true, // bad CRC; tome does not verify CRCs
	"data/rle-dict-uncompressed-corrupt-checksum.parquet": true,
	"data/unknown-logical-type.parquet":                   true,
	"data/incorrect_map_schema.parquet":                   true,
	"data/large_string_map.brotli.parquet":                true,
	"data/int96_from_spark.parquet":                       true,
}

// mustFail are malformed files whose failure matters: the string map
// decompresses past 2 GiB and must be refused by the page size cap.
var mustFail = map[string]bool{
	"data/large_string_map.brotli.parquet": true,
}

// footerRowsWrong are files whose footer row count disagrees with their row
// groups; the rows the row groups hold are what reading yields.
var footerRowsWrong = map[string]int64{
	"data/repeated_no_annotation.parquet": 6, // footer says 0; ids 1..6 are in the file
}

// manifestRow is what a conformance MANIFEST.md table says about a file.
type manifestRow struct {
	rows, rowGroups int64
}

// readManifest parses the file tables of a MANIFEST.md: "| path | size |
// format | rows | row groups | ...". Section headings "## dir" prefix the
// paths that follow them when prefixSections is set (hf/MANIFEST.md).
func readManifest(t *testing.T, path string, prefixSections bool) map[string]manifestRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]manifestRow)
	section := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "## "); ok {
			section = strings.TrimSpace(s)
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 7 {
			continue
		}
		rows, err1 := strconv.ParseInt(strings.TrimSpace(cells[4]), 10, 64)
		groups, err2 := strconv.ParseInt(strings.TrimSpace(cells[5]), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		name := strings.TrimSpace(cells[1])
		if prefixSections {
			name = section + "/" + name
		}
		out[name] = manifestRow{rows: rows, rowGroups: groups}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConformanceParquetTesting(t *testing.T) {
	root := conformance.Dir(t, "parquet-testing")
	manifest := readManifest(t, filepath.Join(root, "MANIFEST.md"), false)
	files := append(conformance.Glob(t, "parquet-testing/data/*.parquet"),
		conformance.Glob(t, "parquet-testing/data/geospatial/*.parquet")...)
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			if malformedParquetTesting[rel] {
				rows, err, elapsed := readTimed(path)
				checkBadOutcome(t, err, elapsed)
				if mustFail[rel] && err == nil {
					t.Fatalf("read %d rows, want an error", rows)
				}
				t.Logf("%d rows, error: %v", rows, err)
				return
			}
			want, ok := manifest[rel]
			if !ok {
				t.Fatalf("%s has no rows in MANIFEST.md", rel)
			}
			if n, ok := footerRowsWrong[rel]; ok {
				want.rows = n
			}
			r := openFile(t, path, Options{})
			if r.NumRows() != want.rows || int64(r.NumChunks()) != want.rowGroups {
				t.Fatalf("footer: %d rows in %d row groups, manifest says %d in %d",
					r.NumRows(), r.NumChunks(), want.rows, want.rowGroups)
			}
			rows, err := drain(r.Batches(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if rows != want.rows {
				t.Fatalf("read %d rows, want %d", rows, want.rows)
			}
		})
	}
}

func TestConformanceHubParquet(t *testing.T) {
	root := conformance.Dir(t, "hf")
	manifest := readManifest(t, filepath.Join(root, "MANIFEST.md"), true)
	files, err := filepath.Glob(filepath.Join(root, "hub_parquet", "*", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(root, "hub_parquet", "*", "data", "*.parquet"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no hub_parquet files")
	}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			want, ok := manifest[rel]
			if !ok {
				t.Fatalf("%s is not in hf/MANIFEST.md", rel)
			}
			r := openFile(t, path, Options{Workers: 2})
			rows, err := drain(r.Batches(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if rows != want.rows || int64(r.NumChunks()) != want.rowGroups {
				t.Fatalf("read %d rows in %d row groups, manifest says %d in %d", rows, r.NumChunks(), want.rows, want.rowGroups)
			}
			// datasets writes its features into the schema metadata; the
			// pandas and old pyarrow uploads carry none.
			_, hasHF := r.Schema().Metadata().GetValue("huggingface")
			writtenByDatasets := !strings.Contains(rel, "pandas") && !strings.Contains(rel, "few-shot-cat")
			if hasHF != writtenByDatasets {
				t.Errorf("huggingface metadata present = %v, want %v", hasHF, writtenByDatasets)
			}
			if r.Schema().Metadata().FindKey(arrowSchemaKey) >= 0 {
				t.Errorf("schema metadata still carries %s", arrowSchemaKey)
			}
		})
	}
}

func TestConformanceEncrypted(t *testing.T) {
	files := append(conformance.Glob(t, "parquet-testing/data/*.parquet.encrypted"),
		conformance.Glob(t, "parquet-testing/data/aes256/*.parquet.encrypted")...)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(bytesReaderAt(b), int64(len(b)), Options{})
			if !errors.Is(err, format.ErrEncrypted) || !strings.Contains(err.Error(), "encrypted, key required") {
				t.Fatalf("got %v, want an ErrEncrypted error saying \"encrypted, key required\"", err)
			}
		})
	}
}

// badInputs are files that must give an error (or, for fuzz cases that are
// valid to arrow-go, read) within badInputDeadline, never panic or hang.
func badInputs(t *testing.T) []string {
	var files []string
	for _, pattern := range []string{
		"parquet-testing/bad_data/*.parquet",
		"arrow-testing/data/parquet/fuzzing/*",
		"arrow-testing/data/parquet/encoding-fuzzing/*",
		"hf/malformed_realworld/*/*.parquet",
	} {
		files = append(files, conformance.Glob(t, pattern)...)
	}
	return files
}

const badInputDeadline = 2 * time.Second

// validBadData are files in bad_data/ that are valid after all: the Parquet
// spec allows a bit width of 0 for dictionary indices (every index is 0),
// and Arrow C++ reads the file since apache/arrow#43607.
var validBadData = map[string]int64{
	"ARROW-GH-43605.parquet": 21186,
}

func TestConformanceBadInput(t *testing.T) {
	for _, path := range badInputs(t) {
		name := filepath.Base(path)
		if strings.HasSuffix(name, ".md") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			rows, err, elapsed := readTimed(path)
			checkBadOutcome(t, err, elapsed)
			switch want, valid := validBadData[name]; {
			case valid && (err != nil || rows != want):
				t.Fatalf("read %d rows, %v; want %d rows", rows, err, want)
			case !valid && strings.Contains(path, "bad_data") && err == nil:
				t.Fatalf("read %d rows, want an error", rows)
			case err == nil:
				t.Logf("reads: %d rows", rows)
			}
		})
	}
}

// TestConformanceBadInputPatchedMagic repeats the fuzz corpus with the
// leading magic forced to PAR1. Open refuses a file without it, which stops
// most of the corpus early; patched, the same bytes reach the decoders.
func TestConformanceBadInputPatchedMagic(t *testing.T) {
	for _, path := range badInputs(t) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < minFileSize || string(b[:4]) == "PAR1" || string(b[len(b)-4:]) != "PAR1" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			copy(b, "PAR1")
			start := time.Now()
			rows, err := readBytes(b)
			checkBadOutcome(t, err, time.Since(start))
			if err == nil {
				t.Logf("reads: %d rows", rows)
			}
		})
	}
}

// checkBadOutcome requires a clean, prompt outcome: no error or one that
// wraps a format sentinel.
func checkBadOutcome(t *testing.T, err error, elapsed time.Duration) {
	t.Helper()
	if elapsed > badInputDeadline {
		t.Errorf("took %v, want under %v", elapsed, badInputDeadline)
	}
	if err == nil {
		return
	}
	for _, s := range []error{format.ErrCorrupt, format.ErrUnsupported, format.ErrEncrypted, format.ErrNotData, format.ErrSchema} {
		if errors.Is(err, s) {
			return
		}
	}
	t.Errorf("error wraps no format sentinel: %v", err)
}

func readTimed(path string) (int64, error, time.Duration) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err, 0
	}
	start := time.Now()
	rows, err := readBytes(b)
	return rows, err, time.Since(start)
}

// readBytes opens b and reads every batch with two workers.
func readBytes(b []byte) (int64, error) {
	r, err := Open(bytesReaderAt(b), int64(len(b)), Options{Workers: 2})
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return drain(r.Batches(context.Background()))
}

func TestAlltypesPlainValues(t *testing.T) {
	path := filepath.Join(conformance.Dir(t, "parquet-testing", "data"), "alltypes_plain.parquet")
	mem := checkedMem(t)
	r := openFile(t, path, Options{ReadOptions: format.ReadOptions{Allocator: mem}})
	tbl := readTable(t, r, mem)
	defer tbl.Release()
	// The values of Impala's alltypes_plain, as Arrow's and Impala's own
	// tests state them.
	want := map[string]string{
		"id":              "[4 5 6 7 2 3 0 1]",
		"bool_col":        "[true false true false true false true false]",
		"tinyint_col":     "[0 1 0 1 0 1 0 1]",
		"smallint_col":    "[0 1 0 1 0 1 0 1]",
		"int_col":         "[0 1 0 1 0 1 0 1]",
		"bigint_col":      "[0 10 0 10 0 10 0 10]",
		"float_col":       "[0 1.1 0 1.1 0 1.1 0 1.1]",
		"double_col":      "[0 10.1 0 10.1 0 10.1 0 10.1]",
		"date_string_col": `["03/01/09" "03/01/09" "04/01/09" "04/01/09" "02/01/09" "02/01/09" "01/01/09" "01/01/09"]`,
		"string_col":      `["0" "1" "0" "1" "0" "1" "0" "1"]`,
	}
	for name, w := range want {
		idx := tbl.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("no column %s", name)
		}
		col := tbl.Column(idx[0]).Data()
		if len(col.Chunks()) != 1 {
			t.Fatalf("%s: %d chunks", name, len(col.Chunks()))
		}
		if got := col.Chunk(0).String(); got != w {
			t.Errorf("%s = %s, want %s", name, got, w)
		}
	}
	// INT96 timestamps: midnight and one minute past on the first of
	// March, April, February and January 2009.
	ts := tbl.Column(tbl.Schema().FieldIndices("timestamp_col")[0]).Data().Chunk(0)
	var got []string
	for i := range ts.Len() {
		got = append(got, time.Unix(0, int64(ts.(*array.Timestamp).Value(i))).UTC().Format("2006-01-02 15:04"))
	}
	wantTS := "2009-03-01 00:00,2009-03-01 00:01,2009-04-01 00:00,2009-04-01 00:01,2009-02-01 00:00,2009-02-01 00:01,2009-01-01 00:00,2009-01-01 00:01"
	if strings.Join(got, ",") != wantTS {
		t.Errorf("timestamp_col = %v, want %s", got, wantTS)
	}
}

// TestExpectedCSV compares files with the *_expect.csv parquet-testing ships
// next to them: same columns in order, an empty field for null.
func TestExpectedCSV(t *testing.T) {
	dir := conformance.Dir(t, "parquet-testing", "data")
	for _, name := range []string{"delta_binary_packed", "delta_byte_array", "delta_encoding_optional_column", "delta_encoding_required_column"} {
		t.Run(name, func(t *testing.T) {
			want := readCSV(t, filepath.Join(dir, name+"_expect.csv"))
			mem := checkedMemAllowing(t, deltaScratchLeak)
			r := openFile(t, filepath.Join(dir, name+".parquet"), Options{ReadOptions: format.ReadOptions{Allocator: mem, BatchSize: 64}})
			if r.Schema().NumFields() != len(want[0]) {
				t.Fatalf("%d columns, the csv has %d", r.Schema().NumFields(), len(want[0]))
			}
			row := 1
			for batch, err := range r.Batches(context.Background()) {
				if err != nil {
					t.Fatal(err)
				}
				for i := range int(batch.NumRows()) {
					if row >= len(want) {
						t.Fatalf("more rows than the csv's %d", len(want)-1)
					}
					for c, col := range batch.Columns() {
						got := ""
						if col.IsValid(i) {
							got = col.ValueStr(i)
						}
						if got != want[row][c] {
							t.Fatalf("row %d, column %s = %q, csv says %q", row-1, batch.ColumnName(c), got, want[row][c])
						}
					}
					row++
				}
			}
			if row != len(want) {
				t.Fatalf("read %d rows, the csv has %d", row-1, len(want)-1)
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}
