package jsonl

import (
	"bytes"
	"fmt"
	"io"

	"github.com/tome-data/tome/format"
	"github.com/tome-data/tome/internal/textio"
)

// readSize is how much lineReader asks its source for at a time.
const readSize = 1 << 20

// lineReader cuts a stream into lines. Lines end at '\n'; a '\r' before it
// is dropped, and so is a UTF-8 byte order mark at the start of the file.
// A returned line aliases the reader's buffer and is valid until the next
// call.
type lineReader struct {
	r          io.Reader // nil when buf holds the whole content
	c          format.Compression
	buf        []byte
	start, end int // unread bytes are buf[start:end]
	scanned    int // buf[start:scanned] has no '\n'
	eof        bool
	max        int
	line       int64 // number of the last line returned
	err        error
}

func newLineReader(st *textio.Stream, c format.Compression, max int) *lineReader {
	lr := &lineReader{r: st.R, c: c, max: max}
	if st.R == nil {
		lr.buf, lr.end, lr.eof = st.Whole, len(st.Whole), true
	}
	return lr
}

// next returns the next line and true, or false at the end of the stream
// or on an error (see err).
func (lr *lineReader) next() ([]byte, bool) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.scanned:lr.end], '\n'); i >= 0 {
			return lr.take(lr.scanned+i-lr.start, 1)
		}
		lr.scanned = lr.end
		if lr.end-lr.start > lr.max {
			return lr.tooLong()
		}
		if lr.eof {
			if lr.start < lr.end {
				return lr.take(lr.end-lr.start, 0)
			}
			return nil, false
		}
		if !lr.fill() {
			return nil, false
		}
	}
}

// take returns the next n bytes as a line and skips the terminator.
func (lr *lineReader) take(n, term int) ([]byte, bool) {
	if n > lr.max {
		return lr.tooLong()
	}
	line := lr.buf[lr.start : lr.start+n]
	lr.start += n + term
	lr.scanned = lr.start
	lr.line++
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if lr.line == 1 {
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	return line, true
}

func (lr *lineReader) tooLong() ([]byte, bool) {
	lr.err = fmt.Errorf("line %d is longer than %d bytes (raise Options.MaxLineBytes): %w", lr.line+1, lr.max, format.ErrUnsupported)
	return nil, false
}

// fill reads more of the stream, moving the unread bytes to the front of
// the buffer and growing it when a line does not fit.
func (lr *lineReader) fill() bool {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.scanned -= lr.start
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		size := max(2*len(lr.buf), readSize)
		size = min(size, lr.max+readSize)
		grown := make([]byte, size)
		copy(grown, lr.buf[:lr.end])
		lr.buf = grown
	}
	n, err := io.ReadAtLeast(lr.r, lr.buf[lr.end:], 1)
	lr.end += n
	switch {
	case err == io.EOF:
		lr.eof = true
	case err != nil:
		lr.err = textio.CompressedError(lr.c, err)
		return false
	}
	return true
}
