package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"syscall"
	"time"

	"github.com/tome-data/tome/bench/gen"
	"github.com/tome-data/tome/dataset"
)

// env is what a side needs: the data set, the thread count it may use and
// the tome binary (for the sides that run the CLI).
type env struct {
	set     *gen.Set
	file    gen.File // the input the comparison names
	threads int
	tomeBin string
}

// A side is one half of a comparison, run inside a child process. It
// returns the seconds of its measured work, timed by itself around just
// that work (opening the input included, process start excluded), with
// the check of the values it read.
type side func(ctx context.Context, e *env) (run, error)

// sides are all the sides, by the name a child is started with.
var sides = map[string]side{}

func register(name string, s side) {
	if _, dup := sides[name]; dup {
		panic("bench: side registered twice: " + name)
	}
	sides[name] = s
}

// sideNames lists the registered sides, sorted.
func sideNames() []string {
	names := make([]string, 0, len(sides))
	for n := range sides {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// timed runs fn and returns its wall and CPU time with the check and note
// it made. The CPU time is this process's and its waited-for children's
// during fn, so that setup outside the clock (DuckDB's start, the
// concatenation before compute.Take) is outside it too.
func timed(fn func(c *check) (string, error)) (run, error) {
	var c check
	cpu0 := cpuTime()
	start := time.Now()
	note, err := fn(&c)
	r := run{Seconds: time.Since(start).Seconds(), CPUSeconds: (cpuTime() - cpu0).Seconds(), Check: c, Note: note}
	if err != nil {
		return run{}, err
	}
	return r, nil
}

// timedPath is timed for a side that reads its input file: the file is
// generated (or found) outside the clock and fn is given its path.
func timedPath(ctx context.Context, e *env, fn func(c *check, path string) (string, error)) (run, error) {
	path, err := e.set.Path(ctx, e.file)
	if err != nil {
		return run{}, err
	}
	return timed(func(c *check) (string, error) { return fn(c, path) })
}

// timedDataset is timedPath for a side that reads its input through tome:
// opening it with dataset.Open is part of the measured work.
func timedDataset(ctx context.Context, e *env, fn func(c *check, d *dataset.Dataset) error) (run, error) {
	return timedPath(ctx, e, func(c *check, path string) (string, error) {
		d, err := dataset.Open(ctx, path)
		if err != nil {
			return "", err
		}
		defer d.Close()
		return "", fn(c, d)
	})
}

// mapFile maps the file at path read-only; unmap releases the mapping.
func mapFile(path string) (data []byte, unmap func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s: %w", path, err)
	}
	return data, func() { syscall.Munmap(data) }, nil
}

// cpuTime is the user and system time of this process and of the children
// it has waited for.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// lookupSide returns the side named name.
func lookupSide(name string) (side, error) {
	s, ok := sides[name]
	if !ok {
		return nil, fmt.Errorf("unknown side %q (have %v)", name, sideNames())
	}
	return s, nil
}
