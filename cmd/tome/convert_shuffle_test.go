package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/order"
	"github.com/tome-data/tome/shard"
)

// writeShuffleInput writes rows JSON Lines rows with nulls, strings,
// lists and structs, so that a gather copies every kind of buffer.
func writeShuffleInput(t *testing.T, path string, rows int) {
	t.Helper()
	var b strings.Builder
	for i := range rows {
		name := fmt.Sprintf("%q", strings.Repeat("x", i%17))
		if i%5 == 0 {
			name = "null"
		}
		tags := fmt.Sprintf(`["t%d","u%d"]`, i%3, i%7)
		if i%11 == 0 {
			tags = "[]"
		}
		fmt.Fprintf(&b, `{"id":%d,"name":%s,"tags":%s,"pos":{"x":%d.5,"y":%d}}`+"\n", i, name, tags, i, -i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConvertShuffleFollowsPermutation pins the order of a shuffled
// conversion to its definition: output row k is input row Global(seed).At(k),
// across several gather blocks and input files, whatever kernel gathers it.
func TestConvertShuffleFollowsPermutation(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	const rows, seed = 3000, 5
	writeShuffleInput(t, in, rows)
	// Arrow shards of a few hundred rows each: the gather reads from
	// several files and many chunks.
	arrowDir := filepath.Join(dir, "arrow")
	convertOK(t, "--to", "arrow", "--max-shard-size", "60kB", in, arrowDir)
	if n := len(readManifest(t, arrowDir).Splits[0].Shards); n < 3 {
		t.Fatalf("want an input of several shards, got %d", n)
	}
	input := canonicalLines(t, arrowDir)
	perm, err := order.NewPlan(order.Config{ShardRows: []int64{rows}, Seed: seed, Mode: order.Global})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--to", "jsonl"},
		{"--to", "parquet", "--max-shard-size", "100kB"},
		{"--to", "arrow", "--workers", "1"},
	} {
		dst := filepath.Join(dir, strings.Join(args, ""))
		convertOK(t, append(append(args, "--shuffle-seed", fmt.Sprint(seed)), arrowDir, dst)...)
		got := canonicalLines(t, dst)
		if len(got) != rows {
			t.Fatalf("%v: %d rows, want %d", args, len(got), rows)
		}
		for k, line := range got {
			if want := input[perm.At(int64(k))]; line != want {
				t.Fatalf("%v: output row %d is %s, want input row %d: %s", args, k, line, perm.At(int64(k)), want)
			}
		}
	}
}

// TestGatherBlocks reads a shuffled split block by block, with blocks far
// smaller than planned and a piece that starts after skipped rows, as a
// resumed unit does.
func TestGatherBlocks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	const rows, seed = 2500, 9
	writeShuffleInput(t, in, rows)
	arrowDir := filepath.Join(dir, "arrow")
	convertOK(t, "--to", "arrow", "--max-shard-size", "60kB", in, arrowDir)
	input := canonicalLines(t, arrowDir)

	o := convertOptions{to: "parquet", maxShardSize: "500MB", shuffle: true, shuffleSeed: seed, taskCount: 1}
	spec, err := o.outputSpec()
	if err != nil {
		t.Fatal(err)
	}
	req, err := o.planRequest(spec)
	if err != nil {
		t.Fatal(err)
	}
	sources, err := resolveSources([]string{arrowDir}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := buildPlan(context.Background(), req, sources)
	if err != nil {
		t.Fatal(err)
	}
	sp := plan.Splits[0]
	sp.Shuffle.BlockRows = 300 // 9 blocks, the last one short
	g, err := openGatherSource(sp, readOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	perm, err := order.NewPlan(order.Config{ShardRows: []int64{rows}, Seed: seed, Mode: order.Global})
	if err != nil {
		t.Fatal(err)
	}
	blocks := int((rows + sp.Shuffle.BlockRows - 1) / sp.Shuffle.BlockRows)
	for _, skip := range []int64{0, 1, 299, 300, 1234} {
		left := skip
		var got []string
		p := shard.Piece{FirstChunk: 0, EndChunk: blocks}
		for b, err := range g.pieceBatches(context.Background(), sp.Shuffle, p, &left, memory.DefaultAllocator) {
			if err != nil {
				t.Fatal(err)
			}
			enc := rowjson.NewEncoder(b.Schema())
			for i := range int(b.NumRows()) {
				got = append(got, string(enc.AppendRow(nil, b, i)))
			}
		}
		if left != 0 || int64(len(got)) != rows-skip {
			t.Fatalf("skip %d: %d rows, %d left to skip; want %d rows", skip, len(got), left, rows-skip)
		}
		for k, line := range got {
			pos := skip + int64(k)
			if want := input[perm.At(pos)]; line != want {
				t.Fatalf("skip %d: output row %d is %s, want input row %d: %s", skip, pos, line, perm.At(pos), want)
			}
		}
	}
}
