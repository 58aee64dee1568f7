package dataset

import (
	"fmt"
	"slices"
)

// An indexMap maps a view's rows onto the base rows of its shards: row i of
// the view is base row At(i). Views are lazy: Select, Shuffle, Shard, Filter
// and TrainTestSplit build maps and copy no data. A nil indexMap is the
// identity over every base row.
type indexMap interface {
	Len() int64
	At(i int64) int64
}

// sliceMap lists base rows explicitly (Select, Filter, splits).
type sliceMap []int64

func (m sliceMap) Len() int64       { return int64(len(m)) }
func (m sliceMap) At(i int64) int64 { return m[i] }
func (m sliceMap) String() string   { return fmt.Sprintf("select(%d rows)", len(m)) }
func (m sliceMap) clone() sliceMap  { return slices.Clone(m) }
func (m sliceMap) contiguous() bool {
	return len(m) == 0 || m[len(m)-1]-m[0] == int64(len(m))-1 && slices.IsSorted(m)
}

// rangeMap is the arithmetic progression start, start+step, ... of n rows
// (Shard, both contiguous and strided, and the identity).
type rangeMap struct{ start, step, n int64 }

func (m rangeMap) Len() int64       { return m.n }
func (m rangeMap) At(i int64) int64 { return m.start + i*m.step }

// composedMap is a view of a view: outer picks rows of inner.
type composedMap struct{ outer, inner indexMap }

func (m composedMap) Len() int64       { return m.outer.Len() }
func (m composedMap) At(i int64) int64 { return m.inner.At(m.outer.At(i)) }

// compose returns the map of rows outer taken from a view whose map is
// inner (nil for the identity), flattening explicit lists so chains of
// Select stay one lookup deep.
func compose(outer, inner indexMap) indexMap {
	if inner == nil {
		return outer
	}
	if om, ok := outer.(sliceMap); ok {
		out := make(sliceMap, len(om))
		for i, j := range om {
			out[i] = inner.At(j)
		}
		return out
	}
	if om, ok := outer.(rangeMap); ok {
		if im, ok := inner.(rangeMap); ok {
			return rangeMap{start: im.start + om.start*im.step, step: om.step * im.step, n: om.n}
		}
	}
	return composedMap{outer, inner}
}
