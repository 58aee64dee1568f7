package stream

import "iter"

// FromSlice yields the elements of s in order, without error. It is the
// simplest source, for tests, examples and small in-memory inputs.
func FromSlice[T any](s []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Collect gathers the elements of seq into a slice. It returns the elements
// read before an error together with that error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
