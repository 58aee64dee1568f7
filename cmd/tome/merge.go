package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/shard"
)

type mergeOptions struct {
	overwrite bool
	quiet     bool
}

func newMergeCommand(e *env) *cobra.Command {
	var o mergeOptions
	cmd := &cobra.Command{
		Use:   "merge DST",
		Short: "finish a conversion split across tasks: write the dataset once every task is done",
		Long: "merge assembles the dataset that tome convert --task-index i --task-count n " +
			"tasks wrote into the staging directory next to DST: it names the shards, writes " +
			"the layout's files and the manifest tome.json last, and moves the dataset to DST. " +
			"It refuses, naming them, while some task's slice is not finished. " +
			"An existing DST is replaced only with --overwrite.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), e, o, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.overwrite, "overwrite", false, "replace an existing dataset at DST")
	cmd.Flags().BoolVarP(&o.quiet, "quiet", "q", false, "print nothing on success")
	return cmd
}

func runMerge(ctx context.Context, e *env, o mergeOptions, dst string) error {
	st := newStaging(dst)
	plan, err := st.readPlan()
	if errors.Is(err, fs.ErrNotExist) {
		if _, merr := shard.ReadManifest(dst); merr == nil {
			if !o.quiet {
				fmt.Fprintf(e.stderr, "%s is already complete\n", dst)
			}
			return nil
		}
		return fmt.Errorf("%w: no conversion into %s to merge (no %s)", dataset.ErrNotFound, dst, st.planFile())
	}
	if err != nil {
		return err
	}
	m, err := finishDataset(ctx, st, plan, o.overwrite)
	if err != nil {
		return err
	}
	if !o.quiet {
		printSummary(e, m, dst)
	}
	return nil
}

// errIncomplete marks a merge attempted before every unit is converted.
var errIncomplete = errors.New("conversion not finished")

// finishDataset turns the converted units into the dataset at DST: it
// checks that every unit is done, assembles the output in the staging
// directory (tome.json last), moves it to DST and removes the staging
// directory. Each step can be rerun after a crash.
func finishDataset(ctx context.Context, st *staging, plan *convertPlan, overwrite bool) (*shard.Manifest, error) {
	if m, err := shard.ReadManifest(st.dst); err == nil && m.Plan == plan.Request && !exists(st.outDir()) {
		// Published by an earlier run that stopped before cleaning up.
		return m, st.wipe()
	}
	if err := checkUnitsDone(st, plan); err != nil {
		return nil, err
	}
	m, err := assemble(ctx, st, plan)
	if err != nil {
		return nil, err
	}
	if err := publish(st, overwrite); err != nil {
		return nil, err
	}
	return m, st.wipe()
}

// checkUnitsDone refuses to merge while units are missing, naming the
// tasks whose slices they are in.
func checkUnitsDone(st *staging, plan *convertPlan) error {
	var missing []int
	for u := range plan.Units {
		if !exists(st.doneFile(u)) {
			missing = append(missing, u)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	counts := taskCounts(st)
	var tasks []string
	if len(counts) == 1 {
		for t := range counts[0] {
			lo, hi, _ := shard.TaskSlice(toUnits(plan.Units), t, counts[0])
			for _, u := range missing {
				if u >= lo && u < hi {
					tasks = append(tasks, fmt.Sprintf("%d", t))
					break
				}
			}
		}
	}
	msg := fmt.Sprintf("%d of %d units are not converted yet (units %s)", len(missing), len(plan.Units), intRanges(missing))
	if tasks != nil {
		msg += fmt.Sprintf("; unfinished tasks (of %d): %s", counts[0], strings.Join(tasks, ", "))
	}
	return fmt.Errorf("%w: %s: %s; run the missing tasks (with --resume to keep their finished shards), then merge again", errIncomplete, st.dst, msg)
}

// taskCounts lists the distinct --task-count values of finished tasks.
func taskCounts(st *staging) []int {
	entries, _ := os.ReadDir(filepath.Join(st.dir, "tasks"))
	var counts []int
	for _, e := range entries {
		var index, count int
		if _, err := fmt.Sscanf(e.Name(), "task-%05d-of-%05d.json", &index, &count); err == nil && count > 0 {
			found := false
			for _, c := range counts {
				found = found || c == count
			}
			if !found {
				counts = append(counts, count)
			}
		}
	}
	return counts
}

func toUnits(pu []planUnit) []shard.Unit {
	out := make([]shard.Unit, len(pu))
	for i, u := range pu {
		out[i] = shard.Unit{Pieces: u.Pieces, Bytes: u.Bytes}
	}
	return out
}

// intRanges prints sorted integers as ranges: 1-3, 7.
func intRanges(xs []int) string {
	var parts []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(xs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", xs[i], xs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// publish moves the assembled dataset to DST. A new DST appears in one
// rename. Replacing one takes two (DST to old/, out/ to DST): a crash in
// between leaves no DST, never a mix of both, and rerunning finishes.
func publish(st *staging, overwrite bool) error {
	out := st.outDir()
	if err := clearDestination(st.dst, overwrite, st.oldDir()); err != nil {
		return err
	}
	if err := os.Rename(out, st.dst); err != nil {
		return fmt.Errorf("publishing %s: %w", st.dst, err)
	}
	syncDir(filepath.Dir(st.dst))
	return nil
}

// clearDestination makes way for the new dataset: nothing to do for a
// missing DST; an empty directory is removed; an existing dataset is
// moved aside to old with --overwrite and refused without.
func clearDestination(dst string, overwrite bool, old string) error {
	if err := checkDestination(dst, overwrite); err != nil {
		return err
	}
	st, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		if entries, err := os.ReadDir(dst); err == nil && len(entries) == 0 {
			return os.Remove(dst)
		}
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	return os.Rename(dst, old)
}

// checkDestination refuses to replace DST without --overwrite, and with
// it refuses anything that does not look like a dataset, so that a
// mistyped DST cannot delete a home directory.
func checkDestination(dst string, overwrite bool) error {
	st, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		entries, err := os.ReadDir(dst)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
	}
	if !overwrite {
		return fmt.Errorf("%w: %s exists; pass --overwrite to replace it", fs.ErrExist, dst)
	}
	if !st.IsDir() {
		if st.Mode().IsRegular() {
			return nil
		}
		return fmt.Errorf("%w: %s is not a regular file or directory; refusing to replace it", fs.ErrExist, dst)
	}
	for _, marker := range []string{shard.ManifestFile, "dataset_dict.json", "state.json"} {
		if exists(filepath.Join(dst, marker)) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is not a dataset (no %s, dataset_dict.json or state.json); remove it yourself if it should go", fs.ErrExist, dst, shard.ManifestFile)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// syncDir makes renames in dir durable; failure only weakens durability
// after a power loss, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// printSummary tells what a finished conversion wrote.
func printSummary(e *env, m *shard.Manifest, dst string) {
	var shards int
	for _, s := range m.Splits {
		shards += len(s.Shards)
	}
	fmt.Fprintf(e.stderr, "wrote %d rows in %d shards (%s) to %s, splits: %s\n",
		m.Rows, shards, decimalBytes(float64(m.Bytes)), dst, strings.Join(m.SplitNames(), ", "))
}
