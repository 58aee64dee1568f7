package serve

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tome-data/tome/dataset"
	"github.com/tome-data/tome/internal/info"
	"github.com/tome-data/tome/internal/viewer"
)

// OpenFunc opens split split ("" = the default split) of the dataset at
// path. The CLI passes one that applies its flags (--config, the remote
// cache); nil means dataset.Open.
type OpenFunc func(ctx context.Context, path, split string) (*dataset.Dataset, error)

func defaultOpen(ctx context.Context, path, split string) (*dataset.Dataset, error) {
	return dataset.Open(ctx, path, dataset.WithSplit(split))
}

// A Registry is the set of datasets a server serves, by name. It opens
// each split at most once, on first use, and keeps it open until Close;
// only registered names and their own splits can be reached, so no
// client input ever becomes a path.
//
// A Registry is safe for concurrent use.
type Registry struct {
	open  OpenFunc
	names []string
	sets  map[string]*entry

	mu     sync.Mutex
	closed bool
}

var _ viewer.Catalog = (*Registry)(nil)

// entry is one registered dataset.
type entry struct {
	spec  Spec
	def   *dataset.Dataset // the default split, opened at registration
	other map[string]*opening

	infoMu sync.Mutex
	info   []byte // the info JSON, once described
}

// opening is a split being opened or open; ready closes when ds or err
// is set.
type opening struct {
	ready chan struct{}
	ds    *dataset.Dataset
	err   error
}

// NewRegistry opens the default split of every spec, so that a wrong path
// fails at startup rather than on a client's first request.
func NewRegistry(ctx context.Context, specs []Spec, open OpenFunc) (*Registry, error) {
	if open == nil {
		open = defaultOpen
	}
	r := &Registry{open: open, sets: map[string]*entry{}}
	for _, s := range specs {
		if err := checkName(s.Name); err != nil {
			r.Close()
			return nil, err
		}
		if _, dup := r.sets[s.Name]; dup {
			r.Close()
			return nil, fmt.Errorf("dataset name %q given twice", s.Name)
		}
		ds, err := open(ctx, s.Path, "")
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("dataset %s: %w", s.Name, err)
		}
		r.sets[s.Name] = &entry{spec: s, def: ds, other: map[string]*opening{}}
		r.names = append(r.names, s.Name)
	}
	slices.Sort(r.names)
	return r, nil
}

// Names lists the served datasets' names, sorted.
func (r *Registry) Names() []string { return slices.Clone(r.names) }

// Splits lists the splits of dataset name, the default one first.
func (r *Registry) Splits(name string) ([]string, error) {
	e, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	return e.def.Splits(), nil
}

func (r *Registry) lookup(name string) (*entry, error) {
	e, ok := r.sets[name]
	if !ok {
		return nil, fmt.Errorf("%w: no dataset named %q", dataset.ErrNotFound, name)
	}
	return e, nil
}

// Dataset returns split split ("" = the default split) of dataset name,
// opening it on first use. The Registry owns it: callers do not Close it.
// Errors wrap dataset.ErrNotFound for an unknown name and dataset.ErrSplit
// for a split the dataset does not have.
func (r *Registry) Dataset(ctx context.Context, name, split string) (*dataset.Dataset, error) {
	e, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	if split == "" || split == e.def.Split() {
		return e.def, nil
	}
	if !slices.Contains(e.def.Splits(), split) {
		return nil, fmt.Errorf("%w: dataset %q has no split %q (splits: %s)", dataset.ErrSplit, name, split, strings.Join(e.def.Splits(), ", "))
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, errClosed
	}
	o, ok := e.other[split]
	if !ok {
		o = &opening{ready: make(chan struct{})}
		e.other[split] = o
		// Opened outside the lock and under no client's cancellation, so
		// that one impatient client does not fail the open for the rest.
		go r.openSplit(context.WithoutCancel(ctx), e, split, o)
	}
	r.mu.Unlock()
	select {
	case <-o.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return o.ds, o.err
}

var errClosed = errors.New("serve: registry closed")

func (r *Registry) openSplit(ctx context.Context, e *entry, split string, o *opening) {
	ds, err := r.open(ctx, e.spec.Path, split)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		// Not cached: the next request tries again (a remote store may
		// have been briefly unreachable).
		delete(e.other, split)
		o.err = fmt.Errorf("dataset %s, split %s: %w", e.spec.Name, split, err)
	case r.closed:
		ds.Close()
		o.err = errClosed
	default:
		o.ds = ds
	}
	close(o.ready)
}

// Info returns the `tome info --json` object of dataset name, described
// once and then cached. Splits that cannot be read are named in its
// splits table rather than failing the whole answer.
func (r *Registry) Info(ctx context.Context, name string) ([]byte, error) {
	e, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	e.infoMu.Lock()
	defer e.infoMu.Unlock()
	if e.info != nil {
		return e.info, nil
	}
	in, err := info.Describe(ctx, e.def, e.spec.Path)
	if err != nil {
		return nil, err
	}
	// A split that cannot be read is named in the splits table with its
	// error, as tome info --json prints it; the rest still answers.
	_ = in.AddSplits(ctx, e.def.Splits(), func(ctx context.Context, split string) (*dataset.Dataset, func(), error) {
		ds, err := r.Dataset(ctx, name, split)
		return ds, func() {}, err
	})
	if ctx.Err() != nil {
		// A canceled request would cache a table of "context canceled".
		return nil, ctx.Err()
	}
	doc, err := marshalIndent(in)
	if err != nil {
		return nil, err
	}
	e.info = doc
	return doc, nil
}

// Close closes every dataset opened. Streams still running keep their
// files until they end (a training stream holds its own reference).
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	for _, e := range r.sets {
		errs = append(errs, e.def.Close())
		for _, o := range e.other {
			select {
			case <-o.ready:
				if o.ds != nil {
					errs = append(errs, o.ds.Close())
				}
			default: // openSplit closes it when it lands
			}
		}
	}
	return errors.Join(errs...)
}

// has reports whether name is registered.
func (r *Registry) has(name string) bool {
	_, ok := r.sets[name]
	return ok
}
