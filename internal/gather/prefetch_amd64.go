package gather

import "unsafe"

// prefetchLines prefetches the cache lines of [p, p+n), n > 0
// (prefetch_amd64.s). PREFETCHT2 never faults, so p may be any address.
//
//go:noescape
func prefetchLines(p unsafe.Pointer, n int)
