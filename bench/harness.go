package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tome-data/tome/bench/gen"
)

// harness runs comparisons: it prepares the data and the tome binary, then
// runs each comparison's sides in child processes, alternately.
type harness struct {
	cfg      config
	set      *gen.Set
	tomeBin  string // "" when it could not be built
	tomeErr  error  // why not
	progress io.Writer
}

// childResult is what a child prints on its standard output.
type childResult struct {
	Seconds float64 `json:"seconds"`
	Check   check   `json:"check"`
	Note    string  `json:"note,omitempty"`
	// CPUSeconds is the CPU time of the measured work (see timed).
	CPUSeconds float64 `json:"cpu_seconds"`
	// PeakRSSKB is the child's own peak RSS (see peakRSSKB).
	PeakRSSKB int64 `json:"peak_rss_kb"`
	// PeakAnonKB is the peak anonymous memory of the child and the
	// subprocesses its side ran (see anon.go).
	PeakAnonKB int64 `json:"peak_anon_kb"`
}

// buildTome builds the tome CLI from the repository into the work
// directory, once per run (go build's cache makes a rebuild cheap).
func (h *harness) buildTome(ctx context.Context) {
	if h.cfg.tomeBin != "" {
		h.tomeBin = h.cfg.tomeBin
		return
	}
	out := filepath.Join(h.cfg.workDir, "tome")
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/tome")
	cmd.Dir = h.cfg.repo
	if b, err := cmd.CombinedOutput(); err != nil {
		h.tomeErr = fmt.Errorf("go build ./cmd/tome: %w: %s", err, bytes.TrimSpace(b))
		return
	}
	fmt.Fprintf(h.progress, "built %s in %.1fs\n", out, time.Since(start).Seconds())
	h.tomeBin = out
}

// needTome says why a comparison that runs the tome binary cannot run.
func needTome(h *harness) string {
	if h.tomeBin == "" {
		return fmt.Sprintf("the tome binary could not be built: %v", h.tomeErr)
	}
	return ""
}

// needServe says why workload 8 cannot run: tome serve or its sides are
// missing.
func needServe(h *harness) string {
	if why := needTome(h); why != "" {
		return why
	}
	if err := exec.Command(h.tomeBin, "serve", "--help").Run(); err != nil {
		return "tome serve is not built (the tome binary has no serve command)"
	}
	for _, s := range []string{"tome-serve", "flight-doget"} {
		if _, err := lookupSide(s); err != nil {
			return "the bench sides for tome serve are not written yet"
		}
	}
	return ""
}

// runChild runs one side in a child process and returns its run, with the
// child's CPU time and peak RSS from its rusage.
func (h *harness) runChild(ctx context.Context, sideName string, file gen.File) (run, error) {
	exe, err := os.Executable()
	if err != nil {
		return run{}, err
	}
	args := []string{"-child", sideName, "-file", string(file),
		"-rows", strconv.FormatInt(h.cfg.rows, 10), "-seed", strconv.FormatUint(h.cfg.seed, 10),
		"-threads", strconv.Itoa(h.cfg.threads), "-workdir", h.cfg.workDir, "-tome", h.tomeBin}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.childTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(h.cfg.threads))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("side %s: %w: %s", sideName, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var cr childResult
	if err := json.Unmarshal(stdout.Bytes(), &cr); err != nil {
		return run{}, fmt.Errorf("side %s: reading its result %q: %w", sideName, stdout.Bytes(), err)
	}
	r := run{Seconds: cr.Seconds, Check: cr.Check, Note: cr.Note}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKB = ru.Maxrss // KiB on Linux, but see peakRSSKB
		r.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	if cr.CPUSeconds > 0 {
		r.CPUSeconds = cr.CPUSeconds
	}
	r.PeakAnonKB = cr.PeakAnonKB
	if cr.PeakRSSKB > 0 {
		r.MaxRSSKB = cr.PeakRSSKB
	}
	return r, nil
}

// runComparison runs c's pairs, tome then anchor, and summarizes them.
func (h *harness) runComparison(ctx context.Context, c comparison) result {
	r := result{Workload: c.workload, Name: c.name, Tome: c.tomeLabel, Anchor: c.anchorLabel, Rows: h.cfg.rows, Status: "measured"}
	if c.unavailable != nil {
		if why := c.unavailable(h); why != "" {
			r.Status, r.Note = "not built", why
			return summarize(r, c.target, nil, nil, c.perRow)
		}
	}
	for _, f := range []gen.File{c.tomeFile, c.anchorFile} {
		if _, err := h.set.Path(ctx, f); err != nil {
			return failed(r, c, err)
		}
	}
	var tome, anchor []run
	for i := range h.cfg.pairs {
		t, err := h.runChild(ctx, c.tome, c.tomeFile)
		if err != nil {
			return failed(r, c, err)
		}
		a, err := h.runChild(ctx, c.anchor, c.anchorFile)
		if err != nil {
			return failed(r, c, err)
		}
		fmt.Fprintf(h.progress, "  pair %d: tome %.3fs, anchor %.3fs\n", i+1, t.Seconds, a.Seconds)
		if c.compare {
			if diff := t.Check.agrees(a.Check); diff != "" {
				return failed(r, c, fmt.Errorf("the two sides read different values: %s", diff))
			}
		}
		tome, anchor = append(tome, t), append(anchor, a)
	}
	r.Note = joinNotes(tome[0].Note, anchor[0].Note)
	return summarize(r, c.target, tome, anchor, c.perRow)
}

func failed(r result, c comparison, err error) result {
	r.Status, r.Error = "error", err.Error()
	return summarize(r, c.target, nil, nil, false)
}

func joinNotes(tome, anchor string) string {
	switch {
	case tome == "" && anchor == "":
		return ""
	case anchor == "":
		return "tome: " + tome
	case tome == "":
		return "anchor: " + anchor
	}
	return "tome: " + tome + "; anchor: " + anchor
}
