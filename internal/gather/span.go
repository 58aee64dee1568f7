package gather

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
