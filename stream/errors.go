package stream

import (
	"errors"
	"fmt"
	"iter"
	"runtime/debug"
)

// Sentinel errors. Operators wrap them with context; match them with
// errors.Is. Errors that come from a sequence's source or from a user
// function pass through the operators unchanged.
var (
	// ErrInvalid marks an argument an operator cannot work with: a size
	// below one, a negative count, a Mix configuration that gives a source
	// no place in the window, or a MixState that does not fit the Mixer it
	// is restored into.
	ErrInvalid = errors.New("stream: invalid argument")

	// ErrPanic marks a panic recovered in a goroutine an operator started
	// (a ParallelMap function, a Prefetch source). A panic there could not
	// be recovered by the caller, so it is delivered as an error instead.
	// The error is a *PanicError carrying the value and the stack.
	ErrPanic = errors.New("stream: panic")
)

// PanicError is a panic recovered by an operator. errors.Is(err, ErrPanic)
// holds for it, and so does errors.Is(err, v) when the panic value v is
// itself an error.
type PanicError struct {
	// Where names what panicked, such as "parallel map function on
	// element 12".
	Where string
	// Value is the value passed to panic.
	Value any
	// Stack is the panicking goroutine's stack at the time of recovery.
	Stack []byte
}

func newPanicError(where string, value any) *PanicError {
	return &PanicError{Where: where, Value: value, Stack: debug.Stack()}
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("stream: panic in %s: %v", e.Where, e.Value)
}

// Unwrap lets errors.Is match ErrPanic and, when the panic value is an
// error, that error.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}

// invalidf builds an ErrInvalid error with lowercase context.
func invalidf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
}

// fail is a sequence that yields err and ends; operators use it to report
// bad arguments through the sequence instead of panicking.
func fail[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
