package parquet

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/tome-data/tome/format"
)

// sourceError marks an error returned by the caller's io.ReaderAt, so that an
// I/O failure (a dropped connection, a closed file) is reported as itself and
// not mistaken for a corrupt file.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// classify turns an error from arrow-go into one that wraps a format
// sentinel. arrow-go's errors are plain strings for the most part, so
// anything that is not cancellation, an I/O error of the source or already
// classified is corrupt data, except codecs and encodings arrow-go names as
// unimplemented.
func classify(err error) error {
	var src *sourceError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, format.ErrCorrupt), errors.Is(err, format.ErrUnsupported),
		errors.Is(err, format.ErrEncrypted), errors.Is(err, format.ErrSchema),
		errors.Is(err, format.ErrNotData):
		return err
	case errors.As(err, &src):
		return err
	case isUnsupported(err.Error()):
		return fmt.Errorf("%w: %w", format.ErrUnsupported, err)
	}
	return fmt.Errorf("%w: %w", format.ErrCorrupt, err)
}

func isUnsupported(msg string) bool {
	msg = strings.ToLower(msg)
	for _, s := range []string{"unimplemented", "not implemented", "not supported", "unsupported"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// recovered converts a panic inside arrow-go into an ErrCorrupt error. It is
// deferred at every call into arrow-go that decodes file content: the
// decoders index slices with values read from the file, and some paths still
// panic on inconsistent input instead of returning an error.
func recovered(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%w: decoder panic in %s: %v", format.ErrCorrupt, panicSite(), p)
	}
}

// panicSite names the function that panicked: the first frame below the
// runtime's panic machinery. It must be called from the deferred function.
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	inPanic := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			inPanic = true
		case inPanic && !strings.HasPrefix(f.Function, "runtime."):
			return f.Function
		}
		if !more {
			return "unknown function"
		}
	}
}
