package ipc

import (
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

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
