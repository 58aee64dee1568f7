package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/format/rowjson"
	"github.com/tome-data/tome/internal/atomicfile"
)

type catOptions struct {
	sourceFlags
	limit int64

	// The training order; any of these flags makes cat print one rank's
	// training stream instead of every row in order.
	shuffle       string
	seed          uint64
	epoch         int
	window        int
	buffer        int
	world, rank   int
	dropRemainder bool
	start         int64
	stateOut      string
	resume        string
}

// trainFlags are the flags that ask for the training order.
var trainFlags = []string{"shuffle", "seed", "epoch", "window", "buffer", "world", "rank", "drop-remainder", "start", "state-out", "resume"}

func newCatCommand(e *env) *cobra.Command {
	var o catOptions
	cmd := &cobra.Command{
		Use:   "cat PATH...",
		Short: "print every row as JSON Lines, streaming, or one rank's training stream",
		Long: "cat streams every row of a dataset as JSON Lines in tome's canonical JSON, " +
			"in bounded memory whatever the dataset's size.\n\n" +
			"With training flags it prints one rank's samples of an epoch in the training order " +
			"instead: --shuffle none|shards|block|global|buffer keyed by --seed and --epoch, " +
			"shared among --world ranks (this is --rank), every rank the same count (padded by " +
			"wrapping around, or --drop-remainder). --start K skips the rank's first K samples " +
			"without reading them; --state-out FILE writes the resume state after the last row " +
			"printed, and --resume FILE continues from such a state exactly, on any --world.",
		Example: "  tome cat data/ --shuffle block --seed 7 --world 8 --rank 3 --limit 1000 --state-out s.json\n" +
			"  tome cat data/ --resume s.json --world 4 --rank 1",
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range trainFlags {
				if cmd.Flags().Changed(name) {
					return runCatTrain(cmd.Context(), e, o, args, cmd.Flags().Changed)
				}
			}
			return runCat(cmd.Context(), e, o, args)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.Int64Var(&o.limit, "limit", -1, "stop after this many rows (default: all)")
	f.StringVar(&o.shuffle, "shuffle", "none", "training order: none, shards, block, global or buffer")
	f.Uint64Var(&o.seed, "seed", 0, "shuffle seed")
	f.IntVar(&o.epoch, "epoch", 0, "epoch: every epoch of a seed has its own order")
	f.IntVar(&o.window, "window", 0, "block shuffle window in rows (default 65536)")
	f.IntVar(&o.buffer, "buffer", 0, "buffer shuffle size in rows (default 1000)")
	f.IntVar(&o.world, "world", 1, "number of ranks sharing the epoch")
	f.IntVar(&o.rank, "rank", 0, "this rank, 0 to world-1")
	f.BoolVar(&o.dropRemainder, "drop-remainder", false, "drop the last partial round instead of padding it")
	f.Int64Var(&o.start, "start", 0, "skip the rank's first K samples (without reading them)")
	f.StringVar(&o.stateOut, "state-out", "", "write the resume state after the last row printed to `FILE`")
	f.StringVar(&o.resume, "resume", "", "continue from the resume state in `FILE`")
	return cmd
}

func runCat(ctx context.Context, e *env, o catOptions, paths []string) error {
	return printRows(ctx, e, o.sourceFlags, paths, o.limit, true)
}

// runCatTrain prints one rank's training stream and, with --state-out,
// the state after the last row printed. changed reports which flags were
// given.
func runCatTrain(ctx context.Context, e *env, o catOptions, paths []string, changed func(string) bool) error {
	opts, err := o.trainOptions(changed)
	if err != nil {
		return err
	}
	ds, err := o.open(ctx, paths)
	if err != nil {
		return err
	}
	defer ds.Close()
	s, err := ds.Train(opts)
	if err != nil {
		if errors.Is(err, dataset.ErrTrainConfig) {
			return usageError{err}
		}
		return err
	}
	defer s.Close()
	printed, err := printStream(ctx, e, s, o.limit)
	if err != nil {
		return err
	}
	if o.stateOut == "" {
		return nil
	}
	st, err := s.State(printed)
	if err != nil {
		return err
	}
	doc, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(o.stateOut, append(doc, '\n'))
}

// trainOptions turns the flags into the training stream's options. With
// --resume the order comes from the state; order flags given as well must
// agree with it.
func (o *catOptions) trainOptions(changed func(string) bool) (dataset.TrainOptions, error) {
	mode, err := dataset.ParseShuffleMode(o.shuffle)
	if err != nil {
		return dataset.TrainOptions{}, usageError{fmt.Errorf("--shuffle: %w", err)}
	}
	if o.limit < -1 {
		return dataset.TrainOptions{}, usageError{fmt.Errorf("--limit %d: want a count, or -1 for all", o.limit)}
	}
	opts := dataset.TrainOptions{
		Mode: mode, Seed: o.seed, Epoch: o.epoch, Window: o.window, BufferSize: o.buffer,
		World: o.world, Rank: o.rank, DropRemainder: o.dropRemainder, Start: o.start,
	}
	if so := o.scanOptions(); so != nil {
		opts.Columns = so.Columns
	}
	if o.resume == "" {
		return opts, nil
	}
	doc, err := os.ReadFile(o.resume)
	if err != nil {
		return opts, err
	}
	st, err := dataset.ParseTrainState(doc)
	if err != nil {
		return opts, fmt.Errorf("--resume %s: %w", o.resume, err)
	}
	conflicts := []struct {
		flag  string
		agree bool
	}{
		{"shuffle", mode.String() == st.Mode},
		{"seed", o.seed == st.Seed},
		{"epoch", o.epoch == st.Epoch},
		{"window", o.window == st.Window},
		{"buffer", o.buffer == st.BufferSize},
	}
	for _, c := range conflicts {
		if changed(c.flag) && !c.agree {
			return opts, usageError{fmt.Errorf("--%s differs from the state in %s, which sets the order; leave it out", c.flag, o.resume)}
		}
	}
	opts.Resume = st
	return opts, nil
}

// printStream writes up to limit samples (all when limit < 0) of s as
// canonical JSON Lines and returns how many it wrote.
func printStream(ctx context.Context, e *env, s *dataset.TrainStream, limit int64) (int64, error) {
	w := bufio.NewWriterSize(e.stdout, 1<<16)
	total := s.Len()
	if limit >= 0 {
		total = min(total, limit)
	}
	bar := newProgress(e.stderr, total, "rows")
	defer bar.finish()
	var enc *rowjson.Encoder
	var buf []byte
	var done int64
	if total == 0 {
		return 0, nil
	}
	for b, err := range s.Batches(ctx) {
		if err != nil {
			return done, err
		}
		if enc == nil {
			enc = rowjson.NewEncoder(b.Schema())
		}
		n := min(b.NumRows(), total-done)
		for i := range int(n) {
			buf = enc.AppendRow(buf[:0], b, i)
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return done, err
			}
		}
		done += n
		bar.add(n)
		if done >= total {
			break
		}
	}
	return done, w.Flush()
}
