// Package order computes tome's training order: which row each rank (and
// each data-loader worker) of a training job delivers at each step of an
// epoch. It is pure index math, with no I/O and no Arrow; the dataset
// layer turns its row indices into rows read from shards.
//
// # What it promises
//
// The order is a pure function of a Config: the shards' row counts, the
// seed, the epoch, the shuffle Mode and its parameters, the world size and
// rank, the worker count and worker, and the start position. Nothing else
// changes it: not timing, not how a Plan is iterated, not the platform or
// Go release (the randomness is SplitMix64, written out here).
//
// The epoch has one global sequence of its N rows, independent of the
// world size; rank r of World takes global positions Start+r,
// Start+r+World, ... Every rank gets the same count: padded (the default)
// by wrapping around to the start of the sequence, or with DropRemainder
// cut to whole rounds. Workers split a rank's samples round-robin.
// Interleaving ranks 0..World-1 in turn therefore rebuilds the one-rank
// sequence, which is what makes a run elastic: a State saved at global
// position C resumes on any world size at exactly the next sample.
//
// # Modes and costs
//
//	None    manifest order                        O(1) per sample
//	Shards  shards permuted, rows in order        O(1) per sample
//	Block   Shards, then permuted within windows  O(1) per sample
//	Global  a keyed bijection on [0, N)           O(1) per sample
//	Buffer  Shards, then a shuffle buffer of n    O(min(n, World*Workers)) per sample, O(n) memory
//
// A Plan holds O(shards) words and no mode allocates anything
// proportional to N: Global and Block use a Feistel network with cycle
// walking (a window's bijection needs O(1) memory), and Buffer keeps
// sample positions, never data, and finds its state at any step without
// replaying the epoch. Random access (At) costs the same as iteration
// except in Buffer mode, where it costs O(n) expected per sample.
//
// # Concurrency
//
// A Plan is immutable and safe for concurrent use. Each iterator returned
// by All keeps its own state and is used by one goroutine.
package order
