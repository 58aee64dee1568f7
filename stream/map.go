package stream

import "iter"

// Map yields fn(v) for every element v of seq, in order. An error from seq
// or from fn ends the sequence. fn runs in the consumer's goroutine, so a
// panic in fn reaches the caller as a panic; ParallelMap is the concurrent
// form.
func Map[T, U any](seq iter.Seq2[T, error], fn func(T) (U, error)) iter.Seq2[U, error] {
	return func(yield func(U, error) bool) {
		var zero U
		for v, err := range seq {
			if err != nil {
				yield(zero, err)
				return
			}
			u, err := fn(v)
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(u, nil) {
				return
			}
		}
	}
}

// Filter yields the elements of seq for which keep returns true, in order.
// An error from seq or from keep ends the sequence. Rejected elements go to
// the OnDiscard function, if one is given.
func Filter[T any](seq iter.Seq2[T, error], keep func(T) (bool, error), opts ...Option[T]) iter.Seq2[T, error] {
	o := collectOptions(opts)
	return func(yield func(T, error) bool) {
		var zero T
		for v, err := range seq {
			if err != nil {
				yield(zero, err)
				return
			}
			ok, err := keep(v)
			if err != nil {
				o.drop(v)
				yield(zero, err)
				return
			}
			if !ok {
				o.drop(v)
				continue
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}
