package stream

// An Option configures an operator that works on elements of type T.
type Option[T any] func(*options[T])

type options[T any] struct {
	discard func(T)
}

// OnDiscard sets the function an operator calls with every element it has
// taken from its input but will never deliver: elements Filter rejects or
// Skip skips, the rest of a Shuffle buffer or of an Unbatch slice when the
// loop stops early, elements Prefetch or ParallelMap read ahead and never
// yielded. Use it when elements own resources (reference-counted record
// batches: Release them here) so that stopping a pipeline early leaks
// nothing. Operators without an OnDiscard drop such elements silently.
//
// The function may run on a goroutine the operator started, but an
// operator never calls it concurrently with itself, and it has returned for
// every discarded element by the time the loop over the operator ends.
func OnDiscard[T any](fn func(T)) Option[T] {
	return func(o *options[T]) { o.discard = fn }
}

func collectOptions[T any](opts []Option[T]) options[T] {
	var o options[T]
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// drop hands v to the discard function, if any.
func (o *options[T]) drop(v T) {
	if o.discard != nil {
		o.discard(v)
	}
}
