package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// convertTask runs one task of a scale-out conversion in-process.
func convertTask(t *testing.T, index, count int, args ...string) {
	t.Helper()
	convertOK(t, append([]string{"--task-index", fmt.Sprint(index), "--task-count", fmt.Sprint(count)}, args...)...)
}

// Three tasks and a merge write exactly the dataset one task writes, and
// the merge refuses while a slice is missing.
func TestTasksThenMerge(t *testing.T) {
	dir := t.TempDir()
	wholeFiles := splitInput(t, dir, 7)
	// One Parquet file of 10 row groups, cut into row ranges.
	oneFile := filepath.Join(dir, "one.parquet")
	convertOK(t, "--row-group-size", "50", reviews, oneFile)
	for name, tt := range map[string]struct {
		inputs []string
		args   []string
	}{
		"whole files": {wholeFiles, []string{"--to", "parquet", "--max-shard-size", "15kB"}},
		"row ranges":  {[]string{oneFile}, []string{"--to", "arrow", "--max-shard-size", "8kB"}},
		"hf layout":   {wholeFiles, []string{"--to", "hf", "--max-shard-size", "20kB"}},
		"line ranges": {[]string{reviews}, []string{"--to", "parquet", "--max-shard-size", "20kB"}},
	} {
		t.Run(name, func(t *testing.T) {
			ref := filepath.Join(dir, name, "ref")
			convertOK(t, append(append(tt.args, tt.inputs...), ref)...)
			want := readManifest(t, ref)
			if want.Rows != 500 {
				t.Fatalf("reference has %d rows", want.Rows)
			}
			dst := filepath.Join(dir, name, "out")
			args := append(append(tt.args, tt.inputs...), dst)
			convertTask(t, 0, 3, args...)
			convertTask(t, 2, 3, args...)
			plan, err := newStaging(dst).readPlan()
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Units) < 3 {
				t.Fatalf("%d units: too few to give each task some", len(plan.Units))
			}
			if name == "row ranges" && plan.Units[1].Pieces[0].FirstChunk == 0 {
				t.Fatalf("the Parquet file was not cut into row ranges: %+v", plan.Units)
			}
			if name == "line ranges" && plan.Splits[0].Inputs[1].Offset == 0 {
				t.Fatalf("the JSON Lines file was not cut into line ranges: %+v", plan.Splits[0].Inputs)
			}
			if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
				t.Fatal("DST exists before the merge")
			}
			err = merge(t, dst, false)
			if !errors.Is(err, errIncomplete) || !strings.Contains(err.Error(), "unfinished tasks (of 3): 1") {
				t.Fatalf("merge with task 1 missing: %v", err)
			}
			convertTask(t, 1, 3, args...)
			if err := merge(t, dst, false); err != nil {
				t.Fatal(err)
			}
			if got, w := mustJSON(t, readManifest(t, dst)), mustJSON(t, want); got != w {
				t.Fatalf("3 tasks wrote\n%s\none task\n%s", got, w)
			}
			if out, err := verify(t, dst, false); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if err := merge(t, dst, false); err != nil {
				t.Fatalf("merging a finished dataset again: %v", err)
			}
		})
	}
}

// The merge can be rerun after it stopped anywhere: halfway through
// moving the shards, or between moving the old dataset aside and the new
// one in.
func TestMergeResumesAfterACrash(t *testing.T) {
	dir := t.TempDir()
	inputs := splitInput(t, dir, 4)
	args := []string{"--to", "jsonl", "--max-shard-size", "20kB"}
	ref := filepath.Join(dir, "ref")
	convertOK(t, append(append(args, inputs...), ref)...)
	want := mustJSON(t, readManifest(t, ref))
	ctx := context.Background()

	t.Run("shards half moved", func(t *testing.T) {
		dst := filepath.Join(dir, "half")
		convertTask(t, 0, 2, append(append(args, inputs...), dst)...)
		convertTask(t, 1, 2, append(append(args, inputs...), dst)...)
		st := newStaging(dst)
		plan, err := st.readPlan()
		if err != nil {
			t.Fatal(err)
		}
		staged, err := stagedShards(st, plan)
		if err != nil {
			t.Fatal(err)
		}
		// What assemble does first, for one shard, before a crash.
		n := len(staged[0])
		if err := moveShard(staged[0][0].src, filepath.Join(st.outDir(), filepath.FromSlash(shardName(plan, "train", 0, n))), staged[0][0].rec.Bytes); err != nil {
			t.Fatal(err)
		}
		// convert --resume finishes it as merge would.
		convertOK(t, append(append(args, inputs...), "--resume", dst)...)
		if got := mustJSON(t, readManifest(t, dst)); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("published but not cleaned up", func(t *testing.T) {
		dst := filepath.Join(dir, "published")
		convertTask(t, 0, 2, append(append(args, inputs...), dst)...)
		convertTask(t, 1, 2, append(append(args, inputs...), dst)...)
		st := newStaging(dst)
		plan, err := os.ReadFile(st.planFile())
		if err != nil {
			t.Fatal(err)
		}
		if err := merge(t, dst, false); err != nil {
			t.Fatal(err)
		}
		// As if the merge had stopped just before removing the staging.
		os.MkdirAll(st.dir, 0o755)
		os.WriteFile(st.planFile(), plan, 0o644)
		convertOK(t, append(append(args, inputs...), "--resume", dst)...)
		if exists(st.dir) {
			t.Fatal("the staging directory of the finished conversion was kept")
		}
		// Another conversion's staging is left alone.
		os.MkdirAll(st.dir, 0o755)
		os.WriteFile(st.planFile(), []byte("{}"), 0o644)
		convertOK(t, append(append(args, inputs...), "--resume", dst)...)
		if !exists(st.planFile()) {
			t.Fatal("a staging directory of another conversion was removed")
		}
		if got := mustJSON(t, readManifest(t, dst)); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("old dataset moved aside", func(t *testing.T) {
		dst := filepath.Join(dir, "swap")
		convertOK(t, "--to", "parquet", reviews, dst) // the old dataset
		// Stage the new one, then stop between the two renames of
		// publish.
		convertTask(t, 0, 2, append(append(args, inputs...), "--overwrite", dst)...)
		convertTask(t, 1, 2, append(append(args, inputs...), "--overwrite", dst)...)
		st := newStaging(dst)
		plan, _ := st.readPlan()
		if _, err := assemble(ctx, st, plan); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(dst, st.oldDir()); err != nil {
			t.Fatal(err)
		}
		if err := merge(t, dst, true); err != nil {
			t.Fatal(err)
		}
		if got := mustJSON(t, readManifest(t, dst)); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
		if _, err := os.Stat(st.dir); !errors.Is(err, fs.ErrNotExist) {
			t.Fatal("staging directory left behind")
		}
	})

	t.Run("nothing to merge", func(t *testing.T) {
		err := merge(t, filepath.Join(dir, "nothing"), false)
		if err == nil || exitCode(ctx, err) != exitNotFound {
			t.Fatalf("error %v", err)
		}
	})
}
