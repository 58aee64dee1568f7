package shard

import (
	"fmt"
	"math/bits"
	"sort"
)

// A conversion is cut into units: runs of input that are converted on
// their own into one or more shards. Units are the grain of parallel
// workers, of scale-out tasks and of resuming, and they are planned from
// the inputs' sizes and chunk row counts alone, never from the number of
// tasks or workers. So converting with 1 task or 8, 1 worker or 4, in one
// go or resumed, writes the same shards.

// PlanInput is one input file as the planner sees it.
type PlanInput struct {
	// Bytes is the file's size, the weight the planner balances.
	Bytes int64
	// ChunkRows are the rows of each chunk that can be read on its own
	// (Parquet row groups, Arrow record batches), or nil when the file
	// can only be read whole (JSON Lines, CSV).
	ChunkRows []int64
}

// A Piece is part of one input: chunks [FirstChunk, EndChunk), or the
// whole file when it has no chunks.
type Piece struct {
	Input      int   `json:"input"`
	FirstChunk int   `json:"first_chunk"`
	EndChunk   int   `json:"end_chunk"`
	Rows       int64 `json:"rows"` // -1 when unknown
	Bytes      int64 `json:"bytes"`
}

// Whole reports whether the piece is a whole unchunked file.
func (p Piece) Whole() bool { return p.FirstChunk == 0 && p.EndChunk == 0 }

// A Unit is a run of consecutive pieces, converted into its own shards.
type Unit struct {
	Pieces []Piece `json:"pieces"`
	Bytes  int64   `json:"bytes"`
}

// PlanUnits cuts inputs, in order, into units of about target bytes:
// consecutive small files are grouped until the next would take the group
// past target; a file larger than target is cut into pieces of about
// target bytes at chunk boundaries when it has chunks, and is a unit of
// its own otherwise. A chunk is never cut. target <= 0 means one unit per
// input file.
func PlanUnits(inputs []PlanInput, target int64) []Unit {
	var units []Unit
	var group Unit
	flush := func() {
		if len(group.Pieces) > 0 {
			units = append(units, group)
			group = Unit{}
		}
	}
	for i, in := range inputs {
		if target <= 0 || in.Bytes > target {
			flush()
			for _, p := range cutInput(i, in, target) {
				units = append(units, Unit{Pieces: []Piece{p}, Bytes: p.Bytes})
			}
			continue
		}
		if group.Bytes+in.Bytes > target {
			flush()
		}
		p := wholePiece(i, in)
		group.Pieces = append(group.Pieces, p)
		group.Bytes += p.Bytes
	}
	flush()
	return units
}

// wholePiece is all of an input.
func wholePiece(i int, in PlanInput) Piece {
	p := Piece{Input: i, Rows: -1, Bytes: in.Bytes}
	if in.ChunkRows != nil {
		p.EndChunk = len(in.ChunkRows)
		p.Rows = sumRows(in.ChunkRows)
	}
	return p
}

// cutInput cuts a large input into pieces of about target bytes, weighing
// each chunk by its share of the rows: each ideal cut goes to the chunk
// boundary nearest it.
func cutInput(i int, in PlanInput, target int64) []Piece {
	total := sumRows(in.ChunkRows)
	if target <= 0 || len(in.ChunkRows) < 2 || total <= 0 {
		return []Piece{wholePiece(i, in)}
	}
	n := (in.Bytes + target - 1) / target        // pieces wanted
	bounds := make([]int64, len(in.ChunkRows)+1) // bounds[c]: rows before chunk c
	for c, r := range in.ChunkRows {
		bounds[c+1] = bounds[c] + r
	}
	cuts := []int{0}
	for k := int64(1); k < n; k++ {
		ideal := mulDiv(total, k, n)
		c := sort.Search(len(bounds), func(c int) bool { return bounds[c] >= ideal })
		if c > 0 && ideal-bounds[c-1] < bounds[c]-ideal {
			c--
		}
		if c > cuts[len(cuts)-1] && c < len(in.ChunkRows) {
			cuts = append(cuts, c)
		}
	}
	cuts = append(cuts, len(in.ChunkRows))
	out := make([]Piece, 0, len(cuts)-1)
	for k := 1; k < len(cuts); k++ {
		out = append(out, newPiece(i, in, cuts[k-1], cuts[k], total, bounds[cuts[k]]-bounds[cuts[k-1]]))
	}
	return out
}

func newPiece(i int, in PlanInput, first, end int, total, rows int64) Piece {
	return Piece{Input: i, FirstChunk: first, EndChunk: end, Rows: rows, Bytes: mulDiv(in.Bytes, rows, total)}
}

func sumRows(rows []int64) int64 {
	var n int64
	for _, r := range rows {
		n += r
	}
	return n
}

// mulDiv is a*b/c without overflowing in between, for 0 <= b <= c and
// a >= 0, where the result is at most a.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) { // b > c: outside the contract; stay in range
		return a
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// TaskSlice returns the units [lo, hi) that task index of count converts:
// contiguous, disjoint, covering every unit once across the tasks, and
// balanced by bytes: a unit goes to the task whose share of the total
// bytes holds the unit's midpoint. A task may get no unit when there are
// fewer units than tasks, or when one unit outweighs the others.
func TaskSlice(units []Unit, index, count int) (lo, hi int, err error) {
	if count < 1 || index < 0 || index >= count {
		return 0, 0, fmt.Errorf("task %d of %d: want 0 <= index < count", index, count)
	}
	var total int64
	for _, u := range units {
		total += u.Bytes
	}
	// owner is the task of unit k; it never decreases with k.
	owner := func(k int, before int64) int {
		if total == 0 {
			return int(mulDiv(int64(k), int64(count), int64(len(units))))
		}
		mid := 2*before + units[k].Bytes // twice the midpoint, to stay exact
		return min(count-1, int(mulDiv(mid, int64(count), 2*total)))
	}
	lo, hi = -1, -1
	var before int64
	for k := range units {
		t := owner(k, before)
		before += units[k].Bytes
		if t == index && lo < 0 {
			lo = k
		}
		if t <= index {
			hi = k + 1
		}
	}
	if lo < 0 { // no unit: an empty slice after the earlier tasks' units
		hi = max(hi, 0)
		return hi, hi, nil
	}
	return lo, hi, nil
}
