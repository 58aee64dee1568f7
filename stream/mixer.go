package stream

import (
	"iter"
	"math"
	"slices"
	"sync"
)

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
	pos     int64   // elements delivered; written by the running loop and Restore
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
			if pos == math.MaxInt64 {
				yield(zero, invalidf("mix position overflows int64"))
				return
			}
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
