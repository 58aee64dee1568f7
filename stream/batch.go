package stream

import "iter"

// maxBatchPrealloc bounds the capacity Batch reserves up front, so that a
// huge batch size costs memory only as elements actually arrive.
const maxBatchPrealloc = 1 << 16

// Batch groups the elements of seq into slices of n, in order; the last
// slice is shorter when the input does not divide evenly. Every yielded
// slice is new and belongs to the consumer. When seq fails, the partial
// slice read before the error is yielded first, then the error, so no
// element is lost. An n below one is an ErrInvalid error.
func Batch[T any](seq iter.Seq2[T, error], n int) iter.Seq2[[]T, error] {
	if n < 1 {
		return fail[[]T](invalidf("batch size %d, want at least 1", n))
	}
	return func(yield func([]T, error) bool) {
		var b []T
		for v, err := range seq {
			if err != nil {
				if len(b) > 0 && !yield(b, nil) {
					return
				}
				yield(nil, err)
				return
			}
			if b == nil {
				b = make([]T, 0, min(n, maxBatchPrealloc))
			}
			b = append(b, v)
			if len(b) == n {
				if !yield(b, nil) {
					return
				}
				b = nil
			}
		}
		if len(b) > 0 {
			yield(b, nil)
		}
	}
}

// Unbatch yields the elements of every slice of seq, in order: the inverse
// of Batch. When the loop stops early, the rest of the current slice goes to
// the OnDiscard function, if one is given.
func Unbatch[T any](seq iter.Seq2[[]T, error], opts ...Option[T]) iter.Seq2[T, error] {
	o := collectOptions(opts)
	return func(yield func(T, error) bool) {
		var zero T
		for s, err := range seq {
			if err != nil {
				yield(zero, err)
				return
			}
			for i, v := range s {
				if !yield(v, nil) {
					for _, rest := range s[i+1:] {
						o.drop(rest)
					}
					return
				}
			}
		}
	}
}
