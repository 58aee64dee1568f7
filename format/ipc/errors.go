package ipc

import (
	"errors"
	"fmt"

	"github.com/tome-data/tome/format"
)

// corrupt makes err wrap format.ErrCorrupt unless it already wraps one of
// the format sentinels.
func corrupt(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, format.ErrCorrupt), errors.Is(err, format.ErrUnsupported),
		errors.Is(err, format.ErrSchema):
		return err
	}
	return fmt.Errorf("%w: %w", format.ErrCorrupt, err)
}
