package stream

import (
	"context"
	"iter"
)

// item is one element of a sequence in flight between goroutines.
type item[T any] struct {
	v   T
	err error
}

// Prefetch reads seq ahead of the consumer on its own goroutine, so that a
// slow source (decoding, network) and a slow consumer (a training step)
// overlap. It buffers n elements; with the one it is handing over, at most
// n+1 elements have been read and not yet yielded. The order is unchanged.
//
// The source runs entirely on the Prefetch goroutine; a panic there becomes
// a *PanicError. When the loop stops early or ctx is canceled, the
// goroutine is stopped and waited for before the loop returns — which waits
// for the element the source is producing at that moment — and the
// elements read ahead go to the OnDiscard function, if one is given. A
// canceled ctx ends the sequence with ctx.Err(). An n below one is an
// ErrInvalid error.
func Prefetch[T any](ctx context.Context, seq iter.Seq2[T, error], n int, opts ...Option[T]) iter.Seq2[T, error] {
	if n < 1 {
		return fail[T](invalidf("prefetch depth %d, want at least 1", n))
	}
	o := collectOptions(opts)
	return func(yield func(T, error) bool) {
		var zero T
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		ahead := make(chan item[T], n)
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(ahead)
			readAhead(ctx, seq, ahead, &o)
		}()
		defer func() {
			cancel()
			<-done
			for it := range ahead {
				if it.err == nil {
					o.drop(it.v)
				}
			}
		}()
		for {
			// ctx is canceled only by the deferred cancel above, so an
			// error here is the caller's cancellation.
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			select {
			case <-ctx.Done():
				continue
			case it, ok := <-ahead:
				if !ok {
					return
				}
				if !yield(it.v, it.err) || it.err != nil {
					return
				}
			}
		}
	}
}

// readAhead copies seq into ahead until seq ends, fails, or ctx is
// canceled. It recovers a panic of the source into an error, because
// nothing above this goroutine could recover it.
func readAhead[T any](ctx context.Context, seq iter.Seq2[T, error], ahead chan<- item[T], o *options[T]) {
	defer func() {
		if v := recover(); v != nil {
			select {
			case ahead <- item[T]{err: newPanicError("prefetch source", v)}:
			case <-ctx.Done():
			}
		}
	}()
	for v, err := range seq {
		select {
		case ahead <- item[T]{v: v, err: err}:
		case <-ctx.Done():
			if err == nil {
				o.drop(v)
			}
			return
		}
		if err != nil {
			return
		}
	}
}
