package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// An Option configures Open.
type Option func(*openConfig)

type openConfig struct {
	split     string
	config    string
	mem       memory.Allocator
	batchRows int
	schema    *arrow.Schema
	inferRows int
	// remoteOpts are WithRemote's options, nil for the process-wide ones;
	// Open puts them to work in remote (see remoteFor).
	remoteOpts *RemoteOptions
	remote     *remoteState
}

// WithSplit opens the named split. Without it Open takes the only split,
// or "train" when there are several.
func WithSplit(name string) Option { return func(c *openConfig) { c.split = name } }

// WithConfig picks a Hub config declared in a dataset card's YAML.
func WithConfig(name string) Option { return func(c *openConfig) { c.config = name } }

// WithAllocator sets the allocator for decoded (not memory-mapped) buffers.
func WithAllocator(mem memory.Allocator) Option { return func(c *openConfig) { c.mem = mem } }

// WithBatchRows sets the batch size of formats whose reader chooses it
// (Parquet, JSON Lines, CSV). Arrow IPC shards keep their writer's batches.
func WithBatchRows(n int) Option { return func(c *openConfig) { c.batchRows = n } }

// WithSchema gives JSON Lines and CSV input an explicit schema instead of
// inferring one.
func WithSchema(s *arrow.Schema) Option { return func(c *openConfig) { c.schema = s } }

// WithInferRows sets how many rows of JSON Lines or CSV input schema
// inference reads (-1: all of them).
func WithInferRows(n int) Option { return func(c *openConfig) { c.inferRows = n } }

// WithRemote reads http(s):// and hf:// data with these options instead
// of the process-wide ones (SetRemoteOptions). The dataset then has a
// per-host request limiter of its own, and its own handle on the disk
// cache (which several handles, even in several processes, share safely).
// Open fails if the cache directory cannot be opened.
func WithRemote(o RemoteOptions) Option {
	return func(c *openConfig) { c.remoteOpts = &o }
}
