package shard

import (
	"context"
	"fmt"
	"io"
	"time"
)

// errTimeout is an attempt abandoned by its watchdog. It is a net.Error
// style timeout, so it is retried.
type errTimeout struct{ what string }

func (e *errTimeout) Error() string { return e.what }
func (e *errTimeout) Timeout() bool { return true }

// watchdog cancels an attempt that waits too long for response headers or
// for the next bytes of a body. A whole-transfer deadline would cut off
// large reads on slow links; a stall timeout cuts off only dead ones.
type watchdog struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	stall  time.Duration
}

func startWatchdog(parent context.Context, header, stall time.Duration) *watchdog {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{ctx: ctx, cancel: cancel, stall: stall}
	w.timer = time.AfterFunc(header, func() {
		cancel(&errTimeout{fmt.Sprintf("no response within %v", header)})
	})
	return w
}

// body switches the watchdog from the header timeout to the stall timeout
// and returns r with every successful read pushing the deadline back.
func (w *watchdog) body(r io.Reader) io.Reader {
	w.timer.Stop()
	w.timer = time.AfterFunc(w.stall, func() {
		w.cancel(&errTimeout{fmt.Sprintf("no data for %v", w.stall)})
	})
	return &progressReader{r: r, w: w}
}

func (w *watchdog) stop() {
	w.timer.Stop()
	w.cancel(nil)
}

// explain replaces the error a cancelled attempt returns ("context
// canceled") with the watchdog's timeout when that is what cancelled it.
func (w *watchdog) explain(err error) error {
	if err == nil {
		return nil
	}
	if cause := context.Cause(w.ctx); cause != nil {
		if t, ok := cause.(*errTimeout); ok {
			return t
		}
	}
	return err
}

type progressReader struct {
	r io.Reader
	w *watchdog
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.w.timer.Reset(p.w.stall)
	}
	return n, err
}
