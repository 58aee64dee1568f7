package dataset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/tome-data/tome/shard"
)

// parquetExportRevision is where the Hub keeps its Parquet conversion of a
// dataset, laid out as {config}/{split}/NNNN.parquet.
const parquetExportRevision = "refs/convert/parquet"

// defaultConfigName is the config of a dataset that declares none, as the
// Hub names it in its Parquet export.
const defaultConfigName = "default"

// resolveHub works out the layout of an hf://datasets/ URI with one
// listing of the folder it names: a file is opened as it is (no listing),
// a glob lists the folder before its first wildcard, the Parquet export
// branch is read as {config}/{split}/NNNN.parquet, and any other folder is
// resolved like a local directory.
//
// With manifest, a folder whose listing holds tome.json is read from it
// (one more request) instead.
func resolveHub(ctx context.Context, uri, config string, rs *remoteState, manifest bool) (*Layout, error) {
	u, err := shard.ParseHubURI(uri)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	opts := rs.hubOptions()
	if hasGlobMeta(u.Path) {
		return resolveHubGlob(ctx, u, opts)
	}
	if u.Path != "" && isDataFile(u.Path) {
		return &Layout{Root: uri, Kind: LayoutFile, Splits: []SplitLayout{{Name: defaultSplitName, Files: []string{u.String()}}}}, nil
	}
	fsys, err := listHubFS(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	if manifest && fsys.exists(shard.ManifestFile) {
		return manifestLayoutFS(fsys)
	}
	var l *Layout
	if u.Revision == parquetExportRevision {
		l, err = resolveParquetExport(fsys, config)
	} else {
		l, err = resolveDir(fsys, config)
	}
	if err != nil {
		return nil, err
	}
	l.Sizes = fsys.sizes()
	return l, nil
}

// sizes maps the full name of every file listed to its length.
func (h *hubFS) sizes() map[string]int64 {
	out := make(map[string]int64, len(h.files))
	for rel, f := range h.files {
		out[h.full(rel)] = f.Size
	}
	return out
}

// listHubFS lists the folder u names, once.
func listHubFS(ctx context.Context, u shard.HubURI, opts shard.HubOptions) (*hubFS, error) {
	files, err := shard.ListHub(ctx, u.String(), opts)
	if err != nil {
		if errors.Is(err, shard.ErrNotFound) {
			return nil, fmt.Errorf("%w: %v", ErrNotFound, err)
		}
		return nil, err
	}
	fsys := &hubFS{ctx: ctx, base: u, opts: opts, files: map[string]shard.HubFile{}, dirs: map[string][]string{}}
	prefix := ""
	if u.Path != "" {
		prefix = u.Path + "/"
	}
	for _, f := range files {
		rel, ok := strings.CutPrefix(f.Path, prefix)
		if !ok || rel == "" {
			continue
		}
		fsys.add(rel, f)
	}
	return fsys, nil
}

// resolveHubGlob resolves hf://datasets/org/name/dir/*.parquet: the files
// of one listing of dir that match the pattern, in natural order.
func resolveHubGlob(ctx context.Context, u shard.HubURI, opts shard.HubOptions) (*Layout, error) {
	segs := strings.Split(u.Path, "/")
	fixed := 0
	for fixed < len(segs) && !hasGlobMeta(segs[fixed]) {
		fixed++
	}
	dir := u
	dir.Path = strings.Join(segs[:fixed], "/")
	re, err := globRegexp(strings.Join(segs[fixed:], "/"))
	if err != nil {
		return nil, fmt.Errorf("bad glob %q: %w", u.Path, err)
	}
	fsys, err := listHubFS(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	rels, err := fsys.dataFiles()
	if err != nil {
		return nil, err
	}
	rels = slices.DeleteFunc(rels, func(rel string) bool { return !re.MatchString(rel) })
	if len(rels) == 0 {
		return nil, fmt.Errorf("%w: no data files match %s", ErrNotFound, u)
	}
	return &Layout{Root: u.String(), Kind: LayoutFiles, Splits: []SplitLayout{{Name: defaultSplitName, Files: fullPaths(fsys, rels)}}, Sizes: fsys.sizes()}, nil
}

// resolveParquetExport reads the Hub's Parquet export branch: each config
// is a folder of split folders of NNNN.parquet files. A split the Hub
// converted only in part is named "partial-{split}"; it is read under its
// own name, so that no one takes it for the whole split.
func resolveParquetExport(fsys *hubFS, config string) (*Layout, error) {
	configs, err := fsys.subdirs("")
	if err != nil {
		return nil, err
	}
	configs = slices.DeleteFunc(configs, hiddenName)
	sortNatural(configs)
	want := config
	if want == "" {
		want = defaultConfigName
		if len(configs) == 1 {
			want = configs[0]
		}
	}
	if !slices.Contains(configs, want) {
		return nil, fmt.Errorf("%w: config %q is not in the Parquet export %s (configs: %s)", ErrNotFound, want, fsys.root(), strings.Join(configs, ", "))
	}
	l := &Layout{Root: fsys.root(), Kind: LayoutHubParquet, Config: want, Configs: configs}
	splits, err := fsys.subdirs(want)
	if err != nil {
		return nil, err
	}
	sortNatural(splits)
	for _, split := range splits {
		var rels []string
		for _, name := range fsys.dirs[path.Join(want, split)] {
			rel := path.Join(want, split, name)
			if _, isFile := fsys.files[rel]; isFile && strings.HasSuffix(name, ".parquet") && !hiddenName(name) {
				rels = append(rels, rel)
			}
		}
		if len(rels) == 0 {
			continue
		}
		sortNatural(rels)
		l.Splits = append(l.Splits, SplitLayout{Name: split, Files: fullPaths(fsys, rels)})
	}
	if len(l.Splits) == 0 {
		return nil, fmt.Errorf("%w: config %q of the Parquet export %s has no Parquet files", ErrNotFound, want, fsys.root())
	}
	return l, nil
}

// hubFS is a Hub folder seen through one listing: the tree is known up
// front, and only the small description files are fetched, one GET each.
type hubFS struct {
	ctx   context.Context
	base  shard.HubURI // the folder
	opts  shard.HubOptions
	files map[string]shard.HubFile // by path relative to base
	// dirs maps each directory (relative; "" for base) to the names of
	// its entries, files and directories alike.
	dirs map[string][]string
}

var _ layoutFS = (*hubFS)(nil)

func (h *hubFS) add(rel string, f shard.HubFile) {
	h.files[rel] = f
	for {
		dir, name := path.Split(rel)
		dir = strings.TrimSuffix(dir, "/")
		_, known := h.dirs[dir]
		h.dirs[dir] = append(h.dirs[dir], name)
		if known || dir == "" {
			return
		}
		rel = dir
	}
}

func (h *hubFS) root() string { return h.base.String() }

func (h *hubFS) full(rel string) string {
	u := h.base
	u.Path = path.Join(h.base.Path, rel)
	return u.String()
}

func (h *hubFS) exists(rel string) bool {
	if _, ok := h.files[rel]; ok {
		return true
	}
	_, ok := h.dirs[rel]
	return ok
}

func (h *hubFS) subdirs(rel string) ([]string, error) {
	var out []string
	for _, name := range h.dirs[rel] {
		if _, ok := h.dirs[path.Join(rel, name)]; ok {
			out = append(out, name)
		}
	}
	return out, nil
}

func (h *hubFS) dataFiles() ([]string, error) {
	var out []string
	for rel := range h.files {
		if isDataFile(rel) && !slices.ContainsFunc(strings.Split(rel, "/"), hiddenName) {
			out = append(out, rel)
		}
	}
	sortNatural(out)
	return out, nil
}

// readSmall fetches a description file. Its size is known from the
// listing, so a file too large is refused without a request.
func (h *hubFS) readSmall(rel string, max int64) ([]byte, error) {
	f, ok := h.files[rel]
	if !ok {
		return nil, fmt.Errorf("%s: %w", h.full(rel), fs.ErrNotExist)
	}
	if f.Size > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, too large for a layout file", ErrLayout, h.full(rel), f.Size)
	}
	src, err := shard.OpenHub(h.ctx, h.full(rel), h.opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if src.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, too large for a layout file", ErrLayout, h.full(rel), src.Size())
	}
	b := make([]byte, src.Size())
	if _, err := src.ReadAtContext(h.ctx, b, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b, nil
}
