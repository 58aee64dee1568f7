package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tome-data/tome/format/hf"
	"github.com/tome-data/tome/internal/atomicfile"
	"github.com/tome-data/tome/shard"
)

// stagedShard is one finished shard in the staging directory.
type stagedShard struct {
	src string // path in the staging directory
	rec partRecord
}

// assemble builds the dataset in the staging directory's out/: shards
// moved to their final names, the layout's files, and tome.json last. An
// out/ with a tome.json of this conversion is complete and kept as is;
// otherwise the moves are redone where they are missing.
func assemble(ctx context.Context, st *staging, plan *convertPlan) (*shard.Manifest, error) {
	out := st.outDir()
	if m, err := shard.ReadManifest(out); err == nil && m.Plan == plan.Request {
		return m, nil
	}
	staged, err := stagedShards(st, plan)
	if err != nil {
		return nil, err
	}
	m := &shard.Manifest{
		Version: shard.ManifestVersion, Format: plan.Output.Format, Compression: plan.Output.Compression,
		Layout: plan.Output.Layout, Plan: plan.Request,
	}
	for i := range plan.Splits {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ms, err := placeSplit(st, plan, i, staged[i])
		if err != nil {
			return nil, err
		}
		m.Splits = append(m.Splits, ms)
	}
	m.Total()
	if err := writeLayoutFiles(out, plan, m, staged, filepath.Base(st.dst)); err != nil {
		return nil, err
	}
	if err := shard.WriteManifest(out, m); err != nil {
		return nil, err
	}
	return m, nil
}

// stagedShards lists each split's finished shards in unit order.
func stagedShards(st *staging, plan *convertPlan) ([][]stagedShard, error) {
	ext := plan.Output.extension()
	out := make([][]stagedShard, len(plan.Splits))
	for u, unit := range plan.Units {
		var done unitDone
		if err := readJSONFile(st.doneFile(u), &done); err != nil {
			return nil, err
		}
		for i := range done.Parts {
			var rec partRecord
			if err := readJSONFile(st.partRecord(u, i), &rec); err != nil {
				return nil, err
			}
			out[unit.Split] = append(out[unit.Split], stagedShard{src: st.partPath(u, i, ext), rec: rec})
		}
	}
	return out, nil
}

// shardName is the path of shard i of n of a split, relative to the
// dataset root, in the plan's layout.
func shardName(plan *convertPlan, split string, i, n int) string {
	if plan.Output.Layout == shard.LayoutSaveToDisk {
		name := hf.DataFileName(i, n)
		if len(plan.Splits) > 1 {
			return path.Join(split, name)
		}
		return name
	}
	return fmt.Sprintf("data/%s-%05d-of-%05d%s", split, i, n, plan.Output.extension())
}

// placeSplit moves a split's shards to their final names in out/. A split
// with no rows gets one empty shard, which gives its schema.
func placeSplit(st *staging, plan *convertPlan, i int, staged []stagedShard) (shard.ManifestSplit, error) {
	sp := plan.Splits[i]
	ms := shard.ManifestSplit{Name: sp.Name, Schema: sp.Schema, Features: sp.Features}
	if len(staged) == 0 {
		sh, err := writeEmptyShard(st, plan, i)
		if err != nil {
			return ms, err
		}
		ms.Shards = []shard.ManifestShard{sh}
		return ms, nil
	}
	for k, s := range staged {
		rel := shardName(plan, sp.Name, k, len(staged))
		dst := filepath.Join(st.outDir(), filepath.FromSlash(rel))
		if err := moveShard(s.src, dst, s.rec.Bytes); err != nil {
			return ms, err
		}
		ms.Shards = append(ms.Shards, shard.ManifestShard{Path: rel, Rows: s.rec.Rows, Bytes: s.rec.Bytes, SHA256: s.rec.SHA256})
	}
	return ms, nil
}

// moveShard renames a staged shard to its final name, or checks that an
// earlier, interrupted assembly did.
func moveShard(src, dst string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	err := os.Rename(src, dst)
	if errors.Is(err, fs.ErrNotExist) {
		if st, serr := os.Stat(dst); serr == nil && st.Size() == size {
			return nil
		}
		return fmt.Errorf("staging is damaged: shard %s is gone and %s is not in its place; start the conversion again", src, dst)
	}
	return err
}

// writeEmptyShard writes the one, empty, shard of a split with no rows.
func writeEmptyShard(st *staging, plan *convertPlan, i int) (shard.ManifestShard, error) {
	sp := plan.Splits[i]
	schema, err := sp.Schema.Arrow()
	if err != nil {
		return shard.ManifestShard{}, err
	}
	rel := shardName(plan, sp.Name, 0, 1)
	dst := filepath.Join(st.outDir(), filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return shard.ManifestShard{}, err
	}
	opts := plan.Output.writerOptions(func(int) string { return dst })
	opts.KeepEmpty = true
	w, err := shard.NewWriter(schema, opts)
	if err != nil {
		return shard.ManifestShard{}, err
	}
	written, err := w.Close()
	if err != nil {
		return shard.ManifestShard{}, err
	}
	ws := written[0]
	return shard.ManifestShard{Path: rel, Rows: 0, Bytes: ws.Bytes, SHA256: ws.SHA256}, nil
}

// writeLayoutFiles writes what the layout needs besides the shards: the
// Hub's README.md with its configs, or save_to_disk's dataset_info.json
// and state.json per split and dataset_dict.json for several splits.
func writeLayoutFiles(out string, plan *convertPlan, m *shard.Manifest, staged [][]stagedShard, title string) error {
	if plan.Output.Layout != shard.LayoutSaveToDisk {
		return atomicfile.WriteFile(filepath.Join(out, "README.md"), hubReadme(plan, m, title))
	}
	info, err := datasetInfo(plan, m, staged)
	if err != nil {
		return err
	}
	for _, ms := range m.Splits {
		dir := out
		if len(m.Splits) > 1 {
			dir = filepath.Join(out, ms.Name)
		}
		if err := hf.WriteDatasetInfo(filepath.Join(dir, hf.DatasetInfoFile), info); err != nil {
			return err
		}
		state := hf.NewState(len(ms.Shards), ms.Name, hf.NewFingerprint(plan.Fingerprint, ms.Name))
		if err := hf.WriteState(filepath.Join(dir, hf.StateFile), state); err != nil {
			return err
		}
	}
	if len(m.Splits) > 1 {
		return hf.WriteDatasetDict(filepath.Join(out, hf.DatasetDictFile), &hf.DatasetDict{Splits: m.SplitNames()})
	}
	return nil
}

// datasetInfo is dataset_info.json: the features, the source's
// description, and the size of every split, as a builder records them.
func datasetInfo(plan *convertPlan, m *shard.Manifest, staged [][]stagedShard) (*hf.DatasetInfo, error) {
	feats, err := hf.ParseFeatures(m.Splits[0].Features)
	if err != nil {
		return nil, err
	}
	info := &hf.DatasetInfo{Features: feats}
	src := plan.Splits[0].Info
	if src == nil {
		src = &sourceInfo{}
	}
	info.Description, info.Citation, info.Homepage, info.License = src.Description, src.Citation, src.Homepage, src.License
	info.BuilderName, info.DatasetName, info.ConfigName, info.Version = src.BuilderName, src.DatasetName, src.ConfigName, src.Version
	info.DownloadChecksums, info.DownloadSize = src.DownloadChecksums, src.DownloadSize
	var total int64
	for i, ms := range m.Splits {
		si := hf.SplitInfo{Name: ms.Name, NumExamples: ms.Rows, DatasetName: src.DatasetName}
		for _, s := range staged[i] {
			si.NumBytes += s.rec.ArrowBytes
		}
		if len(ms.Shards) > 1 {
			si.ShardLengths = ms.ShardRows()
		}
		total += si.NumBytes
		info.Splits = append(info.Splits, si)
	}
	info.DatasetSize = &total
	if info.DownloadSize != nil {
		// What a builder records: what it downloaded plus what it made.
		size := *info.DownloadSize + total
		info.SizeInBytes = &size
	}
	return info, nil
}

// hubReadme is the dataset card of the Hub layout: YAML configs naming
// each split's files, which the Hub and tome read to find the splits.
func hubReadme(plan *convertPlan, m *shard.Manifest, title string) []byte {
	type dataFiles struct {
		Split string `yaml:"split"`
		Path  string `yaml:"path"`
	}
	type config struct {
		Name      string      `yaml:"config_name"`
		DataFiles []dataFiles `yaml:"data_files"`
	}
	cfg := config{Name: "default"}
	names := m.SplitNames()
	for _, name := range names {
		pattern := "data/" + name + "-*"
		for _, other := range names {
			if other != name && strings.HasPrefix(other, name+"-") {
				// "train-*" would take "train-extra"'s files too.
				pattern = "data/" + name + "-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]" + plan.Output.extension()
			}
		}
		cfg.DataFiles = append(cfg.DataFiles, dataFiles{Split: name, Path: pattern})
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string][]config{"configs": {cfg}}); err != nil {
		panic(err) // strings only
	}
	enc.Close()
	b.WriteString("---\n\n")
	fmt.Fprintf(&b, "# %s\n\n", title)
	var shards int
	for _, s := range m.Splits {
		shards += len(s.Shards)
	}
	fmt.Fprintf(&b, "%d rows in %d %s shards, written by `tome convert`. ", m.Rows, shards, m.Format)
	b.WriteString("`tome.json` lists every shard with its rows, bytes and SHA-256, and the schema of each split; `tome verify` checks the files against it.\n")
	return b.Bytes()
}
