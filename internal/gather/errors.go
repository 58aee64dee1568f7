package gather

import (
	"fmt"

	"github.com/tome-data/tome/format"
)

// errTooLarge reports values that do not fit a 32-bit offset column.
func errTooLarge(limit int64) error {
	return fmt.Errorf("gather: %w: the rows hold more than %d bytes or child values, the limit of 32-bit offsets (use large types, or fewer rows per batch)", format.ErrUnsupported, limit)
}

// recoverCorrupt turns a panic inside arrow-go or an index out of range
// on malformed buffers into an ErrCorrupt error.
func recoverCorrupt(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("gather: %w: %v", format.ErrCorrupt, p)
	}
}

func corrupt(msg string, args ...any) error {
	return fmt.Errorf("gather: %w: "+msg, append([]any{format.ErrCorrupt}, args...)...)
}
