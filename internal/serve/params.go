package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tome-data/tome/dataset"
)

// Params select one stream: which dataset and split, which columns, and
// the training order (the flags of `tome cat` by the same names). The HTTP
// stream takes them as query parameters, Arrow Flight as the JSON of this
// struct in a ticket or a command descriptor.
type Params struct {
	Dataset       string   `json:"dataset"`
	Split         string   `json:"split,omitempty"`
	Columns       []string `json:"columns,omitempty"`
	Shuffle       string   `json:"shuffle,omitempty"`
	Seed          uint64   `json:"seed,omitempty"`
	Epoch         int      `json:"epoch,omitempty"`
	Window        int      `json:"window,omitempty"`
	Buffer        int      `json:"buffer,omitempty"`
	World         int      `json:"world,omitempty"`
	Rank          int      `json:"rank,omitempty"`
	Workers       int      `json:"workers,omitempty"`
	Worker        int      `json:"worker,omitempty"`
	Start         int64    `json:"start,omitempty"`
	BatchRows     int      `json:"batch_rows,omitempty"`
	DropRemainder bool     `json:"drop_remainder,omitempty"`
	// Resume is a training state (dataset.TrainState JSON, as
	// GET /v1/datasets/{name}/state and tome cat --state-out write it):
	// the stream continues right after it, on any world. The state sets
	// the order; order parameters given as well must agree with it.
	Resume json.RawMessage `json:"resume,omitempty"`
}

// Limits on parameters that size allocations: a request may not make the
// server build a huge batch or shuffle buffer.
const (
	maxBatchRows = 1 << 20
	maxBuffer    = 1 << 24
	maxWindow    = 1 << 30
	maxWorld     = 1 << 20
)

// paramError is a bad parameter: the client's fault, answered with 400.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

func badParam(format string, args ...any) error {
	return &paramError{fmt.Sprintf(format, args...)}
}

// queryKeys are the stream's query parameters; anything else is refused,
// so that a typo ("shufle") fails loudly instead of silently streaming
// the unshuffled order.
var queryKeys = []string{"split", "columns", "shuffle", "seed", "epoch", "window", "buffer", "world", "rank", "workers", "worker", "start", "batch_rows", "drop_remainder", "resume"}

// ParseQuery reads the stream parameters of dataset name from a query.
func ParseQuery(name string, q url.Values) (Params, error) {
	p := Params{Dataset: name}
	for k, vs := range q {
		if !slices.Contains(queryKeys, k) {
			return p, badParam("unknown parameter %q (known: %s)", k, strings.Join(queryKeys, ", "))
		}
		if len(vs) != 1 {
			return p, badParam("parameter %q given %d times", k, len(vs))
		}
	}
	var err error
	p.Split = q.Get("split")
	p.Shuffle = q.Get("shuffle")
	if c := q.Get("columns"); c != "" {
		for _, col := range strings.Split(c, ",") {
			p.Columns = append(p.Columns, strings.TrimSpace(col))
		}
	}
	ints := []struct {
		key string
		dst *int
	}{{"epoch", &p.Epoch}, {"window", &p.Window}, {"buffer", &p.Buffer}, {"world", &p.World}, {"rank", &p.Rank}, {"workers", &p.Workers}, {"worker", &p.Worker}, {"batch_rows", &p.BatchRows}}
	for _, f := range ints {
		if v := q.Get(f.key); v != "" {
			if *f.dst, err = strconv.Atoi(v); err != nil {
				return p, badParam("%s=%q: want an integer", f.key, v)
			}
		}
	}
	if v := q.Get("seed"); v != "" {
		if p.Seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return p, badParam("seed=%q: want an integer in [0, 2^64)", v)
		}
	}
	if v := q.Get("start"); v != "" {
		if p.Start, err = strconv.ParseInt(v, 10, 64); err != nil {
			return p, badParam("start=%q: want an integer", v)
		}
	}
	if v := q.Get("resume"); v != "" {
		p.Resume = json.RawMessage(v)
	}
	if v := q.Get("drop_remainder"); v != "" {
		if p.DropRemainder, err = strconv.ParseBool(v); err != nil {
			return p, badParam("drop_remainder=%q: want true or false", v)
		}
	}
	return p, p.check()
}

// ParseJSON reads stream parameters from a Flight ticket or command.
func ParseJSON(doc []byte) (Params, error) {
	var p Params
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, badParam("stream parameters: %v", err)
	}
	if dec.More() {
		return p, badParam("stream parameters: more than one JSON value")
	}
	return p, p.check()
}

// Query is p as the stream's query parameters (without the dataset, which
// is in the path).
func (p Params) Query() url.Values {
	q := url.Values{}
	set := func(k string, v string, nonzero bool) {
		if nonzero {
			q.Set(k, v)
		}
	}
	set("split", p.Split, p.Split != "")
	set("columns", strings.Join(p.Columns, ","), len(p.Columns) > 0)
	set("shuffle", p.Shuffle, p.Shuffle != "")
	set("seed", strconv.FormatUint(p.Seed, 10), p.Seed != 0)
	for _, f := range []struct {
		k string
		v int
	}{{"epoch", p.Epoch}, {"window", p.Window}, {"buffer", p.Buffer}, {"world", p.World}, {"rank", p.Rank}, {"workers", p.Workers}, {"worker", p.Worker}, {"batch_rows", p.BatchRows}} {
		set(f.k, strconv.Itoa(f.v), f.v != 0)
	}
	set("start", strconv.FormatInt(p.Start, 10), p.Start != 0)
	set("drop_remainder", "true", p.DropRemainder)
	set("resume", string(p.Resume), len(p.Resume) > 0)
	return q
}

// check validates what can be checked without the dataset; Train checks
// the rest (its errors wrap dataset.ErrTrainConfig and become 400s too).
func (p *Params) check() error {
	if _, err := dataset.ParseShuffleMode(p.Shuffle); err != nil && p.Shuffle != "" {
		return badParam("shuffle=%q: want none, shards, block, global or buffer", p.Shuffle)
	}
	for _, c := range p.Columns {
		if c == "" {
			return badParam("columns: empty column name")
		}
	}
	nonNeg := []struct {
		key      string
		v, limit int64
	}{
		{"epoch", int64(p.Epoch), 1 << 31},
		{"window", int64(p.Window), maxWindow},
		{"buffer", int64(p.Buffer), maxBuffer},
		{"world", int64(p.World), maxWorld},
		{"rank", int64(p.Rank), maxWorld},
		{"workers", int64(p.Workers), maxWorld},
		{"worker", int64(p.Worker), maxWorld},
		{"start", p.Start, 1 << 62},
		{"batch_rows", int64(p.BatchRows), maxBatchRows},
	}
	for _, f := range nonNeg {
		if f.v < 0 || f.v > f.limit {
			return badParam("%s=%d: want 0 to %d", f.key, f.v, f.limit)
		}
	}
	world, workers := max(p.World, 1), max(p.Workers, 1)
	if p.Rank >= world {
		return badParam("rank=%d: want 0 to world-1 (world=%d)", p.Rank, world)
	}
	if p.Worker >= workers {
		return badParam("worker=%d: want 0 to workers-1 (workers=%d)", p.Worker, workers)
	}
	if len(p.Resume) > 0 {
		return p.checkResume()
	}
	return nil
}

// checkResume checks the resume state and that the order parameters given
// (the non-zero ones) agree with it.
func (p *Params) checkResume() error {
	st, err := dataset.ParseTrainState(p.Resume)
	if err != nil {
		return badParam("resume: %v", err)
	}
	mode, _ := dataset.ParseShuffleMode(p.Shuffle)
	conflicts := []struct {
		key        string
		given, agr bool
	}{
		{"shuffle", p.Shuffle != "", mode.String() == st.Mode},
		{"seed", p.Seed != 0, p.Seed == st.Seed},
		{"epoch", p.Epoch != 0, p.Epoch == st.Epoch},
		{"window", p.Window != 0, p.Window == st.Window},
		{"buffer", p.Buffer != 0, p.Buffer == st.BufferSize},
	}
	for _, c := range conflicts {
		if c.given && !c.agr {
			return badParam("%s differs from the resume state, which sets the order; leave it out", c.key)
		}
	}
	return nil
}

// fileOrder reports whether p asks for the dataset's rows in file order,
// whole: no shuffle, one rank, one worker, from the start.
func (p Params) fileOrder() bool {
	return (p.Shuffle == "" || strings.EqualFold(p.Shuffle, "none")) && p.World <= 1 && p.Workers <= 1 && p.Start == 0 && len(p.Resume) == 0
}

// trainOptions are p's training-stream options. Prefetch lets reading
// the next batch overlap writing this one to the network; it never
// changes the order. check has refused bad values already; the errors
// are still returned so that no caller depends on having called it.
func (p Params) trainOptions() (dataset.TrainOptions, error) {
	mode := dataset.ShuffleNone
	if p.Shuffle != "" {
		m, err := dataset.ParseShuffleMode(p.Shuffle)
		if err != nil {
			return dataset.TrainOptions{}, err
		}
		mode = m
	}
	opts := dataset.TrainOptions{
		Mode: mode, Seed: p.Seed, Epoch: p.Epoch, Window: p.Window, BufferSize: p.Buffer,
		World: p.World, Rank: p.Rank, Workers: p.Workers, Worker: p.Worker,
		DropRemainder: p.DropRemainder, Start: p.Start,
		Columns: p.Columns, BatchRows: p.BatchRows, Prefetch: 2,
	}
	if len(p.Resume) > 0 {
		st, err := dataset.ParseTrainState(p.Resume)
		if err != nil {
			return dataset.TrainOptions{}, err
		}
		opts.Resume = st
	}
	return opts, nil
}
