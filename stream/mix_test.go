package stream

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// endless is long enough that no test mix exhausts it.
const endless = 1 << 20

// scheduleOf returns the sources of the first n positions of the mix cfg
// describes, read off a mix of sources that never run out.
func scheduleOf(t *testing.T, cfg MixConfig, n int) []int {
	t.Helper()
	lengths := make([]int, len(cfg.Weights))
	for i := range lengths {
		lengths[i] = endless
	}
	_, fns := tagSources(lengths...)
	var out []int
	for v, err := range Take(Mix(cfg, fns...), int64(n)) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v.src)
	}
	return out
}

func TestMixExactQuotasPerWindow(t *testing.T) {
	cfg := MixConfig{Weights: []float64{0.7, 0.3}, Window: 10, Seed: 5}
	_, fns := tagSources(endless, endless)
	got := must(Collect(Take(Mix(cfg, fns...), 1000)))
	next := []int{0, 0}
	orders := map[string]bool{}
	for w := 0; w < len(got); w += 10 {
		counts := []int{0, 0}
		var order []int
		for _, v := range got[w : w+10] {
			counts[v.src]++
			order = append(order, v.src)
			// Each source's elements come in their own order.
			if v.idx != next[v.src] {
				t.Fatalf("position %d: element %d of source %d, want %d", w, v.idx, v.src, next[v.src])
			}
			next[v.src]++
		}
		if counts[0] != 7 || counts[1] != 3 {
			t.Fatalf("window at %d has %v, want exactly [7 3]", w, counts)
		}
		orders[fmt.Sprint(order)] = true
	}
	if len(orders) < 50 {
		t.Errorf("100 windows use only %d interleavings", len(orders))
	}
}

func TestMixIsAPureFunctionOfSeed(t *testing.T) {
	cfg := MixConfig{Weights: []float64{1, 2, 3}, Window: 12, Seed: 1}
	a, b := scheduleOf(t, cfg, 300), scheduleOf(t, cfg, 300)
	cfg.Seed = 2
	c := scheduleOf(t, cfg, 300)
	if !slices.Equal(a, b) {
		t.Error("same seed, different schedules")
	}
	if slices.Equal(a, c) {
		t.Error("seeds 1 and 2 give the same schedule")
	}
}

// TestMixFirstExhausted checks the stopping rule against its definition:
// the mix is the endless mix cut at the first draw from a source that has
// already yielded all its elements.
func TestMixFirstExhausted(t *testing.T) {
	for _, lengths := range [][]int{{5, 5}, {30, 2}, {1, 40, 7}, {0, 9}, {13, 8, 21}} {
		t.Run(fmt.Sprint(lengths), func(t *testing.T) {
			weights := make([]float64, len(lengths))
			for i := range weights {
				weights[i] = float64(i + 1)
			}
			cfg := MixConfig{Weights: weights, Window: 6, Seed: 3, Stop: FirstExhausted}
			sched := scheduleOf(t, cfg, 1000)
			stop, drawn := 0, make([]int, len(lengths))
			for ; drawn[sched[stop]] < lengths[sched[stop]]; stop++ {
				drawn[sched[stop]]++
			}
			srcs, fns := tagSources(lengths...)
			got, err := drain(t, Mix(cfg, fns...))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != stop {
				t.Fatalf("mix has %d elements, want %d", len(got), stop)
			}
			for p, v := range got {
				if v.src != sched[p] {
					t.Fatalf("position %d from source %d, want %d", p, v.src, sched[p])
				}
			}
			for i, s := range srcs {
				if len(s.opened) > 1 || s.cleaned != len(s.opened) {
					t.Errorf("source %d opened %v, cleaned %d times", i, s.opened, s.cleaned)
				}
			}
		})
	}
}

// TestMixAllExhausted checks oversampling against its definition: sources
// restart when they run out, each one cycles through its elements, and the
// mix ends at the first draw from an exhausted source once every other
// source has run out at least once.
func TestMixAllExhausted(t *testing.T) {
	for _, lengths := range [][]int{{5, 5}, {30, 2}, {1, 40, 7}, {13, 8, 21}} {
		t.Run(fmt.Sprint(lengths), func(t *testing.T) {
			weights := make([]float64, len(lengths))
			for i := range weights {
				weights[i] = float64(len(lengths) - i)
			}
			cfg := MixConfig{Weights: weights, Window: 6, Seed: 4, Stop: AllExhausted}
			sched := scheduleOf(t, cfg, 2000)
			offset := make([]int, len(lengths))
			exhausted := make([]bool, len(lengths))
			stop := 0
			for ; ; stop++ {
				i := sched[stop]
				if offset[i] == lengths[i] {
					exhausted[i] = true
					if !slices.Contains(exhausted, false) {
						break
					}
					offset[i] = 0
				}
				offset[i]++
			}
			srcs, fns := tagSources(lengths...)
			got, err := drain(t, Mix(cfg, fns...))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != stop {
				t.Fatalf("mix has %d elements, want %d", len(got), stop)
			}
			drawn := make([]int, len(lengths))
			for p, v := range got {
				if v.src != sched[p] || v.idx != drawn[v.src]%lengths[v.src] {
					t.Fatalf("position %d is %+v, want source %d element %d", p, v, sched[p], drawn[sched[p]]%lengths[sched[p]])
				}
				drawn[v.src]++
			}
			for i, s := range srcs {
				if s.cleaned != len(s.opened) || slices.ContainsFunc(s.opened, func(o int64) bool { return o != 0 }) {
					t.Errorf("source %d opened at %v, cleaned %d times", i, s.opened, s.cleaned)
				}
			}
		})
	}
}

// TestMixRestoreContinuesExactly cuts a mix at every position, carries its
// state through JSON into a new Mixer, and checks that the two parts make
// the uninterrupted mix, with every source reopened at its offset rather
// than replayed.
func TestMixRestoreContinuesExactly(t *testing.T) {
	lengths := []int{9, 4, 15}
	for _, stop := range []StopStrategy{FirstExhausted, AllExhausted} {
		cfg := MixConfig{Weights: []float64{0.5, 0.2, 0.3}, Window: 10, Seed: 11, Stop: stop}
		_, fns := tagSources(lengths...)
		full := must(Collect(Mix(cfg, fns...)))
		for cut := range len(full) + 1 {
			t.Run(fmt.Sprintf("%v/cut=%d", stop, cut), func(t *testing.T) {
				_, fns := tagSources(lengths...)
				m := must(NewMixer(cfg, fns...))
				head := must(Collect(Take(m.All(), int64(cut))))
				blob, err := json.Marshal(m.State())
				if err != nil {
					t.Fatal(err)
				}
				var st MixState
				if err := json.Unmarshal(blob, &st); err != nil {
					t.Fatal(err)
				}
				srcs, fns := tagSources(lengths...)
				resumed := must(NewMixer(cfg, fns...))
				if err := resumed.Restore(st); err != nil {
					t.Fatalf("restore %s: %v", blob, err)
				}
				tail, err := drain(t, resumed.All())
				if err != nil {
					t.Fatal(err)
				}
				if got := append(head, tail...); !slices.Equal(got, full) {
					t.Fatalf("state %s: resumed mix differs\n got %v\nwant %v", blob, got, full)
				}
				for i, s := range srcs {
					if len(s.opened) > 0 && s.opened[0] != st.Sources[i].Taken {
						t.Errorf("state %s: source %d reopened at %d", blob, i, s.opened[0])
					}
				}
			})
		}
	}
}

// TestMixStateAt checks that the state derived for any earlier position is
// the state the Mixer had when it stood there.
func TestMixStateAt(t *testing.T) {
	for _, stop := range []StopStrategy{FirstExhausted, AllExhausted} {
		cfg := MixConfig{Weights: []float64{3, 1}, Window: 4, Seed: 2, Stop: stop}
		_, fns := tagSources(6, 3)
		m := must(NewMixer(cfg, fns...))
		live := []MixState{m.State()}
		for _, err := range m.All() {
			if err != nil {
				t.Fatal(err)
			}
			live = append(live, m.State())
		}
		for p, want := range live {
			got, err := m.StateAt(int64(p))
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%v: StateAt(%d) = %v, %v; want %v", stop, p, got, err, want)
			}
		}
		if _, err := m.StateAt(int64(len(live))); !errors.Is(err, ErrInvalid) {
			t.Errorf("StateAt past the position: %v", err)
		}
		if _, err := m.StateAt(-1); !errors.Is(err, ErrInvalid) {
			t.Errorf("StateAt(-1): %v", err)
		}
	}
}

func TestMixStateJSON(t *testing.T) {
	cfg := MixConfig{Weights: []float64{1, 1}, Window: 2, Seed: 1, Stop: AllExhausted}
	_, fns := tagSources(3, 1)
	m := must(NewMixer(cfg, fns...))
	must(Collect(Take(m.All(), 4)))
	blob, err := json.Marshal(m.State())
	if err != nil {
		t.Fatal(err)
	}
	// Four positions over two windows of one draw each: two draws from
	// each source; source 1 (one element) restarted once.
	want := `{"position":4,"sources":[{"taken":2,"passes":0},{"taken":1,"passes":1}]}`
	if string(blob) != want {
		t.Errorf("state %s, want %s", blob, want)
	}
}

func TestMixRestoreRejects(t *testing.T) {
	cfg := MixConfig{Weights: []float64{1, 1}, Window: 2, Seed: 1, Stop: AllExhausted}
	first := cfg
	first.Stop = FirstExhausted
	tests := []struct {
		name string
		cfg  MixConfig
		st   MixState
	}{
		{"too few sources", cfg, MixState{Position: 0, Sources: []MixSourceState{{}}}},
		{"negative position", cfg, MixState{Position: -1, Sources: []MixSourceState{{}, {}}}},
		{"negative taken", cfg, MixState{Position: 0, Sources: []MixSourceState{{Taken: -1}, {}}}},
		{"taken off schedule", cfg, MixState{Position: 4, Sources: []MixSourceState{{Taken: 3}, {Taken: 1}}}},
		{"passes in first_exhausted", first, MixState{Position: 4, Sources: []MixSourceState{{Taken: 2}, {Taken: 1, Passes: 1}}}},
		{"pass length not whole", cfg, MixState{Position: 10, Sources: []MixSourceState{{Taken: 5}, {Taken: 1, Passes: 3}}}},
		{"taken beyond pass length", cfg, MixState{Position: 10, Sources: []MixSourceState{{Taken: 5}, {Taken: 3, Passes: 1}}}},
		{"zero taken after a restart", cfg, MixState{Position: 10, Sources: []MixSourceState{{Taken: 5}, {Taken: 0, Passes: 1}}}},
		{"every source exhausted", cfg, MixState{Position: 10, Sources: []MixSourceState{{Taken: 1, Passes: 4}, {Taken: 1, Passes: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fns := tagSources(3, 1)
			m := must(NewMixer(tt.cfg, fns...))
			if err := m.Restore(tt.st); !errors.Is(err, ErrInvalid) {
				t.Errorf("Restore(%+v) = %v, want ErrInvalid", tt.st, err)
			}
			if st := m.State(); st.Position != 0 {
				t.Errorf("failed restore moved the mixer to %+v", st)
			}
		})
	}
}

// TestMixRestoreRejectsOtherSeed checks that a state taken under one seed
// is refused by a mixer with another, rather than silently mixing wrongly.
func TestMixRestoreRejectsOtherSeed(t *testing.T) {
	cfg := MixConfig{Weights: []float64{1, 1, 1}, Window: 30, Seed: 1}
	_, fns := tagSources(endless, endless, endless)
	m := must(NewMixer(cfg, fns...))
	must(Collect(Take(m.All(), 17)))
	cfg.Seed = 2
	other := must(NewMixer(cfg, fns...))
	if err := other.Restore(m.State()); !errors.Is(err, ErrInvalid) {
		t.Errorf("state %+v of seed 1 restored under seed 2: %v", m.State(), err)
	}
}

func TestMixErrors(t *testing.T) {
	t.Run("source error", func(t *testing.T) {
		srcs, fns := tagSources(10, 10)
		srcs[1].failAt = 2
		got, err := drain(t, Mix(MixConfig{Weights: []float64{1, 1}, Window: 2}, fns...))
		if err != errBoom || len(got) < 2 {
			t.Errorf("got %v, %v; want elements then boom", got, err)
		}
		for i, s := range srcs {
			if s.cleaned != len(s.opened) {
				t.Errorf("source %d opened %d times, cleaned %d", i, len(s.opened), s.cleaned)
			}
		}
	})
	t.Run("empty source oversampled", func(t *testing.T) {
		_, fns := tagSources(0, 10)
		_, err := drain(t, Mix(MixConfig{Weights: []float64{1, 1}, Window: 2, Stop: AllExhausted}, fns...))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v, want ErrInvalid", err)
		}
	})
	t.Run("pass length changes", func(t *testing.T) {
		passes := 0
		shrinking := func(int64) iter.Seq2[tag, error] {
			passes++
			return FromSlice(make([]tag, 4-passes))
		}
		_, fns := tagSources(50)
		_, err := drain(t, Mix(MixConfig{Weights: []float64{1, 1}, Window: 2, Stop: AllExhausted}, fns[0], shrinking))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v, want ErrInvalid", err)
		}
	})
	t.Run("nested loop", func(t *testing.T) {
		_, fns := tagSources(5)
		m := must(NewMixer(MixConfig{Weights: []float64{1}}, fns...))
		for _, err := range m.All() {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := drain(t, m.All()); !errors.Is(err, ErrInvalid) {
				t.Errorf("nested All: %v", err)
			}
			if err := m.Restore(MixState{Sources: []MixSourceState{{}}}); !errors.Is(err, ErrInvalid) {
				t.Errorf("Restore while iterating: %v", err)
			}
			break
		}
	})
}

func TestNewMixerRejects(t *testing.T) {
	_, fns := tagSources(1, 1)
	tests := []struct {
		name    string
		cfg     MixConfig
		sources []Source[tag]
	}{
		{"weights and sources differ", MixConfig{Weights: []float64{1}}, fns},
		{"nil source", MixConfig{Weights: []float64{1, 1}}, []Source[tag]{fns[0], nil}},
		{"unknown stop", MixConfig{Weights: []float64{1, 1}, Stop: 7}, fns},
		{"negative window", MixConfig{Weights: []float64{1, 1}, Window: -3}, fns},
		{"no sources", MixConfig{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewMixer(tt.cfg, tt.sources...); !errors.Is(err, ErrInvalid) {
				t.Errorf("NewMixer = %v, want ErrInvalid", err)
			}
		})
	}
}

// TestMixerContinuesAcrossLoops checks that a second loop over All picks up
// where the first one stopped.
func TestMixerContinuesAcrossLoops(t *testing.T) {
	cfg := MixConfig{Weights: []float64{2, 1}, Window: 3, Seed: 8}
	_, fns := tagSources(20, 20)
	full := must(Collect(Mix(cfg, fns...)))
	_, fns = tagSources(20, 20)
	m := must(NewMixer(cfg, fns...))
	a := must(Collect(Take(m.All(), 7)))
	b := must(Collect(m.All()))
	if got := append(a, b...); !slices.Equal(got, full) {
		t.Errorf("two loops give %v, want %v", got, full)
	}
}

// TestMixerStateWhileIterating reads the state from another goroutine
// while the mixer runs; under -race this checks the locking.
func TestMixerStateWhileIterating(t *testing.T) {
	defer goleak.VerifyNone(t)
	_, fns := tagSources(endless, endless)
	m := must(NewMixer(MixConfig{Weights: []float64{1, 1}, Window: 8}, fns...))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				st := m.State()
				if st.Sources[0].Taken+st.Sources[1].Taken != st.Position {
					t.Errorf("inconsistent state %+v", st)
					return
				}
			}
		}
	})
	must(Collect(Take(m.All(), 5000)))
	close(done)
	wg.Wait()
}

func TestStopStrategyText(t *testing.T) {
	cfg := MixConfig{Weights: []float64{0.7, 0.3}, Window: 10, Seed: 3, Stop: AllExhausted}
	blob, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"weights":[0.7,0.3],"window":10,"seed":3,"stop":"all_exhausted"}`; string(blob) != want {
		t.Errorf("config JSON %s, want %s", blob, want)
	}
	var back MixConfig
	if err := json.Unmarshal(blob, &back); err != nil || back.Stop != AllExhausted || !slices.Equal(back.Weights, cfg.Weights) {
		t.Errorf("round trip gave %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"stop":"sometimes"}`), &back); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown strategy: %v", err)
	}
	if _, err := json.Marshal(MixConfig{Stop: 9}); !errors.Is(err, ErrInvalid) {
		t.Errorf("marshalling an unknown strategy: %v", err)
	}
}

// TestMixPositionOverflow restores a mixer to the last position an int64
// holds, with every source still in its first pass, and checks that it
// fails cleanly instead of wrapping around.
func TestMixPositionOverflow(t *testing.T) {
	cfg := MixConfig{Weights: []float64{1, 1}, Window: 2, Stop: AllExhausted}
	_, fns := tagSources(3, 3)
	m := must(NewMixer(cfg, fns...))
	p := int64(math.MaxInt64 - 1)
	st := MixState{Position: p}
	for _, d := range m.sched.draws(p) {
		st.Sources = append(st.Sources, MixSourceState{Taken: d})
	}
	if err := m.Restore(st); err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, m.All())
	if !errors.Is(err, ErrInvalid) || len(got) > 1 {
		t.Errorf("got %v, %v; want at most one element, then ErrInvalid", got, err)
	}
}
