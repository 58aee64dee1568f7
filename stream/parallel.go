package stream

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// ParallelMap yields fn(ctx, v) for every element v of seq, like Map, but
// runs fn on up to workers goroutines at once (GOMAXPROCS when workers is
// zero or negative). The output is in input order whatever the timing: it
// is exactly what Map would yield, errors included — the first failing
// element in input order ends the sequence with its error, after every
// element before it.
//
// ParallelMap reads ahead of the consumer: counting the element being
// yielded, at most 2*workers elements have been read from seq and not yet
// consumed. The workers read seq themselves, one at a time, so seq runs on
// their goroutines; when reading seq is slow in its own right, put a
// Prefetch in front so that reading overlaps the mapping. A panic in fn or
// in seq becomes a *PanicError in the failing element's place.
//
// fn is called exactly once for every element read from seq, even when
// the loop stops early, so fn may take ownership of its input; it receives
// a context that is canceled when the loop ends or ctx is canceled, and
// should then return promptly. Results computed but never yielded go to the
// OnDiscard function, if one is given. A canceled ctx ends the sequence
// with ctx.Err(). Every goroutine has exited, and seq's cleanup has run,
// before the loop returns.
func ParallelMap[T, U any](ctx context.Context, seq iter.Seq2[T, error], workers int, fn func(context.Context, T) (U, error), opts ...Option[U]) iter.Seq2[U, error] {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o := collectOptions(opts)
	return func(yield func(U, error) bool) {
		var zero U
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		window := 2 * workers
		p := &parallel[T, U]{
			fn:      fn,
			tokens:  make(chan struct{}, window),
			pending: make(chan chan item[U], window),
			discard: &o,
		}
		for range window {
			p.tokens <- struct{}{}
		}
		p.ctx, p.cancel = context.WithCancel(ctx)
		p.next, p.stop = iter.Pull2(seq)
		p.wg.Add(workers)
		for range workers {
			go p.work()
		}
		p.deliver(yield)
	}
}

// parallel is one run of ParallelMap. Order is kept by a queue of result
// channels, one per element, in input order (restic's ordered-prefetch
// pattern): a worker reads an element and enqueues its result channel in
// one step under the lock, then maps the element, while the consumer waits
// on the channels in queue order.
//
// The workers read the source themselves rather than through a feeder
// goroutine: with CPU-bound work on every core, each extra goroutine an
// element has to pass through must wait for a core, which costs more than
// the work saves. A worker takes a token before reading an element and the
// consumer returns it after yielding that element, which bounds the
// read-ahead and keeps the queue from ever blocking.
type parallel[T, U any] struct {
	ctx     context.Context
	cancel  context.CancelFunc
	fn      func(context.Context, T) (U, error)
	tokens  chan struct{}
	pending chan chan item[U]
	discard *options[U]
	wg      sync.WaitGroup

	mu    sync.Mutex // guards the fields below: the source is read by one worker at a time
	next  func() (T, error, bool)
	stop  func()
	index int64
	ended bool // the source ended, failed or panicked; pending is closed
}

// job is one element read from the source, with the channel (capacity one,
// so sending never blocks) that receives its result.
type job[T, U any] struct {
	v     T
	index int64
	out   chan item[U]
}

func (p *parallel[T, U]) work() {
	defer p.wg.Done()
	for {
		select {
		case <-p.tokens:
		case <-p.ctx.Done():
			return
		}
		j, ok := p.read()
		if !ok {
			return
		}
		j.out <- p.call(j)
	}
}

// read takes the next element of the source and enqueues its result
// channel. At the end of the source it closes the queue; an error or a
// panic of the source is enqueued as a finished result, then the queue is
// closed. ok is false when there is no element to map.
func (p *parallel[T, U]) read() (j job[T, U], ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Once the run is canceled, read no more: every element read must be
	// mapped, and nobody wants these.
	if p.ended || p.ctx.Err() != nil {
		return j, false
	}
	defer func() {
		if v := recover(); v != nil {
			p.end(done(item[U]{err: newPanicError("parallel map source", v)}))
			ok = false
		}
	}()
	v, err, more := p.next()
	switch {
	case !more:
		p.end(nil)
		return j, false
	case err != nil:
		p.end(done(item[U]{err: err}))
		return j, false
	}
	j = job[T, U]{v: v, index: p.index, out: make(chan item[U], 1)}
	p.index++
	p.pending <- j.out // a token was taken for it, so there is room
	return j, true
}

// end closes the queue, after enqueuing last if it is not nil. The caller
// holds p.mu.
func (p *parallel[T, U]) end(last chan item[U]) {
	if last != nil {
		p.pending <- last
	}
	close(p.pending)
	p.ended = true
}

// call runs fn on one element, turning a panic into an error: it runs on a
// goroutine whose panic nothing else could recover.
func (p *parallel[T, U]) call(j job[T, U]) (r item[U]) {
	defer func() {
		if v := recover(); v != nil {
			r = item[U]{err: newPanicError(fmt.Sprintf("parallel map function on element %d", j.index), v)}
		}
	}()
	u, err := p.fn(p.ctx, j.v)
	return item[U]{v: u, err: err}
}

// deliver yields the results in queue order on the consumer's goroutine,
// then stops every goroutine and the source, and discards what was
// computed but not yielded.
func (p *parallel[T, U]) deliver(yield func(U, error) bool) {
	var zero U
	var cur chan item[U] // dequeued, result not yet received
	defer func() {
		p.cancel()
		p.wg.Wait()
		p.stop()
		if cur != nil {
			p.drop(<-cur)
		}
		// Every worker has exited, so every queued channel holds its
		// result; the queue may or may not have been closed.
		for {
			select {
			case out, ok := <-p.pending:
				if !ok {
					return
				}
				p.drop(<-out)
			default:
				return
			}
		}
	}()
	for {
		// p.ctx is canceled only by the deferred cancel above, so an
		// error here is the caller's cancellation.
		if err := p.ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		if cur == nil {
			select {
			case out, ok := <-p.pending:
				if !ok {
					return
				}
				cur = out
			case <-p.ctx.Done():
			}
			continue
		}
		select {
		case r := <-cur:
			cur = nil
			if !yield(r.v, r.err) || r.err != nil {
				return
			}
			p.tokens <- struct{}{}
		case <-p.ctx.Done():
		}
	}
}

func (p *parallel[T, U]) drop(r item[U]) {
	if r.err == nil {
		p.discard.drop(r.v)
	}
}

// done returns a result channel that already holds r.
func done[U any](r item[U]) chan item[U] {
	out := make(chan item[U], 1)
	out <- r
	return out
}
