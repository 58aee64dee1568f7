package stream

// MixState is where a Mixer stands: enough to continue its exact sequence
// in a new Mixer with the same configuration and sources. It is small and
// marshals to JSON as, for example,
//
//	{"position":1234,"sources":[{"taken":864,"passes":0},{"taken":12,"passes":2}]}
type MixState struct {
	// Position is the number of elements delivered: the schedule position
	// of the next one (window Position/Window, offset Position%Window).
	Position int64 `json:"position"`
	// Sources holds one entry per source, in configuration order.
	Sources []MixSourceState `json:"sources"`
}

// MixSourceState is where one source of a Mix stands.
type MixSourceState struct {
	// Taken is the number of elements taken from the current pass: the
	// offset at which the source reopens on resume.
	Taken int64 `json:"taken"`
	// Passes is the number of times the source was found exhausted and
	// restarted (always zero with FirstExhausted).
	Passes int64 `json:"passes"`
}

// State returns the state after the last element yielded. Inside the loop
// body of All it describes the mix after the element being yielded.
func (m *Mixer[T]) State() MixState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return stateAt(&m.sched, m.pos, m.lengths)
}

// StateAt returns the state after the first p elements of the mix, for any
// p up to the current position. It serves consumers that sit behind a
// read-ahead (Prefetch, ParallelMap): they know how many elements they have
// consumed, while the Mixer has already moved further. A p outside
// [0, position] is an ErrInvalid error.
func (m *Mixer[T]) StateAt(p int64) (MixState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p < 0 || p > m.pos {
		return MixState{}, invalidf("mix state at position %d, want 0 to %d", p, m.pos)
	}
	return stateAt(&m.sched, p, m.lengths), nil
}

// stateAt derives the state at position p from the schedule and the pass
// lengths learned so far. Source i has been drawn d times by then; the
// exhaustion of pass k is noticed at draw k*length+1 (the draw that then
// comes from the next pass), so the passes completed are (d-1)/length and
// the rest of d is taken from the current pass. A length still unknown at
// the current position was not reached before p either, so then all d
// draws are from the first pass.
func stateAt(s *schedule, p int64, lengths []int64) MixState {
	draws := s.draws(p)
	st := MixState{Position: p, Sources: make([]MixSourceState, len(draws))}
	for i, d := range draws {
		if l := lengths[i]; d > 0 && l > 0 {
			passes := (d - 1) / l
			st.Sources[i] = MixSourceState{Taken: d - passes*l, Passes: passes}
			continue
		}
		st.Sources[i] = MixSourceState{Taken: d}
	}
	return st
}

// Restore moves the Mixer to st, a state taken from a Mixer with the same
// configuration and sources; the next loop over All continues exactly
// where that Mixer was at st. The state is checked against the schedule: a
// state from another configuration (weights, window, seed, stop strategy,
// number of sources) is an ErrInvalid error in all but contrived cases.
// Restoring while All loops is an ErrInvalid error.
func (m *Mixer[T]) Restore(st MixState) error {
	if len(st.Sources) != len(m.sources) {
		return invalidf("mix state has %d sources, the mix %d", len(st.Sources), len(m.sources))
	}
	if st.Position < 0 {
		return invalidf("mix state position %d is negative", st.Position)
	}
	draws := m.sched.draws(st.Position)
	lengths := make([]int64, len(m.sources))
	allExhausted := true
	for i, s := range st.Sources {
		l, err := m.restoredLength(i, s, draws[i], st.Position)
		if err != nil {
			return err
		}
		lengths[i] = l
		allExhausted = allExhausted && s.Passes > 0
	}
	if allExhausted {
		return invalidf("mix state has every source exhausted, but the mix ends when the last one is")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running {
		return invalidf("mixer is iterating; restore before looping over All")
	}
	m.pos = st.Position
	m.lengths = lengths
	return nil
}

// restoredLength checks source i's state against the d draws the schedule
// gives it by position p, and returns the pass length it implies (-1 when
// no pass has ended yet).
func (m *Mixer[T]) restoredLength(i int, s MixSourceState, d, p int64) (int64, error) {
	if s.Taken < 0 || s.Passes < 0 {
		return 0, invalidf("mix state of source %d has negative counts", i)
	}
	if s.Passes == 0 {
		if s.Taken != d {
			return 0, invalidf("mix state of source %d has %d taken, the schedule draws it %d times by position %d: the state belongs to another mix", i, s.Taken, d, p)
		}
		return -1, nil
	}
	if m.stop == FirstExhausted {
		return 0, invalidf("mix state of source %d has %d passes, but a first_exhausted mix never restarts a source", i, s.Passes)
	}
	consumed := d - s.Taken
	if s.Taken < 1 || consumed < s.Passes || consumed%s.Passes != 0 || s.Taken > consumed/s.Passes {
		return 0, invalidf("mix state of source %d (%d taken, %d passes) does not fit the %d draws the schedule gives it by position %d: the state belongs to another mix", i, s.Taken, s.Passes, d, p)
	}
	return consumed / s.Passes, nil
}
