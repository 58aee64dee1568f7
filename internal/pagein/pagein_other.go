//go:build !linux

package pagein

import "errors"

func supported() bool { return false }

func populate([]byte) bool { return false }

// Mapped reports, for each page holding b, whether the page tables map it:
// Linux only.
func Mapped(b []byte) ([]bool, error) { return nil, errors.ErrUnsupported }
