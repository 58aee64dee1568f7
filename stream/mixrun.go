package stream

import "iter"

// mixRun is the part of a Mixer's state that lives only while All loops:
// the open sources and each one's place in its current pass.
type mixRun[T any] struct {
	m      *Mixer[T]
	taken  []int64 // elements taken from the current pass of each source
	passes []int64 // passes of each source found exhausted
	next   []func() (T, error, bool)
	stops  []func()
}

// draw takes the next element of source i, restarting the source when
// AllExhausted asks for it. ok is false when the mix ends here.
func (r *mixRun[T]) draw(i int) (v T, ok bool, err error) {
	if v, err, ok = r.pull(i); ok {
		return v, true, err
	}
	if err := r.m.passEnded(i, r.taken[i], r.passes[i]); err != nil {
		return v, false, err
	}
	if r.m.stop == FirstExhausted || r.othersExhausted(i) {
		return v, false, nil
	}
	if r.taken[i] == 0 {
		return v, false, invalidf("mix source %d is empty, so it cannot be oversampled", i)
	}
	r.close(i)
	r.passes[i]++
	r.taken[i] = 0
	if v, err, ok = r.pull(i); ok {
		return v, true, err
	}
	// passEnded reports the empty pass against the earlier length.
	return v, false, r.m.passEnded(i, 0, r.passes[i])
}

// pull reads the next element of source i, opening the source at its
// offset on first use.
func (r *mixRun[T]) pull(i int) (T, error, bool) {
	if r.next[i] == nil {
		r.next[i], r.stops[i] = iter.Pull2(r.m.sources[i](r.taken[i]))
	}
	return r.next[i]()
}

func (r *mixRun[T]) close(i int) {
	if r.stops[i] != nil {
		r.stops[i]()
		r.next[i], r.stops[i] = nil, nil
	}
}

func (r *mixRun[T]) othersExhausted(i int) bool {
	for j, p := range r.passes {
		if j != i && p == 0 {
			return false
		}
	}
	return true
}
