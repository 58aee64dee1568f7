package stream

import (
	"fmt"
	"iter"
	"slices"
	"sync"
)

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

// A Mixer interleaves several sources with weights, deterministically and
// resumably.
//
// Positions are cut into windows of cfg.Window; each window draws every
// source exactly its quota of times (the weights apportioned over the
// window by the largest remainder method), in an order shuffled by a
// generator keyed by the seed and the window number. Each source's
// elements keep their order. The output is a pure function of the
// configuration and the sources' elements.
//
// With FirstExhausted the mix ends at the first draw from a source that has
// no element left. With AllExhausted such a source restarts from its
// beginning (oversampling) and the mix ends at the first draw from an
// exhausted source when every other source has also been exhausted at
// least once; a source that is empty when it must restart is an ErrInvalid
// error. An error from a source ends the mix.
//
// The Mixer's state — its position, and for each source the elements taken
// in the current pass and the passes completed — is a MixState: small,
// JSON-serialisable, and enough to continue the exact sequence in a new
// Mixer with the same configuration (Restore). A Mixer is not safe for
// concurrent iteration, but State and StateAt may be called from any
// goroutine while it iterates.
type Mixer[T any] struct {
	sched   schedule
	stop    StopStrategy
	sources []Source[T]

	mu      sync.Mutex
	pos     int64   // elements delivered; written only by the running loop
	lengths []int64 // pass length of each source, -1 until a pass ended
	running bool
}

// NewMixer returns a Mixer at position zero. An invalid configuration is an
// ErrInvalid error.
func NewMixer[T any](cfg MixConfig, sources ...Source[T]) (*Mixer[T], error) {
	if len(cfg.Weights) != len(sources) {
		return nil, invalidf("mix has %d weights for %d sources", len(cfg.Weights), len(sources))
	}
	for i, s := range sources {
		if s == nil {
			return nil, invalidf("mix source %d is nil", i)
		}
	}
	if cfg.Stop != FirstExhausted && cfg.Stop != AllExhausted {
		return nil, invalidf("mix stop strategy %d is unknown", int(cfg.Stop))
	}
	window := cfg.Window
	if window == 0 {
		window = DefaultMixWindow
	}
	sched, err := newSchedule(cfg.Weights, window, cfg.Seed)
	if err != nil {
		return nil, err
	}
	m := &Mixer[T]{
		sched:   sched,
		stop:    cfg.Stop,
		sources: slices.Clone(sources),
		lengths: make([]int64, len(sources)),
	}
	for i := range m.lengths {
		m.lengths[i] = -1
	}
	return m, nil
}

// Quotas returns how many positions of every window go to each source.
func (m *Mixer[T]) Quotas() []int {
	return slices.Clone(m.sched.quotas)
}

// All yields the mix from the Mixer's current state — position zero, the
// state given to Restore, or where an earlier loop over All stopped — and
// advances the state as it yields: inside the loop body, State describes
// the mix after the element being yielded. Sources are opened lazily at
// their offsets and stopped when the loop ends. Looping over All while
// another loop over it runs is an ErrInvalid error.
func (m *Mixer[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		run, err := m.begin()
		if err != nil {
			yield(zero, err)
			return
		}
		defer m.end(run)
		order := make([]int, m.sched.window)
		w := int64(m.sched.window)
		window := int64(-1)
		for {
			pos := m.pos // only this loop writes pos, so no lock to read it
			if k := pos / w; k != window {
				m.sched.fill(order, k)
				window = k
			}
			i := order[pos%w]
			v, ok, err := run.draw(i)
			if err != nil {
				yield(zero, err)
				return
			}
			if !ok {
				return
			}
			run.taken[i]++
			m.mu.Lock()
			m.pos++
			m.mu.Unlock()
			if !yield(v, nil) {
				return
			}
		}
	}
}

// begin marks the Mixer running and sets up a run at its current state.
func (m *Mixer[T]) begin() (*mixRun[T], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		return nil, invalidf("mixer is already iterating")
	}
	m.running = true
	st := stateAt(&m.sched, m.pos, m.lengths)
	run := &mixRun[T]{
		m:      m,
		taken:  make([]int64, len(m.sources)),
		passes: make([]int64, len(m.sources)),
		next:   make([]func() (T, error, bool), len(m.sources)),
		stops:  make([]func(), len(m.sources)),
	}
	for i, s := range st.Sources {
		run.taken[i], run.passes[i] = s.Taken, s.Passes
	}
	return run, nil
}

func (m *Mixer[T]) end(run *mixRun[T]) {
	for i := range run.stops {
		run.close(i)
	}
	m.mu.Lock()
	m.running = false
	m.mu.Unlock()
}

// passEnded records that source i's pass ended after n elements, checking
// that every pass has the same length.
func (m *Mixer[T]) passEnded(i int, n, pass int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch l := m.lengths[i]; {
	case l < 0:
		m.lengths[i] = n
	case l != n:
		return invalidf("mix source %d ended pass %d after %d elements, an earlier pass after %d: a source must yield the same elements on every pass", i, pass+1, n, l)
	}
	return nil
}

// mixRun is the part of a Mixer's state that lives only while All loops:
// the open sources and each one's place in its current pass.
type mixRun[T any] struct {
	m      *Mixer[T]
	taken  []int64 // elements taken from the current pass of each source
	passes []int64 // passes of each source found exhausted
	next   []func() (T, error, bool)
	stops  []func()
}

// draw takes the next element of source i, restarting the source when
// AllExhausted asks for it. ok is false when the mix ends here.
func (r *mixRun[T]) draw(i int) (v T, ok bool, err error) {
	if v, err, ok = r.pull(i); ok {
		return v, true, err
	}
	if err := r.m.passEnded(i, r.taken[i], r.passes[i]); err != nil {
		return v, false, err
	}
	if r.m.stop == FirstExhausted || r.othersExhausted(i) {
		return v, false, nil
	}
	if r.taken[i] == 0 {
		return v, false, invalidf("mix source %d is empty, so it cannot be oversampled", i)
	}
	r.close(i)
	r.passes[i]++
	r.taken[i] = 0
	if v, err, ok = r.pull(i); ok {
		return v, true, err
	}
	// passEnded reports the empty pass against the earlier length.
	return v, false, r.m.passEnded(i, 0, r.passes[i])
}

// pull reads the next element of source i, opening the source at its
// offset on first use.
func (r *mixRun[T]) pull(i int) (T, error, bool) {
	if r.next[i] == nil {
		r.next[i], r.stops[i] = iter.Pull2(r.m.sources[i](r.taken[i]))
	}
	return r.next[i]()
}

func (r *mixRun[T]) close(i int) {
	if r.stops[i] != nil {
		r.stops[i]()
		r.next[i], r.stops[i] = nil, nil
	}
}

func (r *mixRun[T]) othersExhausted(i int) bool {
	for j, p := range r.passes {
		if j != i && p == 0 {
			return false
		}
	}
	return true
}

// StopStrategy says when a Mix ends.
type StopStrategy int

const (
	// FirstExhausted ends the mix as soon as any source runs out, so no
	// element is repeated (the default, as in Hugging Face datasets'
	// interleave_datasets).
	FirstExhausted StopStrategy = iota
	// AllExhausted restarts sources that run out (oversampling) until
	// every source has run out at least once.
	AllExhausted
)

// String returns the Hugging Face name of the strategy.
func (s StopStrategy) String() string {
	switch s {
	case FirstExhausted:
		return "first_exhausted"
	case AllExhausted:
		return "all_exhausted"
	}
	return fmt.Sprintf("StopStrategy(%d)", int(s))
}

// MarshalText encodes the strategy by its Hugging Face name.
func (s StopStrategy) MarshalText() ([]byte, error) {
	if s != FirstExhausted && s != AllExhausted {
		return nil, invalidf("mix stop strategy %d is unknown", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes "first_exhausted" or "all_exhausted".
func (s *StopStrategy) UnmarshalText(b []byte) error {
	switch string(b) {
	case "first_exhausted":
		*s = FirstExhausted
	case "all_exhausted":
		*s = AllExhausted
	default:
		return invalidf("mix stop strategy %q is unknown, want first_exhausted or all_exhausted", b)
	}
	return nil
}
