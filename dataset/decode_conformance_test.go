package dataset

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/conformance"
)

// decodeReadIPC reads every batch of an IPC stream file with arrow-go (the
// files here are well-formed; tome's own reader has its own tests).
func decodeReadIPC(t *testing.T, mem memory.Allocator, name string) []arrow.RecordBatch {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer r.Release()
	var recs []arrow.RecordBatch
	for r.Next() {
		rec := r.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return recs
}

// decodeReadParquet reads a Parquet file with pqarrow into batches of at
// most 1000 rows.
func decodeReadParquet(t *testing.T, mem memory.Allocator, name string) []arrow.RecordBatch {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 1000)
	defer tr.Release()
	var recs []arrow.RecordBatch
	for tr.Next() {
		rec := tr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	return recs
}

func decodeRelease(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// TestDecodeConformanceGold compares the values decoded from the
// arrow-testing primitive file with the expected content its integration
// JSON gives, through Row.Value and through AppendBatch into maps.
func TestDecodeConformanceGold(t *testing.T) {
	dir := conformance.Dir(t, "arrow-testing/data/arrow-ipc-stream/integration/1.0.0-littleendian")
	gold := decodeLoadGold(t, filepath.Join(dir, "generated_primitive.json.gz"))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := decodeReadIPC(t, mem, filepath.Join(dir, "generated_primitive.stream"))
	defer decodeRelease(recs)
	if len(recs) != len(gold.Batches) {
		t.Fatalf("%d batches, gold has %d", len(recs), len(gold.Batches))
	}
	checked := 0
	for b, rec := range recs {
		dec, err := NewDecoder[map[string]any](rec.Schema())
		if err != nil {
			t.Fatal(err)
		}
		rows, err := dec.AppendBatch(nil, rec)
		if err != nil {
			t.Fatal(err)
		}
		for c, col := range gold.Batches[b].Columns {
			typ := gold.Schema.Fields[c].Type
			for i := range col.Count {
				want, ok := decodeGoldValue(t, typ, col, i)
				if !ok {
					break // a type this test does not know the gold form of
				}
				if got := NewRow(rec, i).Value(c); !cmp.Equal(want, got) {
					t.Errorf("batch %d row %d column %s: Value %#v, gold %#v", b, i, col.Name, got, want)
				}
				if got := rows[i][col.Name]; !cmp.Equal(want, got) {
					t.Errorf("batch %d row %d column %s: AppendBatch %#v, gold %#v", b, i, col.Name, got, want)
				}
				checked++
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d values compared with the gold file", checked)
	}
}

type decodeGold struct {
	Schema struct {
		Fields []struct {
			Type map[string]any `json:"type"`
		} `json:"fields"`
	} `json:"schema"`
	Batches []struct {
		Columns []decodeGoldColumn `json:"columns"`
	} `json:"batches"`
}

type decodeGoldColumn struct {
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Validity []int  `json:"VALIDITY"`
	RawData  []any  `json:"DATA"`
}

func decodeLoadGold(t *testing.T, name string) decodeGold {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(zr)
	dec.UseNumber() // int64 and uint64 values must not go through float64
	var g decodeGold
	if err := dec.Decode(&g); err != nil {
		t.Fatal(err)
	}
	return g
}

// decodeGoldValue is the natural Go value of value i of a gold column, or
// false for the types it does not cover.
func decodeGoldValue(t *testing.T, typ map[string]any, col decodeGoldColumn, i int) (any, bool) {
	if col.Validity[i] == 0 {
		return nil, true
	}
	raw := col.RawData[i]
	num := func() string {
		if n, ok := raw.(json.Number); ok {
			return n.String()
		}
		return raw.(string)
	}
	switch typ["name"] {
	case "bool":
		return raw.(bool), true
	case "int":
		if typ["isSigned"].(bool) {
			v, err := strconv.ParseInt(num(), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v, true
		}
		v, err := strconv.ParseUint(num(), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v, true
	case "floatingpoint":
		v, err := strconv.ParseFloat(num(), 64)
		if err != nil {
			t.Fatal(err)
		}
		if typ["precision"] == "SINGLE" {
			return float64(float32(v)), true
		}
		return v, true
	case "utf8":
		return raw.(string), true
	case "binary", "fixedsizebinary":
		b, err := hex.DecodeString(raw.(string))
		if err != nil {
			t.Fatal(err)
		}
		return b, true
	}
	return nil, false
}

// TestDecodeConformanceIntegration decodes every integration stream of the
// arrow-testing suite (every type Arrow has, nested, dictionary-encoded,
// compressed, from several writers' versions) every way: AppendBatch and
// Decode into maps must agree, and Row.Value must give the same values.
func TestDecodeConformanceIntegration(t *testing.T) {
	var files []string
	for _, dir := range []string{"0.14.1", "0.17.1", "1.0.0-littleendian", "2.0.0-compression", "4.0.0-shareddict"} {
		files = append(files, conformance.Glob(t, filepath.Join("arrow-testing/data/arrow-ipc-stream/integration", dir, "*.stream"))...)
	}
	opts := cmp.Options{cmpopts.EquateNaNs()}
	for _, name := range files {
		t.Run(filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			recs := decodeReadIPC(t, mem, name)
			defer decodeRelease(recs)
			for b, rec := range recs {
				dec, err := NewDecoder[map[string]any](rec.Schema())
				if err != nil {
					t.Fatal(err)
				}
				rows, err := dec.AppendBatch(nil, rec)
				if err != nil {
					// Arrow's generator writes durations in seconds of any
					// int64, which have no time.Duration: the one value
					// error a well-formed file can give.
					if !errors.Is(err, format.ErrSchema) || !strings.Contains(err.Error(), "overflows time.Duration") {
						t.Fatalf("batch %d: %v", b, err)
					}
					t.Logf("batch %d: %v", b, err)
					continue
				}
				dup := decodeDuplicateNames(rec.Schema())
				for i := range int(rec.NumRows()) {
					var row map[string]any
					if err := dec.Decode(rec, i, &row); err != nil {
						t.Fatalf("batch %d row %d: %v", b, i, err)
					}
					if diff := cmp.Diff(rows[i], row, opts); diff != "" {
						t.Fatalf("batch %d row %d: AppendBatch and Decode differ:\n%s", b, i, diff)
					}
					r := NewRow(rec, i)
					for c := range r.NumColumns() {
						name := rec.ColumnName(c)
						if !dup[name] && !cmp.Equal(rows[i][name], r.Value(c), opts) {
							t.Fatalf("batch %d row %d column %s: map %v, Value %v", b, i, name, rows[i][name], r.Value(c))
						}
					}
				}
			}
		})
	}
}

func decodeDuplicateNames(s *arrow.Schema) map[string]bool {
	seen, dup := map[string]bool{}, map[string]bool{}
	for _, f := range s.Fields() {
		dup[f.Name] = seen[f.Name]
		seen[f.Name] = true
	}
	return dup
}

// TestDecodeConformanceHF decodes real Hugging Face outputs into the typed
// structs a training job would declare.
func TestDecodeConformanceHF(t *testing.T) {
	t.Run("tweet_eval irony: text and ClassLabel", func(t *testing.T) {
		type tweet struct {
			Text  string
			Label uint8 // ClassLabel is int64 on disk; checked narrowing
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		recs := decodeReadParquet(t, mem, filepath.Join(conformance.Dir(t, "hf/hub_parquet/tweet_eval_irony/data"), "train-00000-of-00001.parquet"))
		defer decodeRelease(recs)
		dec, err := NewDecoder[tweet](recs[0].Schema())
		if err != nil {
			t.Fatal(err)
		}
		var all []tweet
		for _, rec := range recs {
			if all, err = dec.AppendBatch(all, rec); err != nil {
				t.Fatal(err)
			}
		}
		counts := map[uint8]int{}
		for _, tw := range all {
			counts[tw.Label]++
			if tw.Text == "" {
				t.Errorf("empty tweet: %+v", tw)
			}
		}
		if len(all) != 2862 || len(counts) != 2 || counts[0] == 0 || counts[1] == 0 {
			t.Errorf("%d rows, label counts %v; want 2862 rows of labels 0 and 1", len(all), counts)
		}
	})
	t.Run("NER sequences: lists of strings and of labels", func(t *testing.T) {
		type sentence struct {
			Sentence string
			Tokens   []string
			Labels   []int8
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		recs := decodeReadParquet(t, mem, filepath.Join(conformance.Dir(t, "hf/hub_parquet/ner_mountain_sequences/data"), "train-00000-of-00001.parquet"))
		dec, err := NewDecoder[sentence](recs[0].Schema())
		if err != nil {
			t.Fatal(err)
		}
		var all []sentence
		for _, rec := range recs {
			if all, err = dec.AppendBatch(all, rec); err != nil {
				t.Fatal(err)
			}
		}
		decodeRelease(recs) // the sentences own their values
		if len(all) != 3064 {
			t.Fatalf("%d rows, want 3064", len(all))
		}
		for i, s := range all {
			if len(s.Tokens) == 0 || len(s.Tokens) != len(s.Labels) {
				t.Fatalf("row %d: %d tokens, %d labels", i, len(s.Tokens), len(s.Labels))
			}
			if !strings.Contains(s.Sentence, s.Tokens[0]) {
				t.Fatalf("row %d: first token %q not in %q", i, s.Tokens[0], s.Sentence)
			}
		}
	})
	t.Run("insuranceqa save_to_disk: IPC stream", func(t *testing.T) {
		type question struct {
			Index    int64
			Topic    string `tome:"topic_en"`
			Question string `json:"question_en"`
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		recs := decodeReadIPC(t, mem, filepath.Join(conformance.Dir(t, "hf/save_to_disk/insuranceqa_datasetdict/train"), "data-00000-of-00001.arrow"))
		defer decodeRelease(recs)
		dec, err := NewDecoder[question](recs[0].Schema())
		if err != nil {
			t.Fatal(err)
		}
		var all []question
		for _, rec := range recs {
			if all, err = dec.AppendBatch(all, rec); err != nil {
				t.Fatal(err)
			}
		}
		if len(all) != 12888 || len(recs) != 13 {
			t.Fatalf("%d rows in %d batches, want 12888 in 13", len(all), len(recs))
		}
		minIdx, maxIdx := int64(math.MaxInt64), int64(math.MinInt64)
		for _, q := range all {
			minIdx, maxIdx = min(minIdx, q.Index), max(maxIdx, q.Index)
			if q.Topic == "" || q.Question == "" {
				t.Fatalf("empty field in %+v", q)
			}
		}
		t.Logf("index range [%d, %d], first: %+v", minIdx, maxIdx, all[0])
	})
}
