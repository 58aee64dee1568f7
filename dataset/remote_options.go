package dataset

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/tome-data/tome/shard"
)

// RemoteOptions configure how Open reads http(s):// URLs and
// hf://datasets/ URIs. The zero value reads without a disk cache, with
// shard's defaults, and takes the Hub's endpoint and token from HF_ENDPOINT
// and HF_TOKEN.
//
// They are process-wide by default (see SetRemoteOptions): every remote
// file opened afterwards shares one disk cache and one per-host request
// limiter, which is what protects a server when a dataset of many shards,
// or several datasets, read from it at once. WithRemote gives one Open
// options of its own.
type RemoteOptions struct {
	// CacheDir, if set, keeps the bytes read on disk (a shard.Cache), for
	// later reads and later processes.
	CacheDir string
	// CacheBytes is the disk cache's budget; zero means
	// shard.DefaultCacheBytes.
	CacheBytes int64

	// MaxPerHost caps the requests in flight to one host, across every
	// remote file open; zero means shard.DefaultMaxPerHost.
	MaxPerHost int

	// HubEndpoint and HubToken override HF_ENDPOINT and HF_TOKEN. The
	// token is sent to the endpoint's own scheme and host only.
	HubEndpoint, HubToken string

	// Client sends the requests; nil means shard's shared client.
	Client *http.Client

	// ReadAheadBytes bounds, per open file, the bytes fetched ahead of
	// the reader and not yet consumed: the next row groups' column chunks
	// of Parquet, the next stretch of JSON Lines and CSV (of which at most
	// four requests of 2 MiB are in flight). Zero means
	// DefaultReadAheadBytes; Parquet column chunks larger than it are not
	// fetched ahead.
	//
	// The buffers Parquet's requests are read into are recycled from scan
	// to scan and file to file: the files read under one budget keep at
	// most that many bytes of idle buffers (and, of column chunks larger
	// than it, as many as row groups decode at once: GOMAXPROCS), which
	// they let go after ten seconds unused.
	ReadAheadBytes int64
}

// DefaultReadAheadBytes is the default of RemoteOptions.ReadAheadBytes.
const DefaultReadAheadBytes = 64 << 20

// remoteState is RemoteOptions put to work: the opened cache and the
// limiter every remote source shares.
type remoteState struct {
	opts    RemoteOptions
	cache   *shard.Cache
	limiter *shard.HostLimiter
}

var (
	remoteMu  sync.Mutex
	remoteCur *remoteState
)

// SetRemoteOptions sets the options of every remote file Open opens from
// now on, unless WithRemote gives others; files already open keep theirs.
// It opens (creating) the cache directory, and fails if that cannot be
// done.
func SetRemoteOptions(o RemoteOptions) error {
	st, err := newRemoteState(o)
	if err != nil {
		return err
	}
	remoteMu.Lock()
	remoteCur = st
	remoteMu.Unlock()
	return nil
}

// newRemoteState puts o to work: a limiter of its own and, with a cache
// directory, the cache opened.
func newRemoteState(o RemoteOptions) (*remoteState, error) {
	st := &remoteState{opts: o, limiter: shard.NewHostLimiter(cmpOr(o.MaxPerHost, shard.DefaultMaxPerHost))}
	if o.CacheDir != "" {
		c, err := shard.OpenCache(o.CacheDir, shard.CacheOptions{MaxBytes: o.CacheBytes})
		if err != nil {
			return nil, fmt.Errorf("opening the cache: %w", err)
		}
		st.cache = c
	}
	return st, nil
}

// currentRemote returns the options in force, the defaults when
// SetRemoteOptions was never called.
func currentRemote() *remoteState {
	remoteMu.Lock()
	defer remoteMu.Unlock()
	if remoteCur == nil {
		remoteCur = &remoteState{limiter: shard.NewHostLimiter(shard.DefaultMaxPerHost)}
	}
	return remoteCur
}

// newOpenConfig applies opts and settles the remote options: WithRemote's,
// else the process-wide ones in force now, so that every file of one Open
// is read under the same options even if SetRemoteOptions is called
// meanwhile.
func newOpenConfig(opts []Option) (openConfig, error) {
	var cfg openConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.remoteOpts == nil {
		cfg.remote = currentRemote()
		return cfg, nil
	}
	st, err := newRemoteState(*cfg.remoteOpts)
	if err != nil {
		return cfg, err
	}
	cfg.remote = st
	return cfg, nil
}

// remoteState returns the remote options of an Open, the process-wide
// ones for a config not made by newOpenConfig.
func (c *openConfig) remoteState() *remoteState {
	if c.remote == nil {
		return currentRemote()
	}
	return c.remote
}

func (r *remoteState) httpOptions() shard.HTTPOptions {
	return shard.HTTPOptions{Client: r.opts.Client, Limiter: r.limiter, Cache: r.cache}
}

func (r *remoteState) hubOptions() shard.HubOptions {
	return shard.HubOptions{Endpoint: r.opts.HubEndpoint, Token: r.opts.HubToken, HTTP: r.httpOptions()}
}

func (r *remoteState) readAheadBytes() int64 {
	return cmpOr(r.opts.ReadAheadBytes, DefaultReadAheadBytes)
}

func cmpOr[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// The schemes Open reads remotely.
type scheme int

const (
	schemeLocal scheme = iota
	schemeHTTP         // http:// and https://
	schemeHub          // hf://
)

// remoteScheme tells a URL from a local path by its scheme, case-blind as
// URL schemes are.
func remoteScheme(path string) scheme {
	lower := strings.ToLower(path)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return schemeHTTP
	case strings.HasPrefix(lower, "hf://"):
		return schemeHub
	}
	return schemeLocal
}
