package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/format/ipc"
	"github.com/tome-data/tome/format/parquet"
)

// writeCatShards writes a directory of shards of the given sizes (ids
// counting up across them, a text column derived from the id) in the
// format of ext, batches or row groups of 50 rows.
func writeCatShards(t *testing.T, ext string, sizes ...int) string {
	t.Helper()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "text", Type: arrow.BinaryTypes.String},
	}, nil)
	id := int64(0)
	for s, size := range sizes {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%02d%s", s, ext)))
		if err != nil {
			t.Fatal(err)
		}
		var w format.Writer
		if ext == ".parquet" {
			w, err = parquet.NewWriter(f, schema, parquet.WriteOptions{RowGroupRows: 50})
		} else {
			w, err = ipc.NewStreamWriter(f, schema, ipc.WriteOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < size; off += 50 {
			b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
			for range min(50, size-off) {
				b.Field(0).(*array.Int64Builder).Append(id)
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("text of %d", id))
				id++
			}
			rec := b.NewRecordBatch()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			b.Release()
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// catLines runs cat and returns its lines, failing the test on a non-zero
// exit.
func catLines(t *testing.T, args ...string) []string {
	t.Helper()
	out, errOut, code := tome(t, append([]string{"cat"}, args...)...)
	if code != 0 {
		t.Fatalf("cat %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return splitLines(out)
}

func interleaveLines(ranks [][]string) []string {
	var out []string
	for k := 0; ; k++ {
		for _, r := range ranks {
			if k >= len(r) {
				return out
			}
			out = append(out, r[k])
		}
	}
}

func TestCatTrainingOrder(t *testing.T) {
	for _, ext := range []string{".arrow", ".parquet"} {
		dir := writeCatShards(t, ext, 130, 0, 271, 99)
		plain := catLines(t, dir)
		if len(plain) != 500 {
			t.Fatalf("plain cat gave %d lines, want 500", len(plain))
		}
		for _, mode := range []string{"none", "shards", "block", "global", "buffer"} {
			t.Run(ext+"/"+mode, func(t *testing.T) {
				order := []string{"--shuffle", mode, "--seed", "42", "--epoch", "1", "--window", "64", "--buffer", "32"}
				one := catLines(t, append(order, dir)...)
				if got, want := slices.Sorted(slices.Values(one)), slices.Sorted(slices.Values(plain)); !slices.Equal(got, want) {
					t.Fatalf("--shuffle %s is not a permutation of the rows", mode)
				}
				if mode == "none" && !slices.Equal(one, plain) {
					t.Fatalf("--shuffle none differs from plain cat")
				}
				// Three shards keep their order in one epoch of six; the
				// other modes move rows within them.
				if mode != "none" && mode != "shards" && slices.Equal(one, plain) {
					t.Fatalf("--shuffle %s left the rows in order", mode)
				}
				var ranks [][]string
				for r := range 3 {
					rank := append(slices.Clone(order), "--world", "3", "--rank", fmt.Sprint(r), dir)
					lines := catLines(t, rank...)
					if len(lines) != 167 {
						t.Fatalf("rank %d of 3 gave %d lines, want 167", r, len(lines))
					}
					ranks = append(ranks, lines)
					for _, k := range []int{0, 1, 66, 167, 200} {
						got := catLines(t, append([]string{"--start", fmt.Sprint(k)}, rank...)...)
						if want := lines[min(k, len(lines)):]; !slices.Equal(got, want) {
							t.Fatalf("rank %d --start %d gave %d lines, want the %d after the first %d", r, k, len(got), len(want), k)
						}
					}
				}
				all := interleaveLines(ranks)
				if !slices.Equal(all[:500], one) || !slices.Equal(all[500:], one[:1]) {
					t.Fatalf("ranks interleaved differ from one rank (plus one pad)")
				}
			})
		}
	}
}

func TestCatStateOutAndResume(t *testing.T) {
	dir := writeCatShards(t, ".arrow", 200, 150, 77)
	order := []string{"--shuffle", "buffer", "--seed", "9", "--buffer", "40"}
	one := catLines(t, append(order, dir)...)
	state := filepath.Join(t.TempDir(), "state.json")
	// Rank 1 of 2 prints 100 samples: the ranks together consumed 200.
	first := catLines(t, append(order, "--world", "2", "--rank", "1", "--limit", "100", "--state-out", state, dir)...)
	if len(first) != 100 {
		t.Fatalf("--limit 100 gave %d lines", len(first))
	}
	doc, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	st, err := dataset.ParseTrainState(doc)
	if err != nil || st.Consumed != 200 || st.Mode != "buffer" {
		t.Fatalf("state %s (%v): want buffer mode, 200 consumed", doc, err)
	}
	for _, world := range []int{1, 3} {
		var ranks [][]string
		for r := range world {
			ranks = append(ranks, catLines(t, "--resume", state, "--world", fmt.Sprint(world), "--rank", fmt.Sprint(r), dir))
		}
		if got := interleaveLines(ranks); len(got) < len(one)-200 || !slices.Equal(got[:len(one)-200], one[200:]) {
			t.Fatalf("resumed on %d ranks: %d lines differ from the %d after the first 200", world, len(got), len(one)-200)
		}
	}
	// A chain of resumes: each run prints 50 and saves, the next resumes.
	var chained []string
	for range 20 {
		lines := catLines(t, "--resume", state, "--limit", "50", "--state-out", state, dir)
		chained = append(chained, lines...)
		if len(lines) == 0 {
			break
		}
	}
	if !slices.Equal(chained, one[200:]) {
		t.Fatalf("chained resumes gave %d lines, want the %d after the first 200", len(chained), len(one)-200)
	}
}

func TestCatTrainingErrors(t *testing.T) {
	dir := writeCatShards(t, ".arrow", 20)
	other := writeCatShards(t, ".arrow", 21)
	state := filepath.Join(t.TempDir(), "s.json")
	if _, errOut, code := tome(t, "cat", "--shuffle", "global", "--limit", "5", "--state-out", state, dir); code != 0 {
		t.Fatal(errOut)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.json")
	os.WriteFile(garbage, []byte(`{"version":1,"surprise":true}`), 0o644)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--shuffle", "sideways", dir}, exitUsage, "sideways"},
		{[]string{"--world", "2", "--rank", "2", dir}, exitUsage, "rank"},
		{[]string{"--start", "-1", dir}, exitUsage, "start"},
		{[]string{"--resume", state, other}, exitFailure, "does not match"},
		{[]string{"--resume", state, "--seed", "3", dir}, exitUsage, "--seed"},
		{[]string{"--resume", garbage, dir}, exitFailure, "surprise"},
		{[]string{"--resume", filepath.Join(dir, "missing.json"), dir}, exitNotFound, "missing.json"},
		{[]string{"--shuffle", "global", "../../testdata/reviews.jsonl"}, exitFailure, "random access"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			_, errOut, code := tome(t, append([]string{"cat"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q: want exit %d and one line mentioning %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
	// A resume state is written atomically: a failing run leaves the old one.
	before, _ := os.ReadFile(state)
	if _, _, code := tome(t, "cat", "--resume", state, "--state-out", state, other); code == 0 {
		t.Fatal("resuming on another dataset succeeded")
	}
	if after, _ := os.ReadFile(state); string(after) != string(before) {
		t.Fatalf("a failed run changed the state file")
	}
}
