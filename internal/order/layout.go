package order

import "sort"

// layout maps positions of the shard-ordered sequence (the shards in play
// order, each shard's rows in order) to row indices in manifest order. It
// holds O(shards) words, as the manifest itself does.
type layout struct {
	// starts[s] is the manifest row index of shard s's first row;
	// starts[len(shards)] is the total row count.
	starts []int64
	// The non-empty shards in play order: segment i is shard segShard[i]
	// and covers sequence positions [segPos[i], segPos[i+1]).
	segPos   []int64
	segShard []int
}

// newLayout lays out the shards in the given play order (a permutation of
// the shard indices); nil means manifest order.
func newLayout(shardRows []int64, play []int) layout {
	l := layout{
		starts:   make([]int64, len(shardRows)+1),
		segPos:   make([]int64, 0, len(shardRows)+1),
		segShard: make([]int, 0, len(shardRows)),
	}
	for s, n := range shardRows {
		l.starts[s+1] = l.starts[s] + n
	}
	pos := int64(0)
	for i := range shardRows {
		s := i
		if play != nil {
			s = play[i]
		}
		if shardRows[s] == 0 {
			continue
		}
		l.segPos = append(l.segPos, pos)
		l.segShard = append(l.segShard, s)
		pos += shardRows[s]
	}
	l.segPos = append(l.segPos, pos)
	return l
}

// rows returns the total row count.
func (l *layout) rows() int64 { return l.starts[len(l.starts)-1] }

// segment returns the segment holding position q in [0, rows()). hint is
// the segment of a previous lookup: positions in it or a neighbouring one,
// as sequential positions and the positions of a Block window are, find
// theirs in O(1), anything else by binary search.
func (l *layout) segment(q int64, hint int) int {
	for _, i := range [3]int{hint, hint + 1, hint - 1} {
		if i >= 0 && i < len(l.segShard) && l.segPos[i] <= q && q < l.segPos[i+1] {
			return i
		}
	}
	return sort.Search(len(l.segShard), func(i int) bool { return l.segPos[i+1] > q })
}

// row returns the manifest row at sequence position q, and the segment it
// lies in for the next lookup's hint.
func (l *layout) row(q int64, hint int) (int64, int) {
	i := l.segment(q, hint)
	return l.starts[l.segShard[i]] + q - l.segPos[i], i
}

// shardOf returns the shard holding manifest row r in [0, rows()) and r's
// offset within it.
func (l *layout) shardOf(r int64) (int, int64) {
	// The last shard whose start is at most r and that is not empty.
	s := sort.Search(len(l.starts)-1, func(s int) bool { return l.starts[s+1] > r })
	return s, r - l.starts[s]
}

// spans returns the manifest row ranges that sequence positions [lo, hi)
// cover, in sequence order.
func (l *layout) spans(lo, hi int64) []Span {
	var out []Span
	for i := l.segment(lo, 0); lo < hi; i++ {
		end := min(hi, l.segPos[i+1])
		first := l.starts[l.segShard[i]] + lo - l.segPos[i]
		out = append(out, Span{Start: first, End: first + end - lo})
		lo = end
	}
	return out
}

// Span is a half-open range [Start, End) of row indices or positions.
type Span struct{ Start, End int64 }

// Len returns the number of indices in the span.
func (s Span) Len() int64 { return s.End - s.Start }

// shardPlay returns the play order of the shards for one epoch: a
// Fisher–Yates permutation drawn from the epoch's shard key.
func shardPlay(nShards int, seed uint64, epoch int) []int {
	play := make([]int, nShards)
	for i := range play {
		play[i] = i
	}
	r := rng{state: deriveKey(seed, epoch, purposeShards, 0)}
	for i := nShards - 1; i > 0; i-- {
		j := int(r.intN(uint64(i + 1)))
		play[i], play[j] = play[j], play[i]
	}
	return play
}
