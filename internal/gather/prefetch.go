package gather

import "unsafe"

// Scattered rows are memory-latency bound: each one-row span reads a cache
// line (or a few) at a random place in a mapping of gigabytes, and a copy
// loop that waits for one row's miss before it starts the next wastes most
// of the memory system's parallelism. The loops below therefore ask for
// the rows prefetchAhead spans ahead while they copy the current one, so
// that that many misses are in flight at once. Measured on the training
// table (2 M rows, 1000-row shards): the copy of a 64-float list or a
// 200-byte string per row took 1.5-2x less time. 32 spans ahead rather
// than 16 took a block shuffle (rank 0 of 2) 5% less CPU time on a
// 2-core Xeon (12 alternated runs; the unshuffled stream 1% less, a
// global shuffle the same): its rows' misses queue for the core's fill
// buffers, and the longer lead keeps the queue full. 64 rather than 32,
// once the training stream gathered batches ahead of its consumer (the
// gather sharing the cores with the consumer's loop body), took the same
// block shuffle 1-2.5% less CPU time in the bench module's layout (two
// runs of 40 alternated rounds; the unshuffled stream and a global
// shuffle within 1%) and gave it 5% more rows/s in the go test
// benchmark's 1,000-row layout; 96 made the unshuffled stream 3% slower.
const prefetchAhead = 64

// prefetchMax is the most bytes of a span that are prefetched: a long run
// is sequential, and the hardware prefetcher follows it on its own.
const prefetchMax = 512

// prefetchBytes asks the CPU to start loading the cache lines of the n
// bytes at p into its caches. It is a hint: it never faults, reads nothing
// a program can see, and does nothing on architectures without an
// assembly version.
func prefetchBytes(p unsafe.Pointer, n int) {
	if n <= 0 {
		return
	}
	prefetchLines(p, min(n, prefetchMax))
}

// prefetchAt prefetches the values [off, off+n) of v, n > 0 and in range.
func prefetchAt[T any](v []T, off, n int) {
	size := int(unsafe.Sizeof(*new(T)))
	prefetchBytes(unsafe.Pointer(unsafe.SliceData(v[off:])), n*size)
}
