// Package mempool is an Arrow memory.Allocator that recycles the buffers
// released to it, for streams that hand out batch after batch of the same
// shapes: a training loop takes a gathered batch, uses it and releases
// it, and the next batch reuses its memory instead of asking the Go heap
// for megabytes that the garbage collector must then find and free.
//
// # Promises
//
// Memory from Allocate and Reallocate is zeroed, as from arrow-go's own
// allocators, and 64-byte aligned; AllocateUninit skips the zeroing for
// callers that overwrite every byte. The pool keeps at most the byte budget
// given to New; what it cannot keep goes to the garbage collector, as it
// would from memory.GoAllocator. Buffers never released (a batch kept
// without Release) are simply collected. A Pool is safe for concurrent
// use.
package mempool
