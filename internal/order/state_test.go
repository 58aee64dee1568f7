package order

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestResumeFromState checks property 4 for states: a state written after
// k samples, sent through JSON and resumed on any world size, continues
// the global sequence exactly; on the same world size, each rank continues
// exactly where it stopped.
func TestResumeFromState(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for i := range cases() {
		cfg := randConfig(r)
		cfg.Workers, cfg.Worker = 1, 0
		g := sequence(t, cfg)
		n := int64(len(g))
		p := mustPlan(t, cfg)
		k := r.Int64N(p.RankLen() + 1)
		st, err := p.State(k, "train", "text")
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseState(data)
		if err != nil {
			t.Fatalf("ParseState(%s): %v", data, err)
		}
		if diff := cmp.Diff(st, back); diff != "" {
			t.Fatalf("state through JSON (-before +after):\n%s", diff)
		}
		if st.Consumed != k*int64(cfg.World) {
			t.Fatalf("consumed %d after %d samples of each of %d ranks", st.Consumed, k, cfg.World)
		}

		// The same world: every rank continues its own sequence.
		for rank := range cfg.World {
			c := cfg
			c.Rank = rank
			// The new run passes its own configuration, whatever seed it
			// holds; the state's order parameters win.
			c.Seed, c.Epoch, c.Mode = 0, 0, None
			resumed, err := Resume(c, back, "train", "text")
			if err != nil {
				t.Fatal(err)
			}
			orig := cfg
			orig.Rank = rank
			want := collect(t, mustPlan(t, orig), k)
			if diff := cmp.Diff(want, collect(t, mustPlan(t, resumed), 0), cmpNilEmpty); diff != "" {
				t.Fatalf("case %d rank %d resumed at %d (-continued +resumed):\n%s", i, rank, k, diff)
			}
		}

		// Another world: the ranks together continue the sequence.
		world := 1 + r.IntN(6)
		ranks := make([][]int64, world)
		for rank := range world {
			c := Config{ShardRows: cfg.ShardRows, World: world, Rank: rank, DropRemainder: cfg.DropRemainder}
			resumed, err := Resume(c, back, "train", "text")
			if err != nil {
				t.Fatal(err)
			}
			ranks[rank] = collect(t, mustPlan(t, resumed), 0)
		}
		var want []int64
		if c := st.Consumed; c < n {
			m := (n - c) / int64(world)
			if !cfg.DropRemainder {
				m = (n - c + int64(world) - 1) / int64(world)
			}
			for i := c; i < c+m*int64(world); i++ {
				want = append(want, g[i%n])
			}
		}
		if diff := cmp.Diff(want, interleave(ranks), cmpNilEmpty); diff != "" {
			t.Fatalf("case %d: world %d resumed on %d at %d (-sequence +resumed):\n%s", i, cfg.World, world, st.Consumed, diff)
		}
	}
}

func TestResumeRefusesMismatch(t *testing.T) {
	cfg := Config{ShardRows: []int64{10, 20}, Seed: 1, Mode: Block}
	p := mustPlan(t, cfg)
	st, err := p.State(5, "split=train")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cfg   Config
		state func(State) State
		extra []string
		want  error
	}{
		{"other shard sizes", Config{ShardRows: []int64{10, 21}}, nil, []string{"split=train"}, ErrMismatch},
		{"other shard order", Config{ShardRows: []int64{20, 10}}, nil, []string{"split=train"}, ErrMismatch},
		{"other extra", cfg, nil, []string{"split=test"}, ErrMismatch},
		{"missing extra", cfg, nil, nil, ErrMismatch},
		{"future version", cfg, func(s State) State { s.Version = 2; return s }, []string{"split=train"}, ErrMismatch},
		{"unknown mode", cfg, func(s State) State { s.Mode = "chaos"; return s }, []string{"split=train"}, ErrInvalid},
		{"no window", cfg, func(s State) State { s.Window = 0; return s }, []string{"split=train"}, ErrInvalid},
		{"rank outside new world", Config{ShardRows: []int64{10, 20}, World: 2, Rank: 2}, nil, []string{"split=train"}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := st
			if tt.state != nil {
				s = tt.state(s)
			}
			if _, err := Resume(tt.cfg, s, tt.extra...); !errors.Is(err, tt.want) {
				t.Fatalf("Resume = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := p.State(p.RankLen() + 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("State past the end = %v, want ErrInvalid", err)
	}
	if _, err := p.State(-1); !errors.Is(err, ErrInvalid) {
		t.Errorf("State(-1) = %v, want ErrInvalid", err)
	}
}

func TestParseStateRejects(t *testing.T) {
	good := `{"version":1,"fingerprint":"ab","seed":18446744073709551615,"epoch":3,"mode":"buffer","window":8,"buffer_size":1000,"world":4,"rank":0,"consumed":12}`
	s, err := ParseState([]byte(good))
	if err != nil {
		t.Fatalf("ParseState(good) = %v", err)
	}
	if s.Seed != 1<<64-1 || s.Mode != "buffer" || s.Consumed != 12 {
		t.Fatalf("ParseState(good) = %+v", s)
	}
	for _, doc := range []string{
		``,
		`[]`,
		`{"version":1`,
		good + `{}`,
		`{"version":1,"surprise":true}`,
		`{"version":1,"mode":"sideways","window":1,"buffer_size":1}`,
		`{"version":1,"mode":"none","window":1,"buffer_size":1,"consumed":-1}`,
		`{"version":1,"mode":"none","window":1,"buffer_size":1,"epoch":-1}`,
		`{"version":1,"mode":"none","window":0,"buffer_size":1}`,
		`{"version":1,"mode":"none","window":1,"buffer_size":16777217}`,
		`{"version":1,"mode":"none","window":1,"buffer_size":1,"seed":-1}`,
	} {
		if _, err := ParseState([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseState(%q) = %v, want ErrInvalid", doc, err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	inputs := []struct {
		rows  []int64
		extra []string
	}{
		{nil, nil},
		{[]int64{0}, nil},
		{[]int64{0, 0}, nil},
		{[]int64{1, 2}, nil},
		{[]int64{2, 1}, nil},
		{[]int64{3}, nil},
		{[]int64{1, 2}, []string{""}},
		{[]int64{1, 2}, []string{"ab", "c"}},
		{[]int64{1, 2}, []string{"a", "bc"}},
		{[]int64{1, 2}, []string{"c", "ab"}},
	}
	seen := map[string]int{}
	for i, in := range inputs {
		fp := Fingerprint(in.rows, in.extra...)
		if len(fp) != 32 {
			t.Errorf("Fingerprint(%v, %q) = %q, want 32 hex digits", in.rows, in.extra, fp)
		}
		if j, ok := seen[fp]; ok {
			t.Errorf("inputs %d and %d share fingerprint %s", j, i, fp)
		}
		seen[fp] = i
		if again := Fingerprint(slices.Clone(in.rows), in.extra...); again != fp {
			t.Errorf("Fingerprint not stable: %s then %s", fp, again)
		}
	}
}

// TestPlanOwnsShardRows checks that a caller reusing its slice after
// NewPlan changes neither the order nor the fingerprint of its states.
func TestPlanOwnsShardRows(t *testing.T) {
	rows := []int64{5, 5}
	p := mustPlan(t, Config{ShardRows: rows, Mode: Shards, Seed: 4})
	before := collect(t, p, 0)
	rows[0] = 6
	st, err := p.State(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := Fingerprint([]int64{5, 5}); st.Fingerprint != want {
		t.Errorf("state fingerprint %s, want the plan's dataset's %s", st.Fingerprint, want)
	}
	if !slices.Equal(before, collect(t, p, 0)) {
		t.Error("order changed with the caller's slice")
	}
	c := p.Config()
	c.ShardRows[1] = 9
	if c.Window != DefaultWindow || c.BufferSize != DefaultBufferSize || c.World != 1 || c.Workers != 1 {
		t.Errorf("Config() = %+v, want defaults filled in", c)
	}
	if p.Config().ShardRows[1] != 5 {
		t.Error("Config() shares the plan's slice")
	}
}
