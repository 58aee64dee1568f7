package stream

import "iter"

// Take yields the first n elements of seq. It stops reading seq once it has
// n elements, so the source is never asked for the element after them. An
// error within the first n elements ends the sequence; a negative n is an
// ErrInvalid error.
func Take[T any](seq iter.Seq2[T, error], n int64) iter.Seq2[T, error] {
	if n < 0 {
		return fail[T](invalidf("take count %d is negative", n))
	}
	return func(yield func(T, error) bool) {
		if n == 0 {
			return
		}
		var taken int64
		for v, err := range seq {
			if !yield(v, err) || err != nil {
				return
			}
			taken++
			if taken == n {
				return
			}
		}
	}
}

// Skip drops the first n elements of seq and yields the rest. Skipped
// elements go to the OnDiscard function, if one is given. An error is
// delivered even while skipping: it ends the sequence. A negative n is an
// ErrInvalid error.
func Skip[T any](seq iter.Seq2[T, error], n int64, opts ...Option[T]) iter.Seq2[T, error] {
	if n < 0 {
		return fail[T](invalidf("skip count %d is negative", n))
	}
	o := collectOptions(opts)
	return func(yield func(T, error) bool) {
		var skipped int64
		for v, err := range seq {
			if err == nil && skipped < n {
				skipped++
				o.drop(v)
				continue
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}
