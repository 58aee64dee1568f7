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

// Sources is a set of record batches of one schema prepared for Gather:
// each batch's columns are checked against the schema and their buffers
// located once, when it is added, however many gathers then draw rows
// from it. A global shuffle's batch of 8,192 rows draws from thousands of
// sources, so preparing them once per batch cost a third of the gather.
//
// A Sources borrows its batches: the caller keeps each alive until it is
// dropped (Keep, Truncate, Reset). Sources are numbered in the order they
// were added; Keep and Truncate renumber them. A Sources is not safe for
// concurrent use.
type Sources struct {
	schema *arrow.Schema
	rows   []int // per source, the length of its shortest column
	cols   []*column
	passed [][]arrow.DataType // per column, type values found equal to the schema's
}

// NewSources returns an empty set of sources of schema.
func NewSources(schema *arrow.Schema) *Sources {
	s := &Sources{schema: schema, cols: make([]*column, schema.NumFields()), passed: make([][]arrow.DataType, schema.NumFields())}
	for i, f := range schema.Fields() {
		s.cols[i] = newColumn(f.Type)
		s.passed[i] = []arrow.DataType{f.Type}
	}
	return s
}

// Len is the number of sources.
func (s *Sources) Len() int { return len(s.rows) }

// Grow makes room for n more sources, so that adding them does not
// reallocate.
func (s *Sources) Grow(n int) {
	s.rows = slices.Grow(s.rows, n)
	for _, c := range s.cols {
		c.grow(n)
	}
}

// Add appends rec as source number Len(). It checks rec's columns against
// the schema and their buffers against their lengths; on error the set is
// unchanged.
func (s *Sources) Add(rec arrow.RecordBatch) error {
	i := len(s.rows)
	if int(rec.NumCols()) != len(s.cols) {
		return fmt.Errorf("gather: %w: source %d has %d columns, want %d", format.ErrSchema, i, rec.NumCols(), len(s.cols))
	}
	// Every column's length counts, not just the first: a malformed batch
	// may have columns shorter than it says.
	shortest := 0
	for c, col := range s.cols {
		d := rec.Column(c).Data()
		if err := s.checkType(c, d.DataType(), i); err != nil {
			s.Truncate(i)
			return err
		}
		if err := col.add(d); err != nil {
			s.Truncate(i)
			return fmt.Errorf("gathering column %s: %w", s.schema.Field(c).Name, err)
		}
		if c == 0 || d.Len() < shortest {
			shortest = d.Len()
		}
	}
	s.rows = append(s.rows, shortest)
	return nil
}

// checkType checks that column c of source i has type dt. The chunks a
// file's reader decodes share a type value, so the values that passed are
// remembered: comparing pointers to a handful of them is far cheaper than
// arrow.TypeEqual, which walks the type (and allocates).
func (s *Sources) checkType(c int, dt arrow.DataType, i int) error {
	passed := s.passed[c]
	if slices.Contains(passed, dt) {
		return nil
	}
	want := s.schema.Field(c).Type
	if !arrow.TypeEqual(dt, want) {
		return fmt.Errorf("gather: %w: column %s of source %d is %s, want %s", format.ErrSchema, s.schema.Field(c).Name, i, dt, want)
	}
	if len(passed) < maxPassedTypes {
		s.passed[c] = append(passed, dt)
	}
	return nil
}

// Truncate keeps the first n sources.
func (s *Sources) Truncate(n int) {
	s.rows = truncated(s.rows, n)
	for _, c := range s.cols {
		c.truncate(n)
	}
}

// Keep keeps the sources i for which keep[i] is set, renumbered in order;
// keep has Len() elements.
func (s *Sources) Keep(keep []bool) {
	if len(keep) != len(s.rows) {
		panic(fmt.Sprintf("gather: Keep of %d sources, %d flags", len(s.rows), len(keep)))
	}
	s.rows = kept(s.rows, keep)
	for _, c := range s.cols {
		c.keep(keep)
	}
}

// Reset drops every source.
func (s *Sources) Reset() { s.Truncate(0) }

// Gather returns a new record batch of the schema holding the rows spans
// pick from the sources, in span order. Large batches gather their
// columns in parallel, on up to GOMAXPROCS goroutines, the costliest
// columns first. Concurrent Gathers on one Sources are safe.
func (s *Sources) Gather(mem memory.Allocator, spans []Span) (arrow.RecordBatch, error) {
	schema := s.schema
	nc := len(s.cols)
	if nc > 0 {
		if _, err := checkSpanLens(spans, s.rows); err != nil {
			for c, col := range s.cols { // name the column
				if _, err := checkSpans(spans, col.data); err != nil {
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
		d, err := gatherPrepared(mem, s.cols[c], spans, n)
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

func gatherPrepared(mem memory.Allocator, c *column, spans []Span, n int) (_ arrow.ArrayData, err error) {
	defer recoverCorrupt(&err)
	return c.gather(mem, spans, n)
}
