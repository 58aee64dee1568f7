package ipc

import (
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// maxIdleCursors bounds the decoders a Reader keeps between reads of a
// file with dictionaries (see Reader.ReadChunk).
const maxIdleCursors = 2

// A feed is the ipc.MessageReader behind a cursor: the reader pushes the
// messages a batch needs, and arrow-go's Reader pulls them one by one.
// Like arrow-go's own message reader, it owns each message until the next
// is pulled.
type feed struct {
	refs  atomic.Int64
	queue []*ipc.Message
	cur   *ipc.Message
}

var _ ipc.MessageReader = (*feed)(nil)

func newFeed() *feed {
	f := &feed{}
	f.refs.Store(1)
	return f
}

func (f *feed) push(m *ipc.Message) { f.queue = append(f.queue, m) }

func (f *feed) Message() (*ipc.Message, error) {
	if f.cur != nil {
		f.cur.Release()
		f.cur = nil
	}
	if len(f.queue) == 0 {
		return nil, io.EOF
	}
	f.cur = f.queue[0]
	f.queue[0] = nil
	f.queue = f.queue[1:]
	if len(f.queue) == 0 {
		f.queue = f.queue[:0:0] // let append start afresh rather than creep along
	}
	return f.cur, nil
}

func (f *feed) Retain() { f.refs.Add(1) }

func (f *feed) Release() {
	if f.refs.Add(-1) != 0 {
		return
	}
	if f.cur != nil {
		f.cur.Release()
		f.cur = nil
	}
	for _, m := range f.queue {
		m.Release()
	}
	f.queue = nil
}

// A cursor is an arrow-go Reader somewhere in the file's dictionary
// history: it has applied the first epoch dictionary messages (of the
// projected columns), so it can decode any batch whose dictionaries are
// those, or later ones after being fed the messages in between. A cursor
// serves one goroutine at a time.
type cursor struct {
	rd      *ipc.Reader
	feed    *feed
	epoch   int
	started bool // arrow-go has read the initial dictionaries
}

func (c *cursor) release() { c.rd.Release() }

// decodeSchema lets arrow-go decode a schema message.
func (r *Reader) decodeSchema(meta []byte) (*arrow.Schema, error) {
	c, err := r.newCursor(meta)
	if err != nil {
		return nil, err
	}
	defer c.release()
	return c.rd.Schema(), nil
}

func (r *Reader) newCursor(schemaMeta []byte) (*cursor, error) {
	f := newFeed()
	f.push(ipc.NewMessage(memory.NewBufferBytes(schemaMeta), memory.NewBufferBytes(nil)))
	// On failure arrow-go releases the feed it was given.
	rd, err := ipc.NewReaderFromMessageReader(f, ipc.WithAllocator(r.opts.Mem()))
	if err != nil {
		return nil, fmt.Errorf("%s: schema: %w", r.src.name, corrupt(err))
	}
	return &cursor{rd: rd, feed: f}, nil
}

// cursorFor returns an idle cursor that can reach dictionary epoch target,
// preferring the one closest to it, or a new one.
func (r *Reader) cursorFor(target int) (*cursor, error) {
	r.mu.Lock()
	best := -1
	for i, c := range r.idle {
		if c.epoch <= target && (best < 0 || c.epoch > r.idle[best].epoch) {
			best = i
		}
	}
	if best >= 0 {
		c := r.idle[best]
		r.idle = slices.Delete(r.idle, best, best+1)
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()
	return r.newCursor(r.schemaMeta)
}

// putCursor keeps a cursor for later reads when dictionaries make a new
// one costly; otherwise it releases it, and with it the batch it holds.
func (r *Reader) putCursor(c *cursor) {
	if len(r.dicts) > 0 {
		r.mu.Lock()
		if !r.closed && len(r.idle) < maxIdleCursors {
			r.idle = append(r.idle, c)
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
	}
	c.release()
}
