// Command bench compares tome with the tools a training job would
// otherwise read its data with — DuckDB, arrow-go's pqarrow, parquet-go,
// arrow-go's compute.Take, Arrow Flight — and with the memory-bandwidth
// floor, on seeded generated data, workload by workload (issue 8 and the
// Performance table of DESIGN.md).
//
// Every comparison runs its two sides alternately (tome, anchor, tome,
// anchor, ...), each in a fresh child process (this binary re-executed with
// the hidden -child flag) with GOMAXPROCS set to -threads, so that the two
// sides' peak memory and CPU time are measured apart. The report gives the
// median of tome's and the anchor's times, the median of the per-pair
// ratios tome_s/anchor_s (wall and CPU), the design's target and whether
// the wall ratio meets it, and both sides' peak RSS and peak anonymous
// memory. Both sides compute a check of the values they read, and a
// comparison whose sides disagree is reported as an error, not a number; a
// comparison whose tome feature does not exist yet reports "not built".
//
// Usage:
//
//	go run . -quick               # everything on 200,000 rows
//	go run . -rows 2000000        # the full run
//	go run . -workloads 2,3 -pairs 5 -threads 2 -json
//	go run . -rows 2000000 -prepare   # only generate the data, build tome
//
// Generated data is cached under -workdir, keyed by rows and seed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/tome-data/tome/bench/gen"
)

// config is the command line.
type config struct {
	rows         int64
	seed         uint64
	pairs        int
	threads      int
	workloads    map[string]bool // nil: all
	json         bool
	workDir      string
	repo         string
	tomeBin      string
	childTimeout time.Duration
	prepareOnly  bool

	child      string   // hidden: run this side and print its result
	cpuProfile string   // with -child: write the side's CPU profile here
	file       gen.File // hidden: the child's input
}

// quickRows is the data set of -quick: large enough for every reader to
// reach its steady state, small enough for the whole run to take minutes.
const quickRows = 200_000

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, fmt.Sprintf("run everything on %d rows", quickRows))
	fs.Int64Var(&c.rows, "rows", 2_000_000, "rows in the generated data set")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated data set")
	fs.IntVar(&c.pairs, "pairs", 3, "tome/anchor pairs per comparison")
	fs.IntVar(&c.threads, "threads", 2, "threads for both sides (GOMAXPROCS, DuckDB's threads)")
	list := fs.String("workloads", "", "comma-separated workloads to run, e.g. 2,3 (default: all)")
	fs.BoolVar(&c.json, "json", false, "print one JSON object per comparison")
	fs.StringVar(&c.workDir, "workdir", filepath.Join(os.TempDir(), "tome-bench"), "where generated data and the tome binary are kept")
	fs.StringVar(&c.repo, "repo", "..", "the tome repository, whose ./cmd/tome is built")
	fs.StringVar(&c.tomeBin, "tome", "", "a tome binary to use instead of building one")
	fs.DurationVar(&c.childTimeout, "timeout", 10*time.Minute, "longest a single run may take")
	fs.BoolVar(&c.prepareOnly, "prepare", false, "only generate the data and build tome, then exit")
	fs.StringVar(&c.child, "child", "", "internal: run one side")
	file := fs.String("file", "", "internal: the side's input file")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "with -child: write a CPU profile of the side to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if *quick && !explicit["rows"] {
		c.rows = quickRows
	}
	c.file = gen.File(*file)
	switch {
	case c.rows <= 0:
		return c, fmt.Errorf("-rows %d: want at least 1", c.rows)
	case c.pairs <= 0:
		return c, fmt.Errorf("-pairs %d: want at least 1", c.pairs)
	case c.threads <= 0:
		return c, fmt.Errorf("-threads %d: want at least 1", c.threads)
	}
	if *list != "" {
		c.workloads = map[string]bool{}
		known := map[string]bool{}
		for _, cmp := range comparisons {
			known[cmp.workload] = true
		}
		for w := range strings.SplitSeq(*list, ",") {
			w = strings.TrimSpace(w)
			if !known[w] {
				return c, fmt.Errorf("-workloads: no workload %q (want 1 to 8)", w)
			}
			c.workloads[w] = true
		}
	}
	abs, err := filepath.Abs(c.workDir)
	if err != nil {
		return c, err
	}
	c.workDir = abs
	return c, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := parseFlags(os.Args[1:], os.Stderr)
	if err == nil {
		if c.child != "" {
			err = runSide(ctx, c, os.Stdout)
		} else {
			err = runAll(ctx, c, os.Stdout, os.Stderr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runSide is the child: it runs one side and prints its result as JSON.
func runSide(ctx context.Context, c config, stdout io.Writer) error {
	s, err := lookupSide(c.child)
	if err != nil {
		return err
	}
	set, err := gen.Open(c.workDir, c.rows, c.seed)
	if err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	sampler.start()
	r, err := s(ctx, &env{set: set, file: c.file, threads: c.threads, tomeBin: c.tomeBin})
	anon := sampler.finish()
	if err != nil {
		return err
	}
	return writeChildResult(stdout, childResult{Seconds: r.Seconds, CPUSeconds: r.CPUSeconds, Check: r.Check, Note: r.Note,
		PeakRSSKB: peakRSSKB(), PeakAnonKB: anon})
}

// runAll is the parent: it prepares the data and runs every selected
// comparison, printing each result as it comes.
func runAll(ctx context.Context, c config, stdout, stderr io.Writer) error {
	start := time.Now()
	if err := os.MkdirAll(c.workDir, 0o755); err != nil {
		return err
	}
	set, err := gen.Open(c.workDir, c.rows, c.seed)
	if err != nil {
		return err
	}
	h := &harness{cfg: c, set: set, progress: stderr}
	m := describeMachine()
	fmt.Fprintf(stderr, "machine: %s; load average %s\n", m, loadAverage())
	var selected []comparison
	for _, cmp := range comparisons {
		if c.workloads == nil || c.workloads[cmp.workload] {
			selected = append(selected, cmp)
		}
	}
	if err := h.prepare(ctx, selected); err != nil {
		return err
	}
	if c.prepareOnly {
		return nil
	}
	var results []result
	for _, cmp := range selected {
		fmt.Fprintf(stderr, "workload %s: %s vs %s\n", cmp.workload, cmp.name, cmp.anchorLabel)
		r := h.runComparison(ctx, cmp)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		results = append(results, r)
		if c.json {
			if err := writeJSON(stdout, r); err != nil {
				return err
			}
		}
	}
	if !c.json {
		writeTable(stdout, results)
		fmt.Fprintf(stdout, "\n%d rows, seed %d, %d pairs, %d threads; %s; load average at the end %s; total %.0fs\n",
			c.rows, c.seed, c.pairs, c.threads, m, loadAverage(), time.Since(start).Seconds())
	}
	return nil
}

// prepare generates the files the comparisons read and builds the tome
// binary if one needs it, reporting how long each took.
func (h *harness) prepare(ctx context.Context, selected []comparison) error {
	needBin := false
	files := map[gen.File]bool{}
	for _, cmp := range selected {
		files[cmp.tomeFile], files[cmp.anchorFile] = true, true
		needBin = needBin || cmp.unavailable != nil
	}
	if needBin {
		h.buildTome(ctx)
	}
	start := time.Now()
	for _, f := range []gen.File{gen.IPCList, gen.IPCFixed, gen.StreamList, gen.ParquetZstd, gen.ParquetSnappy, gen.ParquetFixed, gen.JSONL, gen.Reviews} {
		if !files[f] {
			continue
		}
		if _, err := h.set.Path(ctx, f); err != nil {
			return err
		}
	}
	fmt.Fprintf(h.progress, "data ready in %s (%.1fs)\n", h.set.Dir, time.Since(start).Seconds())
	return nil
}
