package gather

import (
	"errors"
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
// on up to GOMAXPROCS goroutines, the costliest columns first.
func Batch(mem memory.Allocator, schema *arrow.Schema, srcs []arrow.RecordBatch, spans []Span) (arrow.RecordBatch, error) {
	nc := schema.NumFields()
	for i, s := range srcs {
		if int(s.NumCols()) != nc {
			return nil, fmt.Errorf("gather: %w: source %d has %d columns, want %d", format.ErrSchema, i, s.NumCols(), nc)
		}
	}
	cols := make([][]arrow.ArrayData, nc)
	// Every column is checked, not just the first: a malformed batch may
	// have columns shorter than it says. The spans are checked once,
	// against each source's shortest column, from a compact slice: a
	// global shuffle's batch draws from thousands of sources, whose array
	// headers are cache misses.
	shortest := make([]int, len(srcs))
	all := make([]arrow.ArrayData, nc*len(srcs)) // one allocation, not one per column
	for c := range nc {
		cols[c] = all[c*len(srcs) : (c+1)*len(srcs) : (c+1)*len(srcs)]
		for i, s := range srcs {
			d := s.Column(c).Data()
			cols[c][i] = d
			if c == 0 || d.Len() < shortest[i] {
				shortest[i] = d.Len()
			}
		}
		if err := sameType(schema.Field(c).Type, cols[c], schema.Field(c).Name); err != nil {
			return nil, err
		}
	}
	if nc > 0 {
		if _, err := checkSpanLens(spans, shortest); err != nil {
			for c := range nc { // name the column
				if _, err := checkSpans(spans, cols[c]); err != nil {
					return nil, fmt.Errorf("column %s: %w", schema.Field(c).Name, err)
				}
			}
			return nil, err
		}
	}
	n := Rows(spans)
	out := make([]arrow.Array, nc)
	errs := make([]error, nc)
	gatherOne := func(c int) {
		f := schema.Field(c)
		if n == 0 {
			out[c] = array.MakeArrayOfNull(mem, f.Type, 0)
			return
		}
		d, err := gatherColumn(mem, f.Type, cols[c], spans, n)
		if err != nil {
			errs[c] = fmt.Errorf("gathering column %s: %w", f.Name, err)
			return
		}
		out[c] = array.MakeFromData(d)
		d.Release()
	}
	forEachColumn(schema, n*nc, gatherOne)
	if err := errors.Join(errs...); err != nil {
		releaseAll(slices.DeleteFunc(out, func(a arrow.Array) bool { return a == nil }))
		return nil, err
	}
	defer releaseAll(out)
	return array.NewRecordBatch(schema, out, int64(n)), nil
}

func gatherColumn(mem memory.Allocator, dt arrow.DataType, data []arrow.ArrayData, spans []Span, n int) (_ arrow.ArrayData, err error) {
	defer recoverCorrupt(&err)
	return gatherData(mem, dt, data, spans, n)
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
