package stream

import "iter"

// Chain yields the elements of each sequence in turn. An error from any of
// them ends the whole sequence; later sequences are then never started.
func Chain[T any](seqs ...iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, seq := range seqs {
			for v, err := range seq {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}
