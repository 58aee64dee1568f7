package shard

import "errors"

var (
	// ErrNotFound marks a file or object that does not exist.
	ErrNotFound = errors.New("shard: not found")
	// ErrClosed marks use of a Source after Close.
	ErrClosed = errors.New("shard: source closed")
)
