package dataset

import "errors"

// Sentinel errors of package dataset; match them with errors.Is. Errors
// from reading data wrap the sentinels of package format (format.ErrCorrupt
// and friends) instead.
var (
	// ErrNotFound marks a path, split, column or config that does not exist.
	ErrNotFound = errors.New("dataset: not found")
	// ErrLayout marks a dataset directory whose description files
	// (dataset_dict.json, state.json, README.md configs) are malformed or
	// name files that are missing.
	ErrLayout = errors.New("dataset: bad layout")
	// ErrSplit marks an ambiguous or unknown split.
	ErrSplit = errors.New("dataset: split")
	// ErrSchemaMismatch marks shards whose schemas differ.
	ErrSchemaMismatch = errors.New("dataset: shards have different schemas")
	// ErrOutOfRange marks a row index outside [0, Len).
	ErrOutOfRange = errors.New("dataset: row index out of range")
	// ErrNoRandomAccess marks random access to a dataset whose files do not
	// record where rows are (JSON Lines, CSV).
	ErrNoRandomAccess = errors.New("dataset: format has no random access")
)
