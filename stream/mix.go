package stream

import "iter"

// DefaultMixWindow is the window length of a MixConfig that gives none.
const DefaultMixWindow = 100

// MaxMixWindow bounds MixConfig.Window: a Mix holds one window's schedule in
// memory.
const MaxMixWindow = 1 << 20

// MixConfig describes a weighted mix of several sources.
type MixConfig struct {
	// Weights holds one weight per source, each finite and above zero;
	// they need not sum to one.
	Weights []float64 `json:"weights"`

	// Window is the number of consecutive positions over which the
	// weights hold exactly: every window draws each source its quota of
	// times (see Mixer.Quotas). Zero means DefaultMixWindow.
	Window int `json:"window,omitempty"`

	// Seed keys the order of the draws inside each window.
	Seed uint64 `json:"seed"`

	// Stop says when the mix ends.
	Stop StopStrategy `json:"stop"`
}

// A Source opens one pass over an input of a Mix, starting at the given
// element offset of the pass: the elements it would yield from offset zero,
// minus the first offset of them. An offset at or past the end yields
// nothing. A Source must yield the same elements on every call (a Mix
// restarts it for oversampling and reopens it at an offset to resume); a
// pass whose length differs from an earlier one is an ErrInvalid error.
//
// A Source that can seek (a shard reader, a slice) opens at offset
// directly, so that resuming never re-reads what was consumed; Replay
// adapts one that cannot.
type Source[T any] func(offset int64) iter.Seq2[T, error]

// Replay adapts open, which can only start at the beginning, into a Source:
// it opens a fresh pass and skips offset elements, reading and dropping
// them (they go to the OnDiscard function, if one is given).
func Replay[T any](open func() iter.Seq2[T, error], opts ...Option[T]) Source[T] {
	return func(offset int64) iter.Seq2[T, error] {
		return Skip(open(), offset, opts...)
	}
}

// Mix interleaves the sources in proportion to cfg.Weights with exact
// per-window quotas; see Mixer for the full semantics. Each loop over the
// returned sequence starts a fresh Mixer and yields the same elements. An
// invalid configuration is an ErrInvalid error.
func Mix[T any](cfg MixConfig, sources ...Source[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		m, err := NewMixer(cfg, sources...)
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for v, err := range m.All() {
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}
