package stream

import "iter"

// maxShufflePrealloc bounds the buffer capacity Shuffle reserves up front,
// so that a large buffer costs memory only as elements actually arrive.
const maxShufflePrealloc = 1 << 12

// Shuffle yields the elements of seq in a pseudo-random order drawn through
// a buffer of n elements, the shuffle buffer of Hugging Face datasets and
// WebDataset: once the buffer is full, each arriving element replaces a
// uniformly chosen buffered one, which is yielded; at the end the buffer is
// drained in random order. An element can therefore move fewer than n positions
// earlier and arbitrarily later; n = 1 keeps the input order, and n at
// least the input's length gives a uniform permutation of all of it.
//
// The output is a pure function of the input sequence, n and seed: the
// same input and seed give the same order on every run, platform and Go
// release. Memory is O(n) elements.
//
// An error from seq is delivered at once: the buffered elements go to the
// OnDiscard function, if one is given, as does the rest of the buffer when
// the loop stops early. An n below one is an ErrInvalid error.
func Shuffle[T any](seq iter.Seq2[T, error], n int, seed uint64, opts ...Option[T]) iter.Seq2[T, error] {
	if n < 1 {
		return fail[T](invalidf("shuffle buffer size %d, want at least 1", n))
	}
	o := collectOptions(opts)
	return func(yield func(T, error) bool) {
		var zero T
		r := newRNG(seed, 0)
		buf := make([]T, 0, min(n, maxShufflePrealloc))
		// Whatever is still buffered when the sequence ends was never
		// delivered.
		defer func() {
			for _, v := range buf {
				o.drop(v)
			}
		}()
		for v, err := range seq {
			if err != nil {
				yield(zero, err)
				return
			}
			if len(buf) < n {
				buf = append(buf, v)
				continue
			}
			i := r.intN(n)
			out := buf[i]
			buf[i] = v
			if !yield(out, nil) {
				return
			}
		}
		// Drain with Fisher-Yates: pick among the remaining elements,
		// move the pick to the end and pop it before yielding, so that
		// the deferred discard sees exactly the undelivered ones.
		for len(buf) > 0 {
			last := len(buf) - 1
			i := r.intN(len(buf))
			buf[i], buf[last] = buf[last], buf[i]
			out := buf[last]
			buf[last] = zero
			buf = buf[:last]
			if !yield(out, nil) {
				return
			}
		}
	}
}
