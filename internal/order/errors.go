package order

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrInvalid marks a Config or State that describes no valid order: a
	// negative shard size, an unknown mode, a rank outside the world, a
	// buffer too large to hold, a malformed state document.
	ErrInvalid = errors.New("order: invalid configuration")

	// ErrMismatch marks a State that belongs to another dataset or another
	// version of the order: resuming from it would deliver different
	// samples than the run that wrote it, so it is refused.
	ErrMismatch = errors.New("order: state does not match")
)

// invalidf builds an ErrInvalid error with lowercase context.
func invalidf(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, ErrInvalid)...)
}
