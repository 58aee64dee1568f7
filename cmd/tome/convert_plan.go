package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/shard"
)

// A convertPlan is everything a conversion does, worked out from the
// inputs' metadata and the options before any row is read: the splits,
// their schemas, and the units the input is cut into (see shard.PlanUnits).
// It is deterministic, so every task of a scale-out conversion computes
// the same plan on its own, and a resumed conversion can check that it
// continues the same one. It is saved as plan.json in the staging
// directory, where tome merge reads it.
type convertPlan struct {
	// Request identifies the conversion asked for: the inputs (paths,
	// sizes, modification times) and every option that shapes the output.
	// tome.json records it, so a rerun of a finished conversion knows
	// there is nothing to do.
	Request string `json:"request"`
	// Fingerprint identifies this plan, units included.
	Fingerprint string     `json:"fingerprint"`
	Output      outputSpec `json:"output"`
	// ShuffleSeed is --shuffle-seed, when given.
	ShuffleSeed *uint64     `json:"shuffle_seed,omitempty"`
	Splits      []planSplit `json:"splits"`
	Units       []planUnit  `json:"units"`

	// materialize says a shuffle needs a random-access copy of the input
	// first (the input is not uncompressed Arrow); the plan then has no
	// units (see convert_shuffle.go).
	materialize bool
}

// planSplit is one output split.
type planSplit struct {
	Name   string      `json:"name"`
	Inputs []inputFile `json:"inputs"`
	// Columns are the input columns read, in output order; nil for all.
	Columns []string `json:"columns"`
	// TextSchema is the schema JSON Lines and CSV inputs are read with:
	// --schema, or what the split's first file has, so that every file
	// of the split gets the same types.
	TextSchema *shard.Schema `json:"text_schema,omitempty"`
	// Schema is the output's, with Hugging Face features in its metadata.
	Schema   shard.Schema    `json:"schema"`
	Features json.RawMessage `json:"features,omitempty"`
	Info     *sourceInfo     `json:"info,omitempty"`
	Shuffle  *shufflePlan    `json:"shuffle,omitempty"`
}

// planUnit is a unit of work: pieces of one split's inputs (or, for a
// shuffled split, blocks of its output positions).
type planUnit struct {
	Split  int           `json:"split"`
	Pieces []shard.Piece `json:"pieces"`
	Bytes  int64         `json:"bytes"`
}

// planRequest is the part of a conversion's options the plan depends on.
type planRequest struct {
	spec       outputSpec
	columns    []string
	renames    map[string]string
	schema     *arrow.Schema // --schema
	shuffle    bool
	seed       uint64
	allowCopy  bool // a shuffle may materialize a copy (one task)
	unitTarget int64
}

// newPlanRequest gathers and checks the plan's options.
func (o convertOptions) planRequest(spec outputSpec) (planRequest, error) {
	req := planRequest{spec: spec, columns: trimAll(o.columns), shuffle: o.shuffle, seed: o.shuffleSeed, allowCopy: o.taskCount == 1}
	var err error
	if req.renames, err = parseRenames(o.renames); err != nil {
		return req, err
	}
	if o.schemaFile != "" {
		if req.schema, err = readSchemaFile(o.schemaFile); err != nil {
			return req, err
		}
	}
	req.unitTarget = spec.MaxShardBytes
	if req.unitTarget <= 0 {
		req.unitTarget = shard.DefaultMaxShardBytes
	}
	return req, nil
}

// buildPlan plans the conversion of sources.
func buildPlan(ctx context.Context, req planRequest, sources []sourceSplit) (*convertPlan, error) {
	plan := &convertPlan{Output: req.spec}
	if req.shuffle {
		plan.ShuffleSeed = &req.seed
	}
	for _, src := range sources {
		sp, err := planOneSplit(ctx, req, src)
		if err != nil {
			return nil, err
		}
		if req.shuffle && !sp.gatherable() {
			if !req.allowCopy {
				return nil, usageError{fmt.Errorf("--shuffle-seed with --task-count > 1 needs uncompressed Arrow input, which every task can read at random; "+
					"split %q is not (convert it with --to arrow first)", sp.Name)}
			}
			plan.materialize = true
		}
		plan.Splits = append(plan.Splits, sp)
	}
	if !plan.materialize {
		for i := range plan.Splits {
			plan.Splits[i].Shuffle = newShufflePlan(req, plan.Splits[i])
			plan.Units = append(plan.Units, splitUnits(i, plan.Splits[i], req.unitTarget)...)
		}
	}
	plan.Request = plan.digest(true)
	plan.Fingerprint = plan.digest(false)
	return plan, nil
}

// planOneSplit examines a split's files and works out its schemas.
func planOneSplit(ctx context.Context, req planRequest, src sourceSplit) (planSplit, error) {
	sp := planSplit{Name: src.name, Columns: req.columns, Info: src.info}
	var full *arrow.Schema // of the split's first file, every column
	var firstPath string
	hasText := false
	for _, path := range src.files {
		if err := ctx.Err(); err != nil {
			return sp, err
		}
		in, schema, err := statInput(path)
		if err != nil {
			return sp, err
		}
		ranges, err := lineRanges(in, req.unitTarget)
		if err != nil {
			return sp, err
		}
		sp.Inputs = append(sp.Inputs, ranges...)
		hasText = hasText || in.text()
		if full == nil {
			firstPath = path
			if full, err = firstSchema(ranges[0], schema, req.schema); err != nil {
				return sp, err
			}
			continue
		}
		if schema != nil {
			if diff := shard.SameColumns(full, schema); diff != "" {
				return sp, fmt.Errorf("%w: split %q: %s has %s, unlike %s", format.ErrSchema, src.name, path, diff, firstPath)
			}
		}
	}
	if hasText {
		ts, err := shard.NewSchema(full)
		if err != nil {
			return sp, err
		}
		sp.TextSchema = &ts
	}
	projected, err := project(full, req.columns)
	if err != nil {
		return sp, fmt.Errorf("split %q: %w", src.name, err)
	}
	out, features, err := outputSchema(projected, req.renames)
	if err != nil {
		return sp, fmt.Errorf("split %q: %w", src.name, err)
	}
	if features == nil && req.spec.Layout == shard.LayoutSaveToDisk {
		return sp, fmt.Errorf("split %q: %w: Hugging Face features cannot describe its schema %s", src.name, format.ErrUnsupported, projected)
	}
	if sp.Schema, err = shard.NewSchema(out); err != nil {
		return sp, err
	}
	sp.Features = features
	return sp, nil
}

// firstSchema is the schema of a split's first file: what Parquet or
// Arrow record, else what --schema says or the JSON Lines or CSV reader
// infers. An explicit schema must agree with a binary file.
func firstSchema(in inputFile, stored, explicit *arrow.Schema) (*arrow.Schema, error) {
	if stored != nil {
		if explicit != nil {
			if diff := shard.SameColumns(explicit, stored); diff != "" {
				return nil, fmt.Errorf("%w: %s has %s than --schema gives", format.ErrSchema, in.Path, diff)
			}
		}
		return stored, nil
	}
	if explicit != nil {
		return explicit, nil
	}
	oi, err := openInput(in, readOptions{}, nil)
	if err != nil {
		return nil, err
	}
	defer oi.Close()
	return oi.r.Schema(), nil
}

// project returns schema's columns named in columns, in that order (all
// for nil), keeping the metadata.
func project(schema *arrow.Schema, columns []string) (*arrow.Schema, error) {
	if columns == nil {
		return schema, nil
	}
	fields := make([]arrow.Field, len(columns))
	for i, name := range columns {
		idx := schema.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: --columns: no column %q (columns: %s)", format.ErrSchema, name, columnNames(schema))
		}
		if slices.Contains(columns[:i], name) {
			return nil, fmt.Errorf("%w: --columns: %q given twice", format.ErrSchema, name)
		}
		fields[i] = schema.Field(idx[0])
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

func columnNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}

// splitUnits cuts one split into units.
func splitUnits(i int, sp planSplit, target int64) []planUnit {
	var inputs []shard.PlanInput
	if sp.Shuffle != nil {
		inputs = []shard.PlanInput{sp.Shuffle.virtualInput(sp)}
	} else {
		for _, in := range sp.Inputs {
			inputs = append(inputs, shard.PlanInput{Bytes: in.size(), ChunkRows: in.ChunkRows})
		}
	}
	var out []planUnit
	for _, u := range shard.PlanUnits(inputs, target) {
		out = append(out, planUnit{Split: i, Pieces: u.Pieces, Bytes: u.Bytes})
	}
	return out
}

// digest hashes the plan: for the request, without the units (which a
// shuffle that materializes its input only knows later).
func (p *convertPlan) digest(request bool) string {
	c := *p
	c.Request, c.Fingerprint = "", ""
	if request {
		c.Units = nil
	}
	data, err := json.Marshal(struct {
		*convertPlan
		Materialize bool `json:"materialize"`
	}{&c, p.materialize})
	if err != nil {
		panic(err) // plain structs of strings and numbers
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// totals are the plan's size: input bytes, and rows when every unit's
// row count is known (-1 otherwise).
func (p *convertPlan) totals(lo, hi int) (bytes, rows int64) {
	for _, u := range p.Units[lo:hi] {
		bytes += u.Bytes
		for _, pc := range u.Pieces {
			if pc.Rows < 0 || rows < 0 {
				rows = -1
				continue
			}
			rows += pc.Rows
		}
	}
	return bytes, rows
}

// errPlanMismatch marks staging that belongs to another conversion.
var errPlanMismatch = errors.New("staging holds another conversion")
