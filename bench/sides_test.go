package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tome-data/tome/bench/gen"
)

// TestSidesAgree runs every pair of sides that the report compares on a
// small data set, in this process, and expects the same check from both:
// the anchors read every value, and so does tome. (Workload 7's tome side
// needs the tome binary and is left to the harness run; the DuckDB side's
// output is counted here.)
func TestSidesAgree(t *testing.T) {
	ctx := context.Background()
	set, err := gen.Open(t.TempDir(), 3000, 5)
	if err != nil {
		t.Fatal(err)
	}
	runSide := func(name string, f gen.File) run {
		t.Helper()
		s, err := lookupSide(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s(ctx, &env{set: set, file: f, threads: 2})
		if err != nil {
			t.Fatalf("%s on %s: %v", name, f, err)
		}
		return r
	}
	for _, c := range comparisons {
		if !c.compare || c.unavailable != nil {
			continue
		}
		t.Run(c.tome+"/"+c.anchor+"/"+string(c.tomeFile), func(t *testing.T) {
			tome, anchor := runSide(c.tome, c.tomeFile), runSide(c.anchor, c.anchorFile)
			if tome.Check.Rows != 3000 {
				t.Errorf("tome side read %d rows, want 3000", tome.Check.Rows)
			}
			if d := tome.Check.agrees(anchor.Check); d != "" {
				t.Errorf("checks differ: %s\ntome   %+v\nanchor %+v", d, tome.Check, anchor.Check)
			}
		})
	}
	if r := runSide("duckdb-copy", gen.Reviews); r.Check.Rows != 3000 {
		t.Errorf("DuckDB's conversion wrote %d rows, want 3000", r.Check.Rows)
	}
	// Workload 1's sides read the same file; the raw sum covers more bytes
	// (metadata, padding) than the value buffers.
	tome, raw := runSide("tome-mmap-words", gen.IPCList), runSide("raw-sum", gen.IPCList)
	if tome.Check.Rows != 3000 || tome.Check.Words == 0 || raw.Check.Words == 0 {
		t.Errorf("workload 1: tome %+v, raw %+v", tome.Check, raw.Check)
	}
	// Block shuffle on rank 0 of 2 delivers half the rows.
	for _, f := range []gen.File{gen.IPCList, gen.ParquetZstd} {
		if r := runSide("tome-block", f); r.Check.Rows != 1500 {
			t.Errorf("block, rank 0 of 2, %s: %d rows, want 1500", f, r.Check.Rows)
		}
		if r := runSide("tome-none-rank", f); r.Check.Rows != 1500 {
			t.Errorf("unshuffled, rank 0 of 2, %s: %d rows, want 1500", f, r.Check.Rows)
		}
	}
}

// TestBinarySides runs the sides that drive the tome binary (workloads 7
// and 8) against their anchors, building tome from the repository.
func TestBinarySides(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tome binary")
	}
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "tome")
	build := exec.Command("go", "build", "-o", bin, "./cmd/tome")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building tome: %v\n%s", err, out)
	}
	set, err := gen.Open(t.TempDir(), 2000, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range comparisons {
		if c.workload != "7" && c.workload != "8" {
			continue
		}
		t.Run(c.tome, func(t *testing.T) {
			var got [2]run
			for i, name := range []string{c.tome, c.anchor} {
				s, err := lookupSide(name)
				if err != nil {
					t.Fatal(err)
				}
				f := []gen.File{c.tomeFile, c.anchorFile}[i]
				if got[i], err = s(ctx, &env{set: set, file: f, threads: 2, tomeBin: bin}); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			if got[0].Check.Rows != 2000 {
				t.Errorf("%s: %d rows, want 2000", c.tome, got[0].Check.Rows)
			}
			if d := got[0].Check.agrees(got[1].Check); d != "" {
				t.Errorf("checks differ: %s", d)
			}
		})
	}
}
