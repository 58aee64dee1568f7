package dataset

import (
	"fmt"
	"sort"
)

// runsBuilder collects increasing row positions as runs of consecutive
// rows, which is what filters keep: long stretches, or scattered rows.
type runsBuilder struct {
	first []int64 // first row of each run
	pos   []int64 // position of each run's first row among the kept rows
	n     int64   // rows kept
}

// add appends row, which must be greater than every row added before.
func (r *runsBuilder) add(row int64) {
	last := len(r.first) - 1
	if last >= 0 && r.first[last]+(r.n-r.pos[last]) == row {
		r.n++
		return
	}
	r.first = append(r.first, row)
	r.pos = append(r.pos, r.n)
	r.n++
}

// indexMap returns the rows added, in the smallest of three forms: one
// range, runs (two words a run), or a list (one word a row).
func (r *runsBuilder) indexMap() indexMap {
	switch {
	case len(r.first) == 0:
		return sliceMap{}
	case len(r.first) == 1:
		return rangeMap{start: r.first[0], step: 1, n: r.n}
	case int64(len(r.first))*2 < r.n:
		return runMap{first: r.first, pos: append(r.pos, r.n)}
	}
	out := make(sliceMap, 0, r.n)
	for k, f := range r.first {
		end := r.n
		if k+1 < len(r.pos) {
			end = r.pos[k+1]
		}
		for j := range end - r.pos[k] {
			out = append(out, f+j)
		}
	}
	return out
}

// runMap is a sorted list of runs of consecutive rows: run k covers rows
// first[k], first[k]+1, ... and view positions pos[k] to pos[k+1]-1. A
// lookup is a binary search over the runs.
type runMap struct {
	first []int64
	pos   []int64 // len(first)+1 entries; the last is Len
}

func (m runMap) Len() int64 { return m.pos[len(m.pos)-1] }

func (m runMap) At(i int64) int64 {
	k := sort.Search(len(m.first), func(k int) bool { return m.pos[k+1] > i })
	return m.first[k] + i - m.pos[k]
}

func (m runMap) String() string {
	return fmt.Sprintf("runs(%d rows in %d runs)", m.Len(), len(m.first))
}
