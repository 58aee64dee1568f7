package gather

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tome-data/tome/format"
)

// Array returns a new array of the rows spans pick from srcs, in span
// order. The sources must all have the type of srcs[0]; there must be at
// least one source.
func Array(mem memory.Allocator, srcs []arrow.Array, spans []Span) (_ arrow.Array, err error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("gather: no source arrays")
	}
	data := make([]arrow.ArrayData, len(srcs))
	for i, s := range srcs {
		data[i] = s.Data()
	}
	n, err := checkSpans(spans, data)
	if err != nil {
		return nil, err
	}
	dt := srcs[0].DataType()
	if err := sameType(dt, data, ""); err != nil {
		return nil, err
	}
	defer recoverCorrupt(&err)
	out, err := gatherData(mem, dt, data, spans, n)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	return array.MakeFromData(out), nil
}

// Batch returns a new record batch of schema holding the rows spans pick
// from srcs, in span order. Every source must have schema's column types
// (metadata may differ). Large batches gather their columns in parallel,
// on up to GOMAXPROCS goroutines, the costliest columns first. A caller
// that gathers many batches from the same sources should keep them in a
// Sources instead.
func Batch(mem memory.Allocator, schema *arrow.Schema, srcs []arrow.RecordBatch, spans []Span) (arrow.RecordBatch, error) {
	set := NewSources(schema)
	for _, s := range srcs {
		if err := set.Add(s); err != nil {
			return nil, err
		}
	}
	return set.Gather(mem, spans)
}

// checkSpans checks every span against its source and returns the number
// of rows they cover.
func checkSpans(spans []Span, srcs []arrow.ArrayData) (int, error) {
	lens := make([]int, len(srcs))
	for i, s := range srcs {
		lens[i] = s.Len()
	}
	return checkSpanLens(spans, lens)
}

// checkSpanLens checks every span against the row counts of the sources.
func checkSpanLens(spans []Span, lens []int) (int, error) {
	n := 0
	for _, s := range spans {
		if s.Src < 0 || s.Src >= len(lens) {
			return 0, fmt.Errorf("gather: span names source %d of %d", s.Src, len(lens))
		}
		if s.Off < 0 || s.Len < 0 || s.Off > lens[s.Src]-s.Len {
			return 0, fmt.Errorf("gather: rows [%d, %d) outside source %d of %d rows", s.Off, s.Off+s.Len, s.Src, lens[s.Src])
		}
		n += s.Len
	}
	return n, nil
}

func sameType(dt arrow.DataType, srcs []arrow.ArrayData, name string) error {
	// The chunks a file's reader decodes share a type value. A global
	// shuffle's batch draws from thousands of chunks of every file,
	// interleaved, so the values that passed are remembered: comparing
	// pointers to a handful of them is far cheaper than arrow.TypeEqual,
	// which walks the type (and allocates) on every call.
	var buf [8]arrow.DataType
	passed := append(buf[:0], dt)
	last := dt
	for i, s := range srcs {
		st := s.DataType()
		if st == last {
			continue
		}
		last = st
		if slices.Contains(passed, st) {
			continue
		}
		if !arrow.TypeEqual(st, dt) {
			if name != "" {
				name = "column " + name + " of "
			}
			return fmt.Errorf("gather: %w: %ssource %d is %s, want %s", format.ErrSchema, name, i, s.DataType(), dt)
		}
		if len(passed) < maxPassedTypes {
			passed = append(passed, st)
		}
	}
	return nil
}

// maxPassedTypes bounds the type values sameType remembers, so that its
// linear search stays short whatever the number of files.
const maxPassedTypes = 64
