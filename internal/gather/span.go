package gather

import "sync"

// A Span is Len consecutive rows of source Src, starting at row Off.
type Span struct {
	Src int
	Off int
	Len int
}

// Append adds row of source src to spans, extending the last span when
// the row directly follows it, and returns the extended slice.
func Append(spans []Span, src, row int) []Span {
	if n := len(spans); n > 0 {
		if last := &spans[n-1]; last.Src == src && last.Off+last.Len == row {
			last.Len++
			return spans
		}
	}
	return append(spans, Span{Src: src, Off: row, Len: 1})
}

// AppendSpan adds s to spans, merging it into the last span when it
// directly follows it.
func AppendSpan(spans []Span, s Span) []Span {
	if s.Len == 0 {
		return spans
	}
	if n := len(spans); n > 0 {
		if last := &spans[n-1]; last.Src == s.Src && last.Off+last.Len == s.Off {
			last.Len += s.Len
			return spans
		}
	}
	return append(spans, s)
}

// Rows is the number of rows spans cover.
func Rows(spans []Span) int {
	n := 0
	for _, s := range spans {
		n += s.Len
	}
	return n
}

// spanLists recycles the span lists the kernels derive from their spans
// (the byte ranges of strings, the child rows of lists): 24 bytes a row,
// per column and batch, they were most of what a training stream's
// gather left to the garbage collector.
var spanLists = sync.Pool{New: func() any { return new([]Span) }}

// borrowSpans returns an empty span list with room for n spans; give it
// back with returnSpans once nothing refers to it.
func borrowSpans(n int) *[]Span {
	p := spanLists.Get().(*[]Span)
	if cap(*p) < n {
		*p = make([]Span, 0, n)
	}
	*p = (*p)[:0]
	return p
}

// returnSpans puts back a list from borrowSpans, holding s (its contents,
// possibly grown), unless it is too large to be worth keeping.
func returnSpans(p *[]Span, s []Span) {
	if cap(s) > maxPooledSpans {
		return
	}
	*p = s[:0]
	spanLists.Put(p)
}

// maxPooledSpans is the largest span list kept for reuse (1.5 MiB): a
// Take of millions of rows should not pin its scratch for good.
const maxPooledSpans = 64 << 10
