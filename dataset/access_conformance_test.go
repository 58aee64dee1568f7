package dataset

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/internal/conformance"
)

// valueText renders row i of b column by column through ValueStr, which
// reads through dictionaries, unions and run-end encodings: the gathered
// copy and the file's own batch must render alike even where the gather
// re-encodes (dictionaries are unified, for one).
func valueText(b arrow.RecordBatch, i int) string {
	var sb strings.Builder
	for c, col := range b.Columns() {
		if c > 0 {
			sb.WriteString(" | ")
		}
		if col.IsNull(i) {
			sb.WriteString("null")
			continue
		}
		sb.WriteString(col.ValueStr(i))
	}
	return sb.String()
}

// scanValueText renders every row of ds in order.
func scanValueText(t *testing.T, ds *Dataset) []string {
	t.Helper()
	var out []string
	for b, err := range ds.Batches(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		for i := range int(b.NumRows()) {
			out = append(out, valueText(b, i))
		}
	}
	return out
}

// Row, Take and a shuffled view agree with a plain scan on files no one
// here wrote: the Arrow integration suite (every type the format has,
// compressed bodies, shared dictionaries) and Hugging Face outputs.
func TestRandomAccessConformance(t *testing.T) {
	var files []string
	for _, pattern := range []string{
		"arrow-testing/data/arrow-ipc-stream/integration/1.0.0-littleendian/*.arrow_file",
		"arrow-testing/data/arrow-ipc-stream/integration/1.0.0-littleendian/*.stream",
		"arrow-testing/data/arrow-ipc-stream/integration/2.0.0-compression/*.stream",
		"arrow-testing/data/arrow-ipc-stream/integration/4.0.0-shareddict/*.arrow_file",
		"hf/save_to_disk/insuranceqa_datasetdict/valid",
		"hf/hf_cache/financial_classification_builder_cache",
		"hf/hub_parquet/tweet_eval_irony",
		"hf/hub_parquet/ner_mountain_sequences",
	} {
		files = append(files, conformance.Glob(t, pattern)...)
	}
	root := conformance.Dir(t)
	ctx := context.Background()
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ds, err := Open(ctx, f, WithAllocator(mem))
			if err != nil {
				t.Skipf("does not open (not this test's concern): %v", err)
			}
			defer ds.Close()
			want := scanValueText(t, ds)
			n := int64(len(want))
			if n != ds.Len() {
				t.Fatalf("scan gave %d rows, Len %d", n, ds.Len())
			}
			rng := rand.New(rand.NewPCG(uint64(n), 1))
			for range min(n, 50) {
				i := rng.Int64N(n)
				r, err := ds.Row(ctx, i)
				if err != nil {
					t.Fatal(err)
				}
				if got := valueText(r.Batch(), r.Index()); got != want[i] {
					t.Fatalf("Row(%d) = %s, want %s", i, got, want[i])
				}
				r.Release()
			}
			perm := make([]int64, n)
			for i, p := range rng.Perm(int(n)) {
				perm[i] = int64(p)
			}
			b, err := ds.Take(ctx, perm)
			if err != nil {
				t.Fatal(err)
			}
			for k, i := range perm {
				if got := valueText(b, k); got != want[i] {
					b.Release()
					t.Fatalf("Take row %d (index %d) = %s, want %s", k, i, got, want[i])
				}
			}
			b.Release()
			v, err := ds.Select(perm)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			got := scanValueText(t, v)
			for k, i := range perm {
				if got[k] != want[i] {
					t.Fatalf("shuffled view row %d (base %d) = %s, want %s", k, i, got[k], want[i])
				}
			}
		})
	}
}
