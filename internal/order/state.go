package order

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// StateVersion numbers the order's algorithms (the generator, the Feistel
// network, the buffer's draws). A State records it, and Resume refuses a
// State of another version: it would resume a different order.
const StateVersion = 1

// State is a run's resume point: small JSON that, with the dataset it was
// fingerprinted for, determines exactly which samples are still to come.
//
// Consumed is a global position: the number of the epoch's positions that
// all ranks together have delivered, wrap-around pads included. Ranks
// deliver in lock step with equal counts, so when every rank has delivered
// k samples of a plan that began at Start, Consumed = Start + k*World, the
// same on every rank; Plan.State computes it. Resuming sets Config.Start
// to Consumed, and because the epoch's sequence does not depend on the
// world size, the resumed run may use another World: its ranks share
// positions Consumed, Consumed+1, ... exactly as one rank would deliver
// them. A Consumed of N or more means the epoch is done.
type State struct {
	Version     int    `json:"version"`
	Fingerprint string `json:"fingerprint"`
	Seed        uint64 `json:"seed"`
	Epoch       int    `json:"epoch"`
	Mode        string `json:"mode"`
	Window      int    `json:"window"`
	BufferSize  int    `json:"buffer_size"`
	// World and Rank record who wrote the state. They are informational:
	// the global position does not depend on them, and Resume takes the
	// new run's World and Rank from its Config.
	World    int   `json:"world"`
	Rank     int   `json:"rank"`
	Consumed int64 `json:"consumed"`
}

// State returns the resume point after this plan's rank has delivered
// consumed of its RankLen samples, counted over all the rank's workers:
// the count the training loop has seen, not what workers prefetched.
// extra must be the strings the dataset is fingerprinted with.
func (p *Plan) State(consumed int64, extra ...string) (State, error) {
	if consumed < 0 || consumed > p.rankLen {
		return State{}, invalidf("consumed %d samples of a rank that has %d", consumed, p.rankLen)
	}
	c := &p.cfg
	return State{
		Version:     StateVersion,
		Fingerprint: Fingerprint(c.ShardRows, extra...),
		Seed:        c.Seed,
		Epoch:       c.Epoch,
		Mode:        c.Mode.String(),
		Window:      c.Window,
		BufferSize:  c.BufferSize,
		World:       c.World,
		Rank:        c.Rank,
		Consumed:    c.Start + consumed*int64(c.World),
	}, nil
}

// Resume returns cfg continued from s: the order parameters (Seed, Epoch,
// Mode, Window, BufferSize) and the Start position come from s; the
// dataset (ShardRows) and the new run's topology (World, Rank, Workers,
// Worker, DropRemainder) from cfg. The dataset must be the one s was
// written for: Fingerprint(cfg.ShardRows, extra...) must equal
// s.Fingerprint, or Resume returns an ErrMismatch error.
func Resume(cfg Config, s State, extra ...string) (Config, error) {
	if s.Version != StateVersion {
		return Config{}, fmt.Errorf("state version %d, this build resumes version %d: %w", s.Version, StateVersion, ErrMismatch)
	}
	if fp := Fingerprint(cfg.ShardRows, extra...); s.Fingerprint != fp {
		return Config{}, fmt.Errorf("state is for dataset %q, resuming on dataset %q: %w", s.Fingerprint, fp, ErrMismatch)
	}
	mode, err := ParseMode(s.Mode)
	if err != nil {
		return Config{}, err
	}
	if s.Window < 1 || s.BufferSize < 1 {
		// Zero would mean "the default", which a later build may change.
		return Config{}, invalidf("state has window %d and buffer size %d, want both set", s.Window, s.BufferSize)
	}
	cfg.Seed, cfg.Epoch, cfg.Mode = s.Seed, s.Epoch, mode
	cfg.Window, cfg.BufferSize = s.Window, s.BufferSize
	cfg.Start = s.Consumed
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// ParseState decodes a State from its JSON, refusing unknown fields and
// trailing data so that a damaged or foreign document is not half-read.
// It checks the fields' ranges; Resume checks that the state fits the
// dataset.
func ParseState(data []byte) (State, error) {
	var s State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return State{}, invalidf("decoding state: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return State{}, invalidf("decoding state: data after the state object")
	}
	if _, err := ParseMode(s.Mode); err != nil {
		return State{}, err
	}
	switch {
	case s.Epoch < 0:
		return State{}, invalidf("state epoch %d, want at least 0", s.Epoch)
	case s.Window < 1 || s.Window > MaxWindow:
		return State{}, invalidf("state window %d, want 1 to %d", s.Window, MaxWindow)
	case s.BufferSize < 1 || s.BufferSize > MaxBufferSize:
		return State{}, invalidf("state buffer size %d, want 1 to %d", s.BufferSize, MaxBufferSize)
	case s.Consumed < 0:
		return State{}, invalidf("state consumed %d, want at least 0", s.Consumed)
	}
	return s, nil
}
