package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tome-data/tome/internal/atomicfile"
	"github.com/tome-data/tome/shard"
)

// LayoutKind names how a dataset's files are organised.
type LayoutKind string

// The layouts Open understands.
const (
	LayoutFile         LayoutKind = "file"          // one data file
	LayoutFiles        LayoutKind = "files"         // an explicit list or a glob
	LayoutSaveToDisk   LayoutKind = "save_to_disk"  // datasets' Dataset.save_to_disk (state.json)
	LayoutDatasetDict  LayoutKind = "dataset_dict"  // DatasetDict.save_to_disk (dataset_dict.json)
	LayoutBuilderCache LayoutKind = "builder_cache" // a builder's <name>-<split>.arrow cache files
	LayoutHub          LayoutKind = "hub"           // a Hub repository: README configs or split-name patterns
	LayoutHubParquet   LayoutKind = "hub_parquet"   // the Hub's Parquet export: {config}/{split}/NNNN.parquet
	LayoutManifest     LayoutKind = "manifest"      // a dataset tome convert wrote, read from its tome.json
)

// A Layout is a dataset's splits and the files of each, resolved from file
// names and the small JSON and YAML files that describe them. Resolving
// reads no data.
type Layout struct {
	Root    string
	Kind    LayoutKind
	Splits  []SplitLayout
	Config  string   // the Hub config chosen, when the README declares configs
	Configs []string // every config the README declares
	// Manifest is the dataset's tome.json, for LayoutManifest: the
	// shards' rows, bytes and checksums, and each split's schema and
	// features.
	Manifest *shard.Manifest

	// Sizes are the files' lengths in bytes, by full name, where resolving
	// learnt them without a request (a Hub listing); nil otherwise.
	Sizes map[string]int64
}

// SplitLayout is one split's files, in order.
type SplitLayout struct {
	Name  string
	Files []string
	// Missing lists files the layout names (in state.json or
	// dataset_dict.json) that do not exist. Opening the split fails and
	// names them.
	Missing []string
	// InfoFile is the split's dataset_info.json, when there is one.
	InfoFile string
}

// SplitNames lists the split names in layout order.
func (l *Layout) SplitNames() []string {
	names := make([]string, len(l.Splits))
	for i, s := range l.Splits {
		names[i] = s.Name
	}
	return names
}

// Split returns the named split.
func (l *Layout) Split(name string) (*SplitLayout, bool) {
	for i := range l.Splits {
		if l.Splits[i].Name == name {
			return &l.Splits[i], true
		}
	}
	return nil, false
}

// DefaultSplit is the split used when none is named: the only one, or
// "train" when there are several and one is called that.
func (l *Layout) DefaultSplit() (string, error) {
	switch {
	case len(l.Splits) == 1:
		return l.Splits[0].Name, nil
	case slices.Contains(l.SplitNames(), "train"):
		return "train", nil
	case len(l.Splits) == 0:
		return "", fmt.Errorf("%w: %s has no data files", ErrNotFound, l.Root)
	}
	return "", fmt.Errorf("%w: %s has splits %s; choose one", ErrSplit, l.Root, strings.Join(l.SplitNames(), ", "))
}

// defaultSplitName names the split of a dataset that does not name its own,
// as Hugging Face does.
const defaultSplitName = "train"

// ResolveLayout works out the layout of a path or URL: a local data file, a
// glob, or a directory in any of the layouts of LayoutKind; an http(s) URL
// of one data file; or an hf://datasets/ URI, whose repository folder is
// resolved like a local directory from one listing of the Hub (see
// ResolveLayoutContext). config picks a Hub config when the README declares
// several ("" for the default one).
func ResolveLayout(path, config string) (*Layout, error) {
	return ResolveLayoutContext(context.Background(), path, config)
}

// ResolveLayoutContext is ResolveLayout under ctx, which bounds the
// requests that resolving a remote dataset makes: the Hub listing (made
// once, whatever the number of files) and the reads of its small layout
// files (README.md, dataset_dict.json, state.json).
//
// It reads the layouts' own description files, the ones Hugging Face
// reads, and not the manifest (tome.json) that Open prefers, except for an
// http(s) URL of a directory, which only a manifest describes (see Open).
func ResolveLayoutContext(ctx context.Context, path, config string) (*Layout, error) {
	if remoteScheme(path) == schemeHTTP && httpNamesDir(path) {
		return resolveHTTPManifest(ctx, path, currentRemote(), true)
	}
	return resolveLayout(ctx, path, config, currentRemote())
}

// resolveLayout is ResolveLayoutContext under the remote options rs.
func resolveLayout(ctx context.Context, path, config string, rs *remoteState) (*Layout, error) {
	switch remoteScheme(path) {
	case schemeHTTP:
		return fileLayout(path), nil
	case schemeHub:
		return resolveHub(ctx, path, config, rs, false)
	}
	if hasGlobMeta(path) {
		return resolveLocalGlob(path)
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
		}
		return nil, err
	}
	if !st.IsDir() {
		return fileLayout(path), nil
	}
	return resolveDir(localFS(path), config)
}

// fileLayout is the layout of one data file.
func fileLayout(path string) *Layout {
	return &Layout{Root: path, Kind: LayoutFile, Splits: []SplitLayout{{Name: defaultSplitName, Files: []string{path}}}}
}

func resolveLocalGlob(pattern string) (*Layout, error) {
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad glob %q: %w", pattern, err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return !isDataFile(f) || isDir(f) })
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no data files match %s", ErrNotFound, pattern)
	}
	sortNatural(files)
	return &Layout{Root: pattern, Kind: LayoutFiles, Splits: []SplitLayout{{Name: defaultSplitName, Files: files}}}, nil
}

// FilesLayout is the layout of an explicit list of files: one split.
func FilesLayout(paths []string) *Layout {
	return &Layout{Root: strings.Join(paths, " "), Kind: LayoutFiles,
		Splits: []SplitLayout{{Name: defaultSplitName, Files: slices.Clone(paths)}}}
}

// A layoutFS is what resolving a layout needs to know of the folder that
// holds a dataset: which files and directories exist, and the content of
// a few small description files. A local directory answers from the file
// system (localFS); a Hub folder from one listing made up front and a GET
// per description file read (hubFS, in remote_hub.go). Paths are relative
// to the folder, with forward slashes; "" is the folder itself.
type layoutFS interface {
	// root names the folder in Layout.Root and in messages.
	root() string
	// full is the name Open opens a file by: a local path or a URI.
	full(rel string) string
	exists(rel string) bool
	// subdirs lists the directories directly inside rel.
	subdirs(rel string) ([]string, error)
	// dataFiles lists the data files under the folder (see isDataFile),
	// leaving out hidden entries and whatever is inside hidden directories.
	dataFiles() ([]string, error)
	// readSmall reads a whole file of at most max bytes; a larger one is
	// an ErrLayout error, a missing one wraps fs.ErrNotExist.
	readSmall(rel string, max int64) ([]byte, error)
}

// fullPaths maps relative paths to the names Open opens.
func fullPaths(fsys layoutFS, rels []string) []string {
	if rels == nil {
		return nil
	}
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = fsys.full(r)
	}
	return out
}

func resolveDir(fsys layoutFS, config string) (*Layout, error) {
	dir := fsys.root()
	if fsys.exists("dataset_dict.json") {
		return resolveDatasetDict(fsys)
	}
	if fsys.exists("state.json") {
		split, err := resolveSaveToDisk(fsys, "", "")
		if err != nil {
			return nil, err
		}
		return &Layout{Root: dir, Kind: LayoutSaveToDisk, Splits: []SplitLayout{split}}, nil
	}
	if fsys.exists("dataset.arrow") { // datasets < 2.0 save_to_disk
		return &Layout{Root: dir, Kind: LayoutSaveToDisk, Splits: []SplitLayout{{
			Name: defaultSplitName, Files: []string{fsys.full("dataset.arrow")},
			InfoFile: existing(fsys, "dataset_info.json"),
		}}}, nil
	}
	if l, ok, err := resolveSplitDirs(fsys); ok || err != nil {
		return l, err
	}
	files, err := fsys.dataFiles()
	if err != nil {
		return nil, err
	}
	if l, ok, err := resolveReadmeConfigs(fsys, files, config); ok || err != nil {
		return l, err
	}
	if l, ok := resolveBuilderCache(fsys, files); ok {
		return l, nil
	}
	return resolveSplitPatterns(fsys, files)
}

// datasetDictJSON is dataset_dict.json.
type datasetDictJSON struct {
	Splits []string `json:"splits"`
}

// stateJSON is the part of save_to_disk's state.json that locates data.
type stateJSON struct {
	DataFiles []struct {
		Filename string `json:"filename"`
	} `json:"_data_files"`
	Split *string `json:"_split"`
}

func resolveDatasetDict(fsys layoutFS) (*Layout, error) {
	var dd datasetDictJSON
	if err := readJSON(fsys, "dataset_dict.json", &dd); err != nil {
		return nil, err
	}
	if len(dd.Splits) == 0 {
		return nil, fmt.Errorf("%w: %s lists no splits", ErrLayout, fsys.full("dataset_dict.json"))
	}
	l := &Layout{Root: fsys.root(), Kind: LayoutDatasetDict}
	for _, name := range dd.Splits {
		if strings.ContainsAny(name, `/\`) || name == ".." || name == "." {
			return nil, fmt.Errorf("%w: %s names split %q, which is not a plain name", ErrLayout, fsys.full("dataset_dict.json"), name)
		}
		split, err := resolveSaveToDisk(fsys, name, name)
		if err != nil {
			return nil, err
		}
		l.Splits = append(l.Splits, split)
	}
	return l, nil
}

// resolveSaveToDisk reads the save_to_disk directory dir. name overrides
// the split name; state.json's _split is often stale (a test split saved
// with "_split": "train"), so a DatasetDict's own names win.
func resolveSaveToDisk(fsys layoutFS, dir, name string) (SplitLayout, error) {
	split := SplitLayout{Name: name, InfoFile: existing(fsys, path.Join(dir, "dataset_info.json"))}
	statePath := path.Join(dir, "state.json")
	if !fsys.exists(statePath) {
		split.Missing = []string{fsys.full(statePath)}
		if split.Name == "" {
			split.Name = defaultSplitName
		}
		return split, nil
	}
	var st stateJSON
	if err := readJSON(fsys, statePath, &st); err != nil {
		return split, err
	}
	if split.Name == "" {
		split.Name = defaultSplitName
		if st.Split != nil && *st.Split != "" {
			split.Name = *st.Split
		}
	}
	if len(st.DataFiles) == 0 {
		return split, fmt.Errorf("%w: %s lists no data files", ErrLayout, fsys.full(statePath))
	}
	for _, f := range st.DataFiles {
		if f.Filename == "" || filepath.IsAbs(f.Filename) || path.IsAbs(f.Filename) || strings.Contains(filepath.ToSlash(f.Filename), "..") {
			return split, fmt.Errorf("%w: %s names data file %q outside its directory", ErrLayout, fsys.full(statePath), f.Filename)
		}
		p := path.Join(dir, filepath.ToSlash(f.Filename))
		if fsys.exists(p) {
			split.Files = append(split.Files, fsys.full(p))
		} else {
			split.Missing = append(split.Missing, fsys.full(p))
		}
	}
	return split, nil
}

// resolveSplitDirs handles a DatasetDict saved without its
// dataset_dict.json: every subdirectory is a save_to_disk directory.
func resolveSplitDirs(fsys layoutFS) (*Layout, bool, error) {
	dirs, err := fsys.subdirs("")
	if err != nil {
		return nil, false, err
	}
	var names []string
	for _, name := range dirs {
		if hiddenName(name) {
			continue
		}
		if !fsys.exists(path.Join(name, "state.json")) {
			return nil, false, nil
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return nil, false, nil
	}
	sortNatural(names)
	l := &Layout{Root: fsys.root(), Kind: LayoutDatasetDict}
	for _, name := range names {
		split, err := resolveSaveToDisk(fsys, name, name)
		if err != nil {
			return nil, true, err
		}
		l.Splits = append(l.Splits, split)
	}
	return l, true, nil
}

// builderCacheFile matches a builder's cache files:
// {dataset_name}-{split}[-{shard:05d}-of-{num_shards:05d}].arrow.
var builderCacheFile = regexp.MustCompile(`^([a-z0-9_]+)-(\w+?)(?:-\d{5}-of-\d{5})?\.arrow$`)

func resolveBuilderCache(fsys layoutFS, files []string) (*Layout, bool) {
	if !fsys.exists("dataset_info.json") || len(files) == 0 {
		return nil, false
	}
	l := &Layout{Root: fsys.root(), Kind: LayoutBuilderCache}
	for _, rel := range files {
		m := builderCacheFile.FindStringSubmatch(rel)
		if m == nil {
			return nil, false
		}
		l.addFile(m[2], fsys.full(rel))
	}
	for i := range l.Splits {
		l.Splits[i].InfoFile = fsys.full("dataset_info.json")
	}
	return l, true
}

func (l *Layout) addFile(split, file string) {
	for i := range l.Splits {
		if l.Splits[i].Name == split {
			l.Splits[i].Files = append(l.Splits[i].Files, file)
			return
		}
	}
	l.Splits = append(l.Splits, SplitLayout{Name: split, Files: []string{file}})
}

// Split-name patterns, as in Hugging Face datasets' data_files.py.
var (
	splitKeywords = []struct {
		split    string
		keywords []string
	}{
		{"train", []string{"train", "training"}},
		{"validation", []string{"validation", "valid", "dev", "val"}},
		{"test", []string{"test", "testing", "eval", "evaluation"}},
	}
	dirNamePatterns  = []string{"**/{keyword}/**", "**/{keyword}[{sep}]*/**", "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"}
	fileNamePatterns = []string{"**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*"}
	shardedSplitFile = regexp.MustCompile(`^data/(\w+)-[0-9]{5}-of-[0-9]{5}[^/]*\.[^/]*$`)
	nonWordChars     = "-._ 0-9"
)

// resolveSplitPatterns assigns files (relative paths) to splits the way
// the Hub does when a repository declares nothing: push_to_hub's sharded
// names first, then split keywords in directory names, then in file names,
// else everything is "train".
func resolveSplitPatterns(fsys layoutFS, rels []string) (*Layout, error) {
	if len(rels) == 0 {
		return nil, fmt.Errorf("%w: no data files in %s", ErrNotFound, fsys.root())
	}
	l := &Layout{Root: fsys.root(), Kind: LayoutHub}
	for _, rel := range rels {
		if m := shardedSplitFile.FindStringSubmatch(rel); m != nil {
			l.addFile(m[1], fsys.full(rel))
		}
	}
	if len(l.Splits) > 0 {
		return l, nil
	}
	for _, patterns := range [][]string{dirNamePatterns, fileNamePatterns} {
		for _, sk := range splitKeywords {
			var matched []string
			for _, kw := range sk.keywords {
				for _, p := range patterns {
					re, err := globRegexp(strings.NewReplacer("{keyword}", kw, "{sep}", nonWordChars).Replace(p))
					if err != nil {
						return nil, err
					}
					for _, rel := range rels {
						if re.MatchString(rel) && !slices.Contains(matched, rel) {
							matched = append(matched, rel)
						}
					}
				}
			}
			if len(matched) > 0 {
				sortNatural(matched)
				l.Splits = append(l.Splits, SplitLayout{Name: sk.split, Files: fullPaths(fsys, matched)})
			}
		}
		if len(l.Splits) > 0 {
			return l, nil
		}
	}
	l.Splits = []SplitLayout{{Name: defaultSplitName, Files: fullPaths(fsys, rels)}}
	return l, nil
}

// readmeConfig is one entry of a dataset card's YAML `configs`.
type readmeConfig struct {
	Name      string    `yaml:"config_name"`
	DataFiles yaml.Node `yaml:"data_files"`
	DataDir   string    `yaml:"data_dir"`
	Default   bool      `yaml:"default"`
}

// maxReadme bounds the dataset card read for its front matter.
const maxReadme = 16 << 20

// resolveReadmeConfigs reads the `configs` of a dataset card (README.md
// front matter), the Hub's explicit way of naming splits.
func resolveReadmeConfigs(fsys layoutFS, files []string, want string) (*Layout, bool, error) {
	dir := fsys.root()
	front, ok, err := readmeFrontMatter(fsys)
	if err != nil || !ok {
		return nil, false, err
	}
	var card struct {
		Configs []readmeConfig `yaml:"configs"`
	}
	if err := yaml.Unmarshal(front, &card); err != nil {
		return nil, true, fmt.Errorf("%w: README.md front matter in %s: %v", ErrLayout, dir, err)
	}
	if len(card.Configs) == 0 {
		return nil, false, nil
	}
	l := &Layout{Root: dir, Kind: LayoutHub}
	var chosen *readmeConfig
	for i := range card.Configs {
		c := &card.Configs[i]
		l.Configs = append(l.Configs, c.Name)
		if (want == "" && (c.Default || c.Name == "default")) || (want != "" && c.Name == want) {
			chosen = c
		}
	}
	if chosen == nil && want == "" {
		chosen = &card.Configs[0]
	}
	if chosen == nil {
		return nil, true, fmt.Errorf("%w: config %q is not in %s/README.md (configs: %s)", ErrNotFound, want, dir, strings.Join(l.Configs, ", "))
	}
	l.Config = chosen.Name
	splits, err := configSplits(chosen)
	if err != nil {
		return nil, true, fmt.Errorf("%w: config %q in %s/README.md: %v", ErrLayout, chosen.Name, dir, err)
	}
	base := path.Clean(strings.Trim(chosen.DataDir, "/"))
	for _, sp := range splits {
		var matched []string
		for _, pat := range sp.patterns {
			re, err := globRegexp(pat)
			if err != nil {
				return nil, true, fmt.Errorf("%w: config %q in %s/README.md: data_files pattern %q: %v", ErrLayout, chosen.Name, dir, pat, err)
			}
			for _, f := range files {
				rel, ok := relTo(base, f)
				if ok && re.MatchString(rel) && !slices.Contains(matched, f) {
					matched = append(matched, f)
				}
			}
		}
		sortNatural(matched)
		split := SplitLayout{Name: sp.name, Files: fullPaths(fsys, matched)}
		if len(matched) == 0 {
			split.Missing = sp.patterns
		}
		l.Splits = append(l.Splits, split)
	}
	return l, true, nil
}

// relTo returns rel relative to the folder base ("." for the root), and
// whether rel is inside it.
func relTo(base, rel string) (string, bool) {
	if base == "." || base == "" {
		return rel, true
	}
	r, ok := strings.CutPrefix(rel, base+"/")
	return r, ok
}

type splitPatterns struct {
	name     string
	patterns []string
}

// configSplits reads data_files in its three forms: a pattern, a list of
// patterns (both meaning "train"), or a list of {split, path} entries whose
// path is a pattern or a list of them.
func configSplits(c *readmeConfig) ([]splitPatterns, error) {
	n := &c.DataFiles
	switch n.Kind {
	case 0:
		return []splitPatterns{{defaultSplitName, []string{"**"}}}, nil
	case yaml.ScalarNode:
		return []splitPatterns{{defaultSplitName, []string{n.Value}}}, nil
	case yaml.SequenceNode:
		var plain []string
		if err := n.Decode(&plain); err == nil {
			return []splitPatterns{{defaultSplitName, plain}}, nil
		}
		var entries []struct {
			Split string    `yaml:"split"`
			Path  yaml.Node `yaml:"path"`
		}
		if err := n.Decode(&entries); err != nil {
			return nil, err
		}
		var out []splitPatterns
		for _, e := range entries {
			var paths []string
			if e.Path.Kind == yaml.ScalarNode {
				paths = []string{e.Path.Value}
			} else if err := e.Path.Decode(&paths); err != nil {
				return nil, err
			}
			name := e.Split
			if name == "" {
				name = defaultSplitName
			}
			out = append(out, splitPatterns{name, paths})
		}
		return out, nil
	}
	return nil, fmt.Errorf("data_files has an unexpected shape")
}

// readmeFrontMatter returns the YAML between the leading "---" lines of
// the folder's README.md.
func readmeFrontMatter(fsys layoutFS) ([]byte, bool, error) {
	if !fsys.exists("README.md") {
		return nil, false, nil
	}
	b, err := fsys.readSmall("README.md", maxReadme)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(b, []byte("---\n")) {
		return nil, false, nil
	}
	body := b[4:]
	end := bytes.Index(body, []byte("\n---"))
	if end < 0 {
		return nil, false, nil
	}
	return body[:end+1], true, nil
}

// dataExtensions are the file suffixes tome reads as data.
var dataExtensions = []string{
	".parquet", ".arrow", ".arrows", ".feather", ".ipc",
	".jsonl", ".ndjson", ".json", ".csv", ".tsv",
}

func isDataFile(name string) bool {
	base := strings.ToLower(filepath.Base(name))
	if hiddenName(base) || atomicfile.IsTemp(base) {
		return false
	}
	switch base {
	case "dataset_info.json", "state.json", "dataset_dict.json", "dataset_infos.json", "package.json":
		return false
	}
	for _, suffix := range []string{".gz", ".zst", ".zstd"} {
		base = strings.TrimSuffix(base, suffix)
	}
	return slices.Contains(dataExtensions, filepath.Ext(base))
}

// hiddenName reports names the Hub ignores: dotfiles and "__" prefixes.
func hiddenName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "__")
}

func sortNatural(s []string) {
	slices.SortFunc(s, func(a, b string) int {
		switch {
		case naturalLess(a, b):
			return -1
		case naturalLess(b, a):
			return 1
		}
		return 0
	})
}

// maxLayoutJSON bounds the small JSON files of a layout; a larger one is
// not what it claims to be.
const maxLayoutJSON = 16 << 20

func readJSON(fsys layoutFS, rel string, v any) error {
	b, err := fsys.readSmall(rel, maxLayoutJSON)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrLayout, fsys.full(rel), err)
	}
	return nil
}

// existing returns the full name of rel, or "" when it does not exist.
func existing(fsys layoutFS, rel string) string {
	if fsys.exists(rel) {
		return fsys.full(rel)
	}
	return ""
}

func isDir(p string) bool { st, err := os.Stat(p); return err == nil && st.IsDir() }

// localFS is a local directory.
type localFS string

func (d localFS) root() string { return string(d) }

func (d localFS) full(rel string) string {
	if rel == "" {
		return string(d)
	}
	return filepath.Join(string(d), filepath.FromSlash(rel))
}

func (d localFS) exists(rel string) bool { _, err := os.Stat(d.full(rel)); return err == nil }

func (d localFS) subdirs(rel string) ([]string, error) {
	entries, err := os.ReadDir(d.full(rel))
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs, nil
}

// dataFiles walks the directory, skipping hidden entries, in natural order
// of the relative paths.
func (d localFS) dataFiles() ([]string, error) {
	dir := string(d)
	var files []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && hiddenName(e.Name()) {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.IsDir() && isDataFile(p) {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sortNatural(files)
	return files, err
}

func (d localFS) readSmall(rel string, max int64) ([]byte, error) {
	p := d.full(rel)
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, too large for a layout file", ErrLayout, p, st.Size())
	}
	return os.ReadFile(p)
}
