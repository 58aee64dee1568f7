package dataset

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"github.com/tome-data/tome/internal/order"
	"github.com/tome-data/tome/stream"
)

// MixOptions describe a weighted mix of datasets for TrainMix.
type MixOptions struct {
	// Weights holds one weight per dataset, each finite and above zero;
	// they need not sum to one.
	Weights []float64
	// Window is the number of consecutive mix positions over which the
	// weights hold exactly: every window draws each dataset its quota of
	// samples, the weights apportioned by the largest remainder method
	// (0: 100).
	Window int
	// Stop says when the epoch ends: stream.FirstExhausted when any
	// dataset runs out (no sample repeats), stream.AllExhausted when every
	// dataset has run out at least once, those that ran out earlier
	// starting over (oversampling).
	Stop stream.StopStrategy
}

// TrainMix returns the training stream of a weighted mix of datasets, which
// must have the same columns: one rank's (and worker's) samples of one
// epoch of the mix.
//
// Each dataset is ordered as Dataset.Train orders it under opts's Mode,
// Seed, Epoch, Window and BufferSize (each with a seed of its own, derived
// from Seed), and the mix draws from them by a schedule that gives every
// window of mix.Window positions exactly each dataset's quota, in an order
// keyed by Seed and Epoch (stream.Mix's). The mix's length follows from
// the datasets' lengths and the stop strategy; its positions are shared
// among ranks and workers exactly as one dataset's are (World, Rank,
// Workers, Worker, DropRemainder), so a mix resumes exactly and
// elastically too: its TrainState records the mix and where each dataset
// stands.
//
// The stream holds references to the datasets' files until Close.
func TrainMix(parts []*Dataset, mix MixOptions, opts TrainOptions) (*TrainStream, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("train mix: %w: no datasets", ErrTrainConfig)
	}
	if len(mix.Weights) != len(parts) {
		return nil, fmt.Errorf("train mix: %w: %d weights for %d datasets", ErrTrainConfig, len(mix.Weights), len(parts))
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if mix.Window == 0 {
		mix.Window = stream.DefaultMixWindow
	}
	if r := opts.Resume; r != nil {
		if err := resumeMixOptions(r, mix, &opts); err != nil {
			return nil, err
		}
	}
	o, err := newMixOrder(parts, mix, opts)
	if err != nil {
		return nil, err
	}
	ds, err := Concatenate(parts...)
	if err != nil {
		return nil, fmt.Errorf("train mix: %w", err)
	}
	return newTrainStream(ds, o, opts), nil
}

// resumeMixOptions checks that r is a state of the mix described and takes
// the order parameters from it.
func resumeMixOptions(r *TrainState, mix MixOptions, opts *TrainOptions) error {
	m := r.Mix
	if m == nil {
		return fmt.Errorf("train mix: %w: the state is of a single dataset, not a mix", ErrStateMismatch)
	}
	if !slices.Equal(m.Weights, mix.Weights) || m.Window != mix.Window || m.Stop != mix.Stop {
		return fmt.Errorf("train mix: %w: the state is of a mix with weights %v, window %d, %s; resuming one with weights %v, window %d, %s",
			ErrStateMismatch, m.Weights, m.Window, m.Stop, mix.Weights, mix.Window, mix.Stop)
	}
	if r.Version != order.StateVersion {
		return fmt.Errorf("train mix: %w: state version %d, this build resumes version %d", ErrStateMismatch, r.Version, order.StateVersion)
	}
	mode, err := ParseShuffleMode(r.Mode)
	if err != nil {
		return err
	}
	opts.Mode, opts.Seed, opts.Epoch, opts.Window, opts.BufferSize = mode, r.Seed, r.Epoch, r.Window, r.BufferSize
	return nil
}

// mixOrder is the order of a mix: each dataset's own order (one rank of
// it), a stream.Mixer schedule over them, and the positions of the mix
// this rank takes.
type mixOrder struct {
	cfg     stream.MixConfig
	quotas  []int
	parts   []*order.Plan // each dataset's order over all its rows
	lens    []int64
	offsets []int64 // offsets[i] is dataset i's first row in the concatenation
	total   int64   // the mix's length
	rank    *order.Plan
	fp      string
	params  TrainState // the order parameters a state records
}

func newMixOrder(parts []*Dataset, mix MixOptions, opts TrainOptions) (*mixOrder, error) {
	o := &mixOrder{
		cfg: stream.MixConfig{Weights: slices.Clone(mix.Weights), Window: mix.Window,
			Seed: mixSeed(opts.Seed, opts.Epoch), Stop: mix.Stop},
		parts: make([]*order.Plan, len(parts)), lens: make([]int64, len(parts)), offsets: make([]int64, len(parts)),
	}
	var allRows []int64
	extra := []string{"mix", fmt.Sprint(mix.Weights), strconv.Itoa(mix.Window), mix.Stop.String()}
	var off int64
	for i, d := range parts {
		if err := d.checkOpen(fmt.Sprintf("train mix: dataset %d", i)); err != nil {
			return nil, err
		}
		n, err := d.needLen("train mix")
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("train mix: %w: dataset %d (%s) is empty", ErrTrainConfig, i, d.name)
		}
		shardRows, ex := d.trainIdentity()
		cfg := opts.orderConfig(shardRows)
		cfg.Seed = partSeed(opts.Seed, i)
		cfg.World, cfg.Rank, cfg.Workers, cfg.Worker, cfg.DropRemainder = 1, 0, 1, 0, false
		p, err := order.NewPlan(cfg)
		if err != nil {
			return nil, orderError(err)
		}
		o.parts[i], o.lens[i], o.offsets[i] = p, n, off
		off += n
		allRows = append(allRows, shardRows...)
		extra = append(extra, "part "+strconv.Itoa(i)+" of "+strconv.Itoa(len(shardRows))+" shards")
		extra = append(extra, ex...)
	}
	probe, err := stream.NewMixer(o.cfg, o.probeSources()...)
	if err != nil {
		return nil, fmt.Errorf("train mix: %w: %w", ErrTrainConfig, err)
	}
	o.quotas = probe.Quotas()
	if o.total, err = o.length(); err != nil {
		return nil, err
	}
	o.fp = order.Fingerprint(allRows, extra...)
	c := o.parts[0].Config()
	o.params = TrainState{Version: order.StateVersion, Fingerprint: o.fp, Seed: opts.Seed, Epoch: c.Epoch,
		Mode: c.Mode.String(), Window: c.Window, BufferSize: c.BufferSize}
	start := int64(0)
	if r := opts.Resume; r != nil {
		if r.Fingerprint != o.fp {
			return nil, fmt.Errorf("train mix: %w: the state is for mix %q, resuming on mix %q", ErrStateMismatch, r.Fingerprint, o.fp)
		}
		st, err := o.stateAt(min(r.Consumed, o.total))
		if err != nil {
			return nil, err
		}
		if r.Mix.Position != st.Position || !slices.Equal(r.Mix.Sources, st.Sources) {
			return nil, fmt.Errorf("train mix: %w: the state's sources %v at position %d are not where this mix has them (%v)",
				ErrStateMismatch, r.Mix.Sources, r.Mix.Position, st.Sources)
		}
		start = r.Consumed
	}
	if start, err = advance(start, opts.Start, opts.World); err != nil {
		return nil, err
	}
	o.rank, err = order.NewPlan(order.Config{ShardRows: []int64{o.total}, World: opts.World, Rank: opts.Rank,
		Workers: opts.Workers, Worker: opts.Worker, DropRemainder: opts.DropRemainder, Start: start})
	if err != nil {
		return nil, orderError(err)
	}
	return o, nil
}

func (o *mixOrder) len() int64                    { return o.rank.Len() }
func (o *mixOrder) rankLen() int64                { return o.rank.RankLen() }
func (o *mixOrder) span() (lo, hi int64, ok bool) { return 0, 0, false }

func (o *mixOrder) state(consumed int64) (TrainState, error) {
	s, err := o.rank.State(consumed)
	if err != nil {
		return TrainState{}, orderError(err)
	}
	st, err := o.stateAt(min(s.Consumed, o.total))
	if err != nil {
		return TrainState{}, err
	}
	out := o.params
	out.World, out.Rank, out.Consumed = s.World, s.Rank, s.Consumed
	out.Mix = &TrainMixState{Weights: slices.Clone(o.cfg.Weights), Window: o.cfg.Window, Stop: o.cfg.Stop,
		Position: st.Position, Sources: st.Sources}
	return out, nil
}

// rows runs a Mixer over the datasets' orders from the rank's first
// position, taking every position the rank delivers; it reopens the Mixer
// where the rank's positions wrap around (pads).
func (o *mixOrder) rows() iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		n := o.rank.Len()
		for k := int64(0); k < n; {
			target := o.rank.At(k)
			m, err := o.mixerAt(target)
			if err != nil {
				yield(0, err)
				return
			}
			pos, wrapped := target, false
			for row, err := range m.All() {
				if err != nil {
					yield(0, fmt.Errorf("train mix: %w", err))
					return
				}
				if pos == target {
					if !yield(row, nil) {
						return
					}
					if k++; k == n {
						return
					}
					next := o.rank.At(k)
					if next < pos {
						wrapped = true
						break
					}
					target = next
				}
				pos++
			}
			if !wrapped {
				yield(0, fmt.Errorf("train mix: the mix ended at position %d, before its length %d", pos, o.total))
				return
			}
		}
	}
}

// mixerAt returns a Mixer over the datasets' orders at mix position p.
func (o *mixOrder) mixerAt(p int64) (*stream.Mixer[int64], error) {
	sources := make([]stream.Source[int64], len(o.parts))
	for i, plan := range o.parts {
		off := o.offsets[i]
		sources[i] = func(offset int64) iter.Seq2[int64, error] {
			return func(yield func(int64, error) bool) {
				for _, row := range plan.All(offset) {
					if !yield(off+row, nil) {
						return
					}
				}
			}
		}
	}
	m, err := stream.NewMixer(o.cfg, sources...)
	if err != nil {
		return nil, fmt.Errorf("train mix: %w: %w", ErrTrainConfig, err)
	}
	st, err := o.stateAt(p)
	if err != nil {
		return nil, err
	}
	if err := m.Restore(st); err != nil {
		return nil, fmt.Errorf("train mix: restoring the mix at position %d: %w", p, err)
	}
	return m, nil
}

// stateAt is the Mixer's state at position p of the mix (p at most its
// length): source i has been drawn d times, which the first d/len passes
// over it hold and the current pass the rest, as a Mixer that has seen the
// passes end counts them.
func (o *mixOrder) stateAt(p int64) (stream.MixState, error) {
	w := int64(o.cfg.Window)
	k, r := p/w, p%w
	st := stream.MixState{Position: p, Sources: make([]stream.MixSourceState, len(o.quotas))}
	draws := make([]int64, len(o.quotas))
	for i, q := range o.quotas {
		draws[i] = k * int64(q)
	}
	if r > 0 {
		win, err := o.windowOrder(k)
		if err != nil {
			return stream.MixState{}, err
		}
		for _, i := range win[:r] {
			draws[i]++
		}
	}
	for i, d := range draws {
		var passes int64
		if d > 0 {
			passes = (d - 1) / o.lens[i]
		}
		st.Sources[i] = stream.MixSourceState{Taken: d - passes*o.lens[i], Passes: passes}
	}
	return st, nil
}

// length is the number of positions of the mix: the position of the draw
// that finds the first dataset exhausted (FirstExhausted), or the last one
// to be exhausted (AllExhausted).
func (o *mixOrder) length() (int64, error) {
	var total int64 = -1
	for i, n := range o.lens {
		e, err := o.drawPosition(i, n)
		if err != nil {
			return 0, err
		}
		if total < 0 || (o.cfg.Stop == stream.FirstExhausted && e < total) || (o.cfg.Stop == stream.AllExhausted && e > total) {
			total = e
		}
	}
	return total, nil
}

// drawPosition returns the mix position of the d-th draw (from zero) of
// source i.
func (o *mixOrder) drawPosition(i int, d int64) (int64, error) {
	q := int64(o.quotas[i])
	k, j := d/q, d%q
	win, err := o.windowOrder(k)
	if err != nil {
		return 0, err
	}
	for off, s := range win {
		if s != i {
			continue
		}
		if j == 0 {
			return k*int64(o.cfg.Window) + int64(off), nil
		}
		j--
	}
	return 0, errors.New("train mix: a window holds fewer draws of a source than its quota")
}

// windowOrder returns which source each position of window k draws from.
// It asks a Mixer over endless sources that yield their own number, moved
// to the window's start, so the schedule stays stream.Mix's own.
func (o *mixOrder) windowOrder(k int64) ([]int, error) {
	probe := o.cfg
	probe.Stop = stream.FirstExhausted
	m, err := stream.NewMixer(probe, o.probeSources()...)
	if err != nil {
		return nil, fmt.Errorf("train mix: %w: %w", ErrTrainConfig, err)
	}
	w := int64(o.cfg.Window)
	st := stream.MixState{Position: k * w, Sources: make([]stream.MixSourceState, len(o.quotas))}
	for i, q := range o.quotas {
		st.Sources[i].Taken = k * int64(q)
	}
	if err := m.Restore(st); err != nil {
		return nil, fmt.Errorf("train mix: window %d: %w", k, err)
	}
	win := make([]int, 0, w)
	for i, err := range m.All() {
		if err != nil {
			return nil, fmt.Errorf("train mix: window %d: %w", k, err)
		}
		if win = append(win, int(i)); int64(len(win)) == w {
			break
		}
	}
	return win, nil
}

// probeSources are endless sources, source i yielding i.
func (o *mixOrder) probeSources() []stream.Source[int64] {
	src := make([]stream.Source[int64], len(o.cfg.Weights))
	for i := range src {
		src[i] = func(int64) iter.Seq2[int64, error] {
			return func(yield func(int64, error) bool) {
				for yield(int64(i), nil) {
				}
			}
		}
	}
	return src
}

// mixSeed keys the mix schedule of an epoch; partSeed each dataset's
// order, so that datasets of equal shape are not shuffled alike.
func mixSeed(seed uint64, epoch int) uint64 {
	return splitMix(seed ^ splitMix(uint64(epoch)^0x6d69785f73636864))
}

func partSeed(seed uint64, i int) uint64 {
	return splitMix(seed ^ splitMix(uint64(i)^0x706172745f736564))
}

// splitMix is SplitMix64's finaliser, a bijective mixer of 64-bit words.
func splitMix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
