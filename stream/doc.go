// Package stream is tome's set of pipeline operators over iter.Seq2[T,
// error] sequences: Map and ParallelMap, Filter, Batch and Unbatch, Take and
// Skip, Chain, Shuffle (a seeded shuffle buffer), Prefetch (read-ahead on a
// goroutine) and Mix (weighted, deterministic, resumable mixing of several
// sources). They work on any element type: this package imports no Arrow,
// format or dataset code, so that the dataset package can build its
// pipelines of record batches, rows and sample positions from it.
//
// # Sequences
//
// Every sequence follows one contract. A non-nil error is yielded at most
// once, as the last element, with the zero value. Breaking out of the loop
// stops the operator and, through it, its source: deferred cleanup runs
// before the loop statement returns. Errors from a source or from a user
// function pass through unchanged, so errors.Is and errors.As see them as
// they were; the operators' own errors wrap ErrInvalid or ErrPanic.
// Invalid arguments (a batch size of zero, a negative count, a bad Mix
// configuration) are reported the same way, as the sequence's only element,
// never as a panic.
//
// # Errors
//
// An operator delivers an error as soon as it reaches it. Order-keeping
// operators first deliver every element that came before the error in
// input order: ParallelMap and Prefetch yield what Map would have, and
// Batch yields the partial batch read before the error. Shuffle drops its
// buffer and reports the error at once, so that a canceled context is not
// held up behind thousands of buffered elements.
//
// # Concurrency
//
// Only ParallelMap and Prefetch start goroutines; they take a context, and
// canceling it ends the sequence with ctx.Err() and stops every goroutine.
// When the loop ends for any reason — its end, an error, a break, a
// cancellation — every goroutine the operator started has exited before the
// loop statement returns; nothing outlives its iterator. Stopping waits for
// the element a source or function is producing at that moment, so sources
// and functions should honour their own context. A panic on one of those
// goroutines becomes a *PanicError, since no caller could recover it.
//
// The other operators run on the consumer's goroutine and take no context:
// they block only in their source, which checks its own context, and in the
// consumer's loop body. A sequence may be looped over from any goroutine,
// one loop at a time per operator instance; ParallelMap and Prefetch run
// their source on a goroutine of their own, so a source must not rely on
// running on the consumer's goroutine. A Mixer's State and StateAt may be
// called from any goroutine while it iterates.
//
// # Determinism
//
// Outputs depend on the input elements and the arguments only, never on
// timing, worker counts or the platform. ParallelMap and Prefetch never
// change order. Shuffle and Mix are pure functions of their inputs and
// seed, drawn from a generator defined in this package (SplitMix64), so no
// Go release changes them. A Mix's state is a small JSON value (MixState)
// from which a new Mixer continues the exact sequence, opening each source
// at its offset instead of replaying it.
//
// # Ownership
//
// Operators move elements; they never copy, retain or release them. Map,
// Filter, Take, Skip, Chain, Unbatch and Mix hand every element on while their
// source is still inside its loop body, so an element borrowed from the
// source (a record batch valid until the loop body returns) stays valid for
// the consumer's loop body. Batch, Shuffle, Prefetch and ParallelMap hold
// elements after the source's loop body has returned, so their input must be
// owned values: for reference-counted values, Retain them upstream (in a Map)
// and Release them in the consumer. Elements an operator has taken but will
// never deliver — rejected by Filter, skipped by Skip, left in a Shuffle
// buffer or read ahead when the loop stops early — go to the OnDiscard
// function, if one is given, so that nothing leaks.
package stream
