// Package gather copies rows picked from several Arrow arrays into new,
// contiguous arrays: the kernel behind tome's random access (Dataset.Take),
// view scans (Select, Shuffle) and the global shuffle of the training
// stream.
//
// The rows to copy are given as spans, runs of consecutive rows of one
// source, so that sorted or partly sorted selections copy in blocks and a
// random permutation is simply a list of one-row spans. Fixed-width,
// boolean, binary and string (32- and 64-bit offsets), list, large list,
// map, fixed-size list, struct, sparse and dense union and extension
// columns are copied by type-specialised loops, validity included, with
// every output buffer sized exactly once. A list's children are copied as
// one span per parent span, so a list of 64 floats costs one memmove. Other
// types (dictionary, run-end encoded, views) fall back to arrow-go's
// compute.Take per source, or to slicing and concatenation where
// compute.Take has no kernel. Batch gathers the columns of a large batch in
// parallel. A Sources keeps record batches prepared (checked, their
// buffers located) for many gathers, so that a caller drawing batch after
// batch from the same thousands of sources, as a global shuffle does,
// prepares each once. Scattered rows are memory-latency bound, so the copy loops
// prefetch the rows a few spans ahead (amd64), keeping many cache misses in
// flight at once.
//
// # Promises
//
// Output arrays own their memory, allocated from the allocator given (left
// unzeroed when it offers AllocateUninit, as mempool.Pool does: the kernel
// writes every byte), and borrow nothing from the sources, which may be released as soon as a call
// returns. Spans are checked against their sources; nested offsets that
// point outside their child arrays (corrupt input) give an error wrapping
// format.ErrCorrupt, never a panic or an out-of-bounds read. Nothing is
// retained on error.
package gather
