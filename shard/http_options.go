package shard

import (
	"net/http"
	"sync"
	"time"
)

// Defaults of HTTPOptions.
const (
	DefaultMaxPerHost      = 8
	DefaultHeaderTimeout   = 30 * time.Second
	DefaultStallTimeout    = 30 * time.Second
	DefaultTailSize        = 64 << 10
	DefaultBlockSize       = 64 << 10
	DefaultBlockCacheBytes = 2 << 20
	DefaultMaxDiscard      = 8 << 20
)

// HTTPOptions configure OpenHTTP. The zero value uses the defaults.
type HTTPOptions struct {
	// Client sends the requests; nil means a client shared by every source,
	// whose transport keeps DefaultMaxPerHost idle connections per host so
	// that parallel range reads reuse them. A client's own CheckRedirect
	// runs after the source's redirect policy.
	Client *http.Client

	// Header is sent with every request to the URL's own scheme and host:
	// an Authorization token, a User-Agent. Authorization, Cookie and
	// Proxy-Authorization never reach another host: they are dropped for
	// the rest of a redirect chain once it leaves the URL's host, even for
	// a subdomain (which net/http alone would allow).
	Header http.Header

	// Retry says how transient failures are retried.
	Retry RetryPolicy

	// Limiter caps the requests in flight per host (the host of the URL
	// opened, whatever it redirects to), counted from sending the request
	// to closing its body; nil means a limiter shared by every source that
	// has none, allowing DefaultMaxPerHost.
	Limiter *HostLimiter

	// HeaderTimeout bounds the wait for the headers of a response, and
	// StallTimeout the time a body may go without delivering a byte. An
	// attempt that exceeds either is abandoned and retried (resuming at the
	// offset reached). Zero means the defaults. There is no limit on a
	// whole transfer, which may rightly be long.
	HeaderTimeout, StallTimeout time.Duration

	// TailSize is how many bytes at the end of the object the opening
	// request fetches: it learns the size and the ETag and, in the same
	// round trip, brings in the footer of a Parquet or Arrow IPC file. Zero
	// means DefaultTailSize; a negative value fetches one byte.
	TailSize int64

	// BlockSize is the unit of the in-memory block cache: a read of at
	// most four blocks is widened to whole blocks, kept, and shared with
	// concurrent reads of the same blocks, so that nearby small reads (page
	// headers, column indexes, a footer read in pieces) cost one request.
	// Longer reads go to the server as they are. Zero means
	// DefaultBlockSize.
	BlockSize int64

	// BlockCacheBytes bounds the memory of one source's block cache, least
	// recently used blocks going first; zero means DefaultBlockCacheBytes,
	// a negative value turns the cache off. It is at least four blocks.
	BlockCacheBytes int64

	// MaxDiscard is how far into the object a read may start when the
	// server ignores Range and sends the whole object: the bytes before the
	// offset are read and thrown away. A read beyond it fails with
	// ErrNoRanges. Zero means DefaultMaxDiscard; a negative value allows
	// no discarding, so that only reads from offset 0 succeed.
	MaxDiscard int64

	// Cache, if set, keeps the bytes read on disk for later reads and later
	// processes. See Cache.
	Cache *Cache

	// PrefetchHead sends, alongside the opening request, a request for the
	// object's first block, which every codec reads when it opens a file
	// (a magic number, the first lines of text): the open and that read
	// then cost one round trip instead of two. Its answer is used only if
	// it is of the version the open pinned. It is off with a Cache (whose
	// copy of the head would be fetched again) or without the block cache,
	// and pointless for objects within TailSize.
	PrefetchHead bool
}

// normalized returns the options with defaults filled in.
func (o HTTPOptions) normalized() HTTPOptions {
	if o.Client == nil {
		o.Client = defaultClient()
	}
	if o.Limiter == nil {
		o.Limiter = defaultLimiter
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	switch {
	case o.TailSize == 0:
		o.TailSize = DefaultTailSize
	case o.TailSize < 0:
		o.TailSize = 1
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.BlockCacheBytes == 0 {
		o.BlockCacheBytes = DefaultBlockCacheBytes
	}
	if o.BlockCacheBytes > 0 {
		o.BlockCacheBytes = max(o.BlockCacheBytes, directBlocks*o.BlockSize)
	}
	switch {
	case o.MaxDiscard == 0:
		o.MaxDiscard = DefaultMaxDiscard
	case o.MaxDiscard < 0:
		o.MaxDiscard = -1
	}
	return o
}

// defaultClient is shared so that every source reuses one connection pool.
var defaultClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = DefaultMaxPerHost
	return &http.Client{Transport: t}
})

var defaultLimiter = NewHostLimiter(DefaultMaxPerHost)
