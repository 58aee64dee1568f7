//go:build !amd64

package gather

import "unsafe"

// prefetchLines does nothing here: only amd64 has an assembly version.
func prefetchLines(p unsafe.Pointer, n int) {}
