package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/tome-data/tome/shard"
)

// progressLogInterval is how often a conversion whose stderr is not a
// terminal logs a line; tests shorten it.
var progressLogInterval = 10 * time.Second

// convertProgress reports a conversion's progress on stderr: a bar with
// rows/s, MB/s, shards and ETA on a terminal, a plain line every
// progressLogInterval otherwise, nothing with --quiet. Progress is
// measured in input bytes, the one size every input has before it is
// read (JSON Lines and CSV record no row count); units resumed or done
// count as read. It is safe for concurrent use by the workers.
type convertProgress struct {
	w     io.Writer
	quiet bool
	tty   bool

	rows, input, output, shards atomic.Int64

	mu      sync.Mutex
	stage   string
	total   int64 // input bytes of the stage
	started time.Time
	bar     *progressbar.ProgressBar
	stop    chan struct{}
	stopped chan struct{}
}

func newConvertProgress(w io.Writer, quiet bool) *convertProgress {
	p := &convertProgress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// begin starts a stage (converting, or copying the input for a shuffle)
// of total input bytes.
func (p *convertProgress) begin(stage string, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stage, p.total, p.started = stage, total, time.Now()
	p.rows.Store(0)
	p.input.Store(0)
	p.output.Store(0)
	p.shards.Store(0)
	if p.quiet {
		return
	}
	if p.tty {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(stage),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go p.tick(p.stop, p.stopped)
}

// end stops the stage's reporting.
func (p *convertProgress) end() {
	p.mu.Lock()
	stop, stopped, bar := p.stop, p.stopped, p.bar
	p.stop, p.bar = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	if bar != nil {
		_ = bar.Finish()
	}
}

func (p *convertProgress) tick(stop, stopped chan struct{}) {
	defer close(stopped)
	every := progressLogInterval
	if p.tty {
		every = 250 * time.Millisecond
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.report()
		}
	}
}

// report updates the bar, or logs a line.
func (p *convertProgress) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.started).Seconds()
	rows, input, shards := p.rows.Load(), p.input.Load(), p.shards.Load()
	rate := func(n int64) float64 {
		if elapsed <= 0 {
			return 0
		}
		return float64(n) / elapsed
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%s: %d shards, %s rows/s", p.stage, shards, humanCount(rate(rows))))
		_ = p.bar.Set64(input)
		return
	}
	eta := "unknown"
	if input > 0 && p.total > input {
		eta = time.Duration(float64(p.total-input) / rate(input) * float64(time.Second)).Round(time.Second).String()
	}
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(input) / float64(p.total)
	}
	fmt.Fprintf(p.w, "tome: %s: %.0f%% of %s, %d rows (%s rows/s, %s/s), %d shards, ETA %s\n",
		p.stage, pct, decimalBytes(float64(p.total)), rows, humanCount(rate(rows)), decimalBytes(rate(input)), shards, eta)
}

func (p *convertProgress) rowsDone(n int64)      { p.rows.Add(n) }
func (p *convertProgress) inputDone(bytes int64) { p.input.Add(bytes) }

func (p *convertProgress) shardDone(ws shard.WrittenShard) {
	p.shards.Add(1)
	p.output.Add(ws.Bytes)
}

// skipUnit counts a unit finished by an earlier run.
func (p *convertProgress) skipUnit(u planUnit, parts []partRecord) {
	p.inputDone(u.Bytes)
	p.resumeUnit(parts)
}

// resumeUnit counts the shards of a unit finished by an earlier run.
func (p *convertProgress) resumeUnit(parts []partRecord) {
	for _, rec := range parts {
		p.rows.Add(rec.Rows)
		p.shards.Add(1)
		p.output.Add(rec.Bytes)
	}
}

// decimalBytes prints a byte count or rate in decimal units, as Hugging
// Face sizes are given.
func decimalBytes(n float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	for n >= 1000 && i < len(units)-1 {
		n /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f %s", n, units[i])
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

// humanCount prints a count with a k/M/G suffix.
func humanCount(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fG", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fk", n/1e3)
	}
	return fmt.Sprintf("%.0f", n)
}
