package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// convertToDataset writes a dataset directory: plan, convert this task's
// units into the staging directory, and (for a single task) merge.
func convertToDataset(ctx context.Context, e *env, o convertOptions, srcs []string, dst string) error {
	if err := o.checkTasks(); err != nil {
		return err
	}
	spec, err := o.outputSpec()
	if err != nil {
		return err
	}
	req, err := o.planRequest(spec)
	if err != nil {
		return err
	}
	sources, err := resolveSources(srcs, o.config, trimAll(o.splits))
	if err != nil {
		return err
	}
	plan, err := buildPlan(ctx, req, sources)
	if err != nil {
		return err
	}
	st := newStaging(dst)
	if o.resume {
		if m, err := shard.ReadManifest(dst); err == nil && m.Plan == plan.Request {
			// Finished, perhaps by a run that stopped before removing
			// its staging directory.
			if p, err := st.readPlan(); err == nil && p.Request == plan.Request {
				if err := st.wipe(); err != nil {
					return err
				}
			}
			if err := st.removeLeftovers(); err != nil {
				return err
			}
			if !o.quiet {
				fmt.Fprintf(e.stderr, "%s is already converted; nothing to do\n", dst)
			}
			return nil
		}
	}
	if err := checkDestination(dst, o.overwrite); err != nil {
		return err
	}
	if o.taskCount == 1 && !o.resume {
		if err := st.wipe(); err != nil {
			return err
		}
	}
	progress := newConvertProgress(e.stderr, o.quiet)
	err = convertPlanned(ctx, e, o, st, plan, sources, progress)
	if err != nil {
		if !st.exists() {
			return err
		}
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			// The exit message is just "interrupted": say where things are.
			if !o.quiet {
				fmt.Fprintf(e.stderr, "tome: the finished shards are kept in %s; rerun with --resume to continue\n", st.dir)
			}
			return err
		}
		return fmt.Errorf("%w (finished shards are kept in %s: --resume continues, or delete it)", err, st.dir)
	}
	if o.taskCount > 1 {
		if !o.quiet {
			fmt.Fprintf(e.stderr, "task %d of %d finished; run tome merge %s once every task has\n", o.taskIndex, o.taskCount, dst)
		}
		return nil
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

// convertPlanned runs this task's slice of the plan, first making the
// shuffle's random-access copy of the input if the plan needs one.
func convertPlanned(ctx context.Context, e *env, o convertOptions, st *staging, plan *convertPlan, sources []sourceSplit, progress *convertProgress) error {
	if plan.materialize {
		final, err := materializeForShuffle(ctx, e, o, st, plan, sources)
		if err != nil {
			return err
		}
		*plan = *final
	}
	if err := st.usePlan(plan); err != nil {
		return err
	}
	lo, hi, err := shard.TaskSlice(toUnits(plan.Units), o.taskIndex, o.taskCount)
	if err != nil {
		return usageError{err}
	}
	c, err := newConverter(plan, st, o.resume, progress)
	if err != nil {
		return err
	}
	bytes, _ := plan.totals(lo, hi)
	stage := o.stage
	if stage == "" {
		stage = "converting"
	}
	progress.begin(stage, bytes)
	err = c.run(ctx, lo, hi, o.workers)
	progress.end()
	if err != nil {
		return err
	}
	return writeJSONFile(st.taskFile(o.taskIndex, o.taskCount), struct {
		Plan  string `json:"plan"`
		Units [2]int `json:"units"`
	}{plan.Fingerprint, [2]int{lo, hi}})
}

// materializeForShuffle converts the input to uncompressed Arrow in the
// staging directory (itself a resumable conversion, with the column
// options applied), then plans the shuffled conversion of that copy. The
// plan keeps the request of the original, which is what identifies the
// conversion.
func materializeForShuffle(ctx context.Context, e *env, o convertOptions, st *staging, plan *convertPlan, sources []sourceSplit) (*convertPlan, error) {
	copyDir := st.shuffleInput()
	m, err := shard.ReadManifest(copyDir)
	if err != nil || !o.resume {
		co := o
		co.to, co.compression, co.level, co.rowGroupSize, co.rowsPerShard = format.ArrowFile.String(), "", 0, 0, 0
		co.shuffle, co.resume, co.overwrite = false, o.resume, true
		co.taskIndex, co.taskCount = 0, 1
		co.stage = "copying for the shuffle"
		if err := convertCopy(ctx, e, co, sources, copyDir); err != nil {
			return nil, fmt.Errorf("copying the input for the shuffle: %w", err)
		}
		if m, err = shard.ReadManifest(copyDir); err != nil {
			return nil, err
		}
	}
	info := map[string]*sourceInfo{}
	for _, s := range sources {
		info[s.name] = s.info
	}
	var copied []sourceSplit
	for _, ms := range m.Splits {
		s := sourceSplit{name: ms.Name, info: info[ms.Name]}
		for _, sh := range ms.Shards {
			s.files = append(s.files, filepath.Join(copyDir, filepath.FromSlash(sh.Path)))
		}
		copied = append(copied, s)
	}
	req, err := convertOptions{shuffle: true, shuffleSeed: o.shuffleSeed, taskCount: 1}.planRequest(plan.Output)
	if err != nil {
		return nil, err
	}
	final, err := buildPlan(ctx, req, copied)
	if err != nil {
		return nil, err
	}
	if final.materialize {
		return nil, fmt.Errorf("%w: the copy made for the shuffle cannot be read at random", format.ErrUnsupported)
	}
	final.Request = plan.Request
	return final, nil
}

// convertCopy converts already resolved sources into a dataset directory,
// without a shuffle, as a conversion of its own.
func convertCopy(ctx context.Context, e *env, o convertOptions, sources []sourceSplit, dst string) error {
	spec, err := o.outputSpec()
	if err != nil {
		return err
	}
	req, err := o.planRequest(spec)
	if err != nil {
		return err
	}
	plan, err := buildPlan(ctx, req, sources)
	if err != nil {
		return err
	}
	if m, err := shard.ReadManifest(dst); err == nil && m.Plan == plan.Request {
		return nil
	}
	st := newStaging(dst)
	if !o.resume {
		if err := st.wipe(); err != nil {
			return err
		}
	}
	progress := newConvertProgress(e.stderr, o.quiet)
	if err := convertPlanned(ctx, e, o, st, plan, sources, progress); err != nil {
		return err
	}
	_, err = finishDataset(ctx, st, plan, true)
	return err
}
