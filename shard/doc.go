// Package shard is where a dataset's bytes live and how a dataset is cut:
// sources that read a file's bytes (a local memory-mapped file, later HTTP
// ranges and the Hugging Face Hub), the manifest of a sharded dataset, the
// sharded writer and the partitioning of shards across ranks and workers.
//
// # Sources
//
// A Source is an io.ReaderAt with a size, a name and an identity. It keeps
// the whole io.ReaderAt contract: parallel calls are safe, and ReadAt returns
// n < len(p) only together with a non-nil error.
//
// A Local source memory-maps its file. It also implements format.Mapped, so
// the Arrow IPC codec decodes it without copying; the mapping is released
// when the Source is closed and no batch borrows it any more.
package shard
